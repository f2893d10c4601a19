"""The performance dashboard page, for quality managers and internal auditors.

Employees and external auditors do not see it: its numbers count drafts, open CAPAs and ideas in progress that they
may not see one by one, and it is a management tool (ISO 9001 9.1, an input to management review), as the maturity
balance is. The period is a GET form: a bad date comes back as an error next to its field, never as a server error.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django import forms
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_GET

from documents.models import add_months
from qms.performance import charts, metrics
from qms.periods import Period
from qms.permissions import AuthenticatedRequest, role_required
from qms.roles import Role

VIEWERS = (Role.QUALITY_MANAGER, Role.AUDITOR)
# A period's days must have a midnight before and after them; these bounds also catch a mistyped year (20266).
FIRST_DAY, LAST_DAY = date(1900, 1, 1), date(2999, 12, 31)


class PeriodForm(forms.Form):
    start = forms.DateField(label="From", widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label="To", widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.error_messages["invalid"] = "Enter a date as YYYY-MM-DD."
            field.widget.attrs.update(min=FIRST_DAY.isoformat(), max=LAST_DAY.isoformat())

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name in ("start", "end"):
            day = data.get(name)
            if day is not None and not FIRST_DAY <= day <= LAST_DAY:
                self.add_error(name, f"Give a day between {FIRST_DAY.year} and {LAST_DAY.year}.")
        start, end = data.get("start"), data.get("end")
        if start and end and start > end and not self.has_error("end"):
            self.add_error("end", "The period must end on or after its start.")
        return data

    @property
    def period(self) -> Period:
        return Period(self.cleaned_data["start"], self.cleaned_data["end"])


def default_period(today: date) -> Period:
    """The last 12 months, ending today: the days after the same day a year ago."""
    return Period(add_months(today, -12) + timedelta(days=1), today)


@dataclass(frozen=True)
class QuickChoice:
    label: str
    period: Period

    @property
    def query(self) -> str:
        return urlencode({"start": self.period.start.isoformat(), "end": self.period.end.isoformat()})


def quick_choices(today: date) -> list[QuickChoice]:
    return [
        QuickChoice("Last 12 months", default_period(today)),
        QuickChoice("This year", Period(today.replace(month=1, day=1), today)),
        QuickChoice("Last year", Period(date(today.year - 1, 1, 1), date(today.year - 1, 12, 31))),
        QuickChoice("Last 90 days", Period(today - timedelta(days=89), today)),
    ]


@role_required(*VIEWERS)
@require_GET
def index(request: AuthenticatedRequest) -> HttpResponse:
    today = timezone.localdate()
    default = default_period(today)
    asked = "start" in request.GET or "end" in request.GET
    form = PeriodForm(request.GET if asked else None, initial={"start": default.start, "end": default.end})
    context: dict[str, Any] = {"form": form, "today": today, "quick": quick_choices(today)}
    if asked and not form.is_valid():
        return render(request, "qms/performance/dashboard.html", context, status=400)
    period = form.period if asked else default
    board = metrics.dashboard(request.user, period, today=today)
    context.update(
        period=period,
        board=board,
        charts={
            "documents": charts.bar_chart(board.documents.by_status),
            "acknowledgements": charts.share_bar(board.acknowledgements.rate),
            "audits": charts.stacked_chart([("", board.audits.by_status)]),
            "findings": charts.heat_map(board.findings),
            "capa_ages": charts.stacked_chart([(row.label, row.cells) for row in board.open_capas.rows]),
            "on_time": charts.share_bar(board.capa_outcomes.on_time_rate),
            "effectiveness": charts.share_bar(board.capa_outcomes.effectiveness_rate),
            "repeats": charts.share_bar(board.repeats.rate),
            "ideas": charts.bar_chart(board.ideas.by_stage),
            "participation": charts.share_bar(board.participation.rate),
        },
    )
    return render(request, "qms/performance/dashboard.html", context)
