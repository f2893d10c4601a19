"""Browser views of quality objectives: the register and its export, the objective page with its trend, values and
history, and the quality managers' forms to set, change and close objectives.

Every fetch is permission-checked (`visible_to`); every write is one service call, whose refusals come back as form
errors next to the field (or a 403) through `qms.web.run_service`.
"""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Iterator
from datetime import UTC
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When
from django.forms import BaseForm
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from qms.models import Department, User
from qms.objectives import forms, services
from qms.objectives.chart import trend_chart
from qms.objectives.models import Measurement, Objective, Standing
from qms.objectives.selectors import get_objective_for_user, latest_standing, with_latest
from qms.permissions import STAFF_ROLES, AuthenticatedRequest, role_required
from qms.roles import Role
from qms.uploads import content_disposition
from qms.views import render_history
from qms.web import EchoBuffer, csv_safe, people_options, run_service, select_options, versioned

PAGE_SIZE = 50
SORTS = {
    "due": ("closed", "due_date", "reference"),
    "reference": ("reference",),
    "newest": ("-created_at", "-id"),
}
SORT_LABELS = {"due": "Due date (active first)", "reference": "Reference", "newest": "Newest"}
SOURCE_KINDS = {"manual": "Entered by hand", "computed": "Computed from the records"}


# --- The register ---------------------------------------------------------------------------------------------------


def _register(request: AuthenticatedRequest) -> tuple[QuerySet[Objective], QuerySet[Objective], dict[str, str]]:
    """The objectives the register shows (filtered, with their latest value, sorted; not yet by standing), the same
    before the status filter (for the counts by status), and the filters as read from the query string."""
    keys = ("q", "status", "owner", "department", "source", "standing", "sort")
    params = {key: request.GET.get(key, "").strip() for key in keys}
    objectives = Objective.objects.visible_to(request.user)
    if params["owner"].isdigit():
        objectives = objectives.filter(owner_id=int(params["owner"]))
    if params["department"].isdigit():
        objectives = objectives.filter(department_id=int(params["department"]))
    if params["source"] == "manual":
        objectives = objectives.filter(source=Objective.Source.MANUAL)
    elif params["source"] == "computed":
        objectives = objectives.exclude(source=Objective.Source.MANUAL)
    if params["q"]:
        text = params["q"]
        objectives = objectives.filter(
            Q(reference__icontains=text) | Q(title__icontains=text) | Q(metric__icontains=text)
        )
    before_status = objectives
    if params["status"] in Objective.Status.values:
        objectives = objectives.filter(status=params["status"])
    rows = with_latest(objectives).annotate(
        closed=Case(When(status=Objective.Status.ACTIVE, then=Value(0)), default=Value(1), output_field=IntegerField())
    )
    return rows.order_by(*SORTS.get(params["sort"], SORTS["due"])), before_status, params


def _with_standing(objectives: QuerySet[Objective], standing: str) -> list[Objective]:
    """The rows with their standing worked out (in Python: "on track" follows the planned path), kept to one
    standing when the filter asks."""
    rows = list(objectives)
    for objective in rows:
        objective.current_standing = latest_standing(objective)  # type: ignore[attr-defined]
    if standing in Standing.values:
        rows = [row for row in rows if row.current_standing == standing]  # type: ignore[attr-defined]
    return rows


@role_required()
@require_GET
def index(request: AuthenticatedRequest) -> HttpResponse:
    """The objectives register: status, owner, due date and the latest value against the target, marked met, on
    track, off track or no data."""
    objectives, before_status, params = _register(request)
    rows = _with_standing(objectives.select_related("owner", "department").prefetch_related("clauses"), "")
    standing_counts = Counter(row.current_standing for row in rows)  # type: ignore[attr-defined]
    if params["standing"] in Standing.values:
        rows = [row for row in rows if row.current_standing == params["standing"]]  # type: ignore[attr-defined]
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    counts = before_status.aggregate(
        total=Count("pk"),
        overdue=Count("pk", filter=Q(status=Objective.Status.ACTIVE, due_date__lt=timezone.localdate())),
        **{f"status_{value}": Count("pk", filter=Q(status=value)) for value in Objective.Status.values},
    )
    status_query = request.GET.copy()
    status_query.pop("page", None)
    status_query.pop("status", None)
    query = request.GET.copy()
    query.pop("page", None)
    visible = Objective.objects.visible_to(request.user)
    context = {
        "page": page,
        "params": params,
        "querystring": query.urlencode(),
        "status_querystring": status_query.urlencode(),
        "status_counts": [(value, label, counts[f"status_{value}"]) for value, label in Objective.Status.choices],
        "counts": counts,
        "standings": [(value, label, standing_counts[value]) for value, label in Standing.choices],
        "statuses": Objective.Status.choices,
        "sources": SOURCE_KINDS.items(),
        "sorts": SORT_LABELS.items(),
        "owner_options": people_options(User.objects.filter(pk__in=visible.values("owner_id")), params["owner"]),
        "department_options": select_options(
            Department.objects.filter(is_active=True).values_list("pk", "name"), params["department"]
        ),
        "can_set": request.user.has_role(Role.QUALITY_MANAGER),
        "filtered": any(value for key, value in params.items() if key not in {"sort", "status"}),
    }
    return render(request, "objectives/objective_list.html", context)


EXPORT_HEADER = [
    "reference",
    "title",
    "status",
    "owner",
    "department",
    "clauses",
    "metric",
    "unit",
    "direction",
    "source",
    "baseline",
    "target",
    "start_date",
    "due_date",
    "latest_value",
    "latest_on",
    "standing",
    "close_reason",
    "closed_at_utc",
]


@role_required()
@require_GET
def export_csv(request: AuthenticatedRequest) -> StreamingHttpResponse:
    """The register as CSV with its current filters. Cells a spreadsheet would run as formulas stay text."""
    objectives, _, params = _register(request)
    rows = _with_standing(
        objectives.select_related("owner", "department").prefetch_related("clauses"), params["standing"]
    )
    writer = csv.writer(EchoBuffer())

    def lines() -> Iterator[str]:
        yield writer.writerow(EXPORT_HEADER)
        for objective in rows:
            latest_value: Any = objective.latest_value  # type: ignore[attr-defined]
            yield writer.writerow(
                [
                    objective.reference,
                    csv_safe(objective.title),
                    objective.status,
                    csv_safe(objective.owner.display_name),
                    csv_safe(objective.department.name if objective.department else ""),
                    " ".join(clause.number for clause in objective.clauses.all()),
                    csv_safe(objective.metric),
                    csv_safe(objective.unit),
                    objective.direction,
                    objective.source,
                    "" if objective.baseline is None else services.format_value(objective.baseline),
                    services.format_value(objective.target),
                    objective.start_date.isoformat(),
                    objective.due_date.isoformat(),
                    "" if latest_value is None else _plain_number(latest_value),
                    objective.latest_on.isoformat() if objective.latest_on else "",  # type: ignore[attr-defined]
                    objective.current_standing,  # type: ignore[attr-defined]
                    csv_safe(objective.close_reason),
                    objective.closed_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M") if objective.closed_at else "",
                ]
            )

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition(f"quality-objectives-{timezone.localdate()}.csv")
    return response


def _plain_number(value: Any) -> str:
    return services.format_value(value if isinstance(value, Decimal) else Decimal(str(value)))


# --- Setting and changing objectives ----------------------------------------------------------------------------------


@role_required(Role.QUALITY_MANAGER)
def create(request: AuthenticatedRequest) -> HttpResponse:
    form = forms.ObjectiveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        objective = run_service(form, lambda: services.objective_create(actor=request.user, **form.cleaned_data))
        if objective is not None:
            later = " Its values since the start date are being computed." if objective.is_computed else ""
            messages.success(request, f"Set {objective.reference}. {objective.owner.display_name} was told.{later}")
            return redirect(objective)
    return render(request, "objectives/objective_form.html", {"form": form}, status=400 if form.errors else 200)


@role_required(Role.QUALITY_MANAGER)
def edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    objective = get_objective_for_user(request.user, pk)
    if not objective.can_manage(request.user):
        messages.warning(
            request, f"{objective.reference} is {objective.get_status_display().lower()}: it no longer changes."
        )
        return redirect(objective)
    form = versioned(forms.ObjectiveForm.for_objective(objective, request.POST or None), objective)
    if request.method == "POST" and form.is_valid():
        changed = run_service(
            form,
            lambda: services.objective_update(
                actor=request.user, objective=objective, reason=form.cleaned_data["reason"], **form.changes()
            ),
        )
        if changed is not None:
            messages.success(request, f"Saved {changed.reference}.")
            return redirect(changed)
    context = {"form": form, "objective": objective}
    return render(request, "objectives/objective_form.html", context, status=400 if form.errors else 200)


# --- The objective page ---------------------------------------------------------------------------------------------


@role_required()
@require_GET
def detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return _detail_page(request, get_objective_for_user(request.user, pk))


def _detail_page(
    request: AuthenticatedRequest, objective: Objective, *, bound: BaseForm | None = None, status: int = 200
) -> HttpResponse:
    user = request.user
    today = timezone.localdate()
    measurements = list(objective.measurements.select_related("entered_by").order_by("measured_on"))
    for measurement in measurements:
        measurement.objective = objective
        measurement.meets_target = objective.meets(measurement.value)  # type: ignore[attr-defined]
    latest = measurements[-1] if measurements else None
    planned = objective.planned_value(min(today, objective.due_date))
    page_forms: dict[str, BaseForm] = {}
    if objective.can_record(user):
        page_forms["measurement"] = forms.MeasurementForm(objective=objective, prefix="measurement")
    if objective.can_manage(user):
        page_forms["close"] = forms.CloseForm(prefix="close")
    if bound is not None and bound.prefix:
        page_forms[bound.prefix] = bound
    context = {
        "objective": objective,
        "clauses": list(objective.clauses.all()),
        "latest": latest,
        "standing": objective.standing(latest.value if latest else None, latest.measured_on if latest else None),
        "planned_today": None if planned is None else planned.quantize(Decimal("0.01")),
        "measurements": measurements[::-1],
        "chart": trend_chart(objective, measurements, today),
        "forms": page_forms,
        "open_form": bound.prefix if bound is not None else None,
        "can_manage": objective.can_manage(user),
        "is_owner": user.pk == objective.owner_id,
        "may_record_role": user.has_role(*STAFF_ROLES),
    }
    return render(request, "objectives/objective_detail.html", context, status=status)


def _post(
    request: AuthenticatedRequest, pk: int, form: BaseForm, call: Any, success: Any, anchor: str = ""
) -> HttpResponse:
    """A POST on the objective page: validate, make the one service call, go back to the page; a refusal shows the
    page again with the form open and the reason next to its field."""
    objective = get_objective_for_user(request.user, pk)
    if form.is_valid() and run_service(form, lambda: call(objective, form.cleaned_data)) is not None:
        objective.refresh_from_db()
        messages.success(request, success(objective))
        return redirect(objective.get_absolute_url() + anchor)
    objective.refresh_from_db()
    return _detail_page(request, objective, bound=form, status=400)


@require_POST
@role_required(*STAFF_ROLES)
def record(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    objective = get_objective_for_user(request.user, pk)
    form = forms.MeasurementForm(request.POST, objective=objective, prefix="measurement")
    return _post(
        request,
        pk,
        form,
        lambda objective, data: services.measurement_record(actor=request.user, objective=objective, **data),
        lambda objective: f"Value for {form.cleaned_data['measured_on']:%Y-%m-%d} recorded.",
        "#values",
    )


@require_POST
@role_required(Role.QUALITY_MANAGER)
def close(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return _post(
        request,
        pk,
        forms.CloseForm(request.POST, prefix="close"),
        lambda objective, data: services.objective_close(actor=request.user, objective=objective, **data),
        lambda objective: f"{objective.reference} closed as {objective.get_status_display().lower()}.",
    )


@role_required()
@require_GET
def history(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    objective = get_objective_for_user(request.user, pk)
    # Values entered by hand, whose history says who entered them; a computed objective's daily values (hundreds in a
    # year, each created once by the system and never changed) are listed with their computation on its page.
    measurements = list(objective.measurements.filter(source=Measurement.Source.MANUAL))
    for measurement in measurements:
        measurement.objective = objective
    return render_history(
        request, objective, *measurements, title=f"History of {objective}", back_url=objective.get_absolute_url()
    )
