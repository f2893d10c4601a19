"""Browser forms of management review. They check the shape of the input only; the rules are the services', whose
refusals `qms.web.run_service` puts next to the field they name."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone

from capa.models import Capa, Severity
from documents.models import Document
from improvement.models import Idea
from qms.models import User
from qms.permissions import STAFF_ROLES
from qms.reviews.models import Decision, ManagementReview

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
PLANNING_AHEAD = timedelta(days=14)
DEFAULT_DUE = timedelta(days=60)


def people() -> QuerySet[User]:
    """Who can chair, attend and own actions: active accounts of the organisation's staff."""
    return (
        User.objects.filter(is_active=True, groups__name__in=[str(role) for role in STAFF_ROLES])
        .select_related("department")
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


def _person_label(user: Any) -> str:
    title = f", {user.job_title}" if user.job_title else ""
    return f"{user.display_name}{title}"


class PersonChoice(forms.ModelChoiceField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("empty_label", "Choose a person")
        super().__init__(queryset=people(), **kwargs)

    def label_from_instance(self, obj: Any) -> str:
        return _person_label(obj)


class PeopleChoice(forms.ModelMultipleChoiceField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", forms.CheckboxSelectMultiple)
        super().__init__(queryset=people(), **kwargs)

    def label_from_instance(self, obj: Any) -> str:
        return _person_label(obj)


def default_period(today: date) -> tuple[date, date]:
    """The calendar year under review: last year in its first quarter (the usual time to review it), else this one."""
    year = today.year - 1 if today.month <= 3 else today.year
    return date(year, 1, 1), date(year, 12, 31)


class ReviewForm(forms.Form):
    """Start a review, or change its details while it is prepared."""

    title = forms.CharField(max_length=200, help_text="E.g. “Management review 2026”.")
    period_start = forms.DateField(label="Period from", widget=DATE)
    period_end = forms.DateField(label="Period to", widget=DATE, help_text="The inputs are counted over this period.")
    planned_on = forms.DateField(label="Meeting planned on", widget=DATE)
    chair = PersonChoice(
        help_text="The member of top management who chairs the meeting and signs the review (9.3 is their duty)."
    )
    attendees = PeopleChoice(
        required=False,
        label="Invited",
        help_text="Top management and the process owners who attend. The chair attends in any case.",
    )

    @classmethod
    def for_new(cls, data: Any = None) -> ReviewForm:
        today = timezone.localdate()
        start, end = default_period(today)
        return cls(
            data,
            initial={
                "title": f"Management review {end.year}",
                "period_start": start,
                "period_end": end,
                "planned_on": today + PLANNING_AHEAD,
            },
        )

    @classmethod
    def for_review(cls, review: ManagementReview, *, prefix: str) -> ReviewForm:
        return cls(
            prefix=prefix,
            initial={
                "title": review.title,
                "period_start": review.period_start,
                "period_end": review.period_end,
                "planned_on": review.planned_on,
                "chair": review.chair_id,
                "attendees": [person.pk for person in review.attendees.all()],
            },
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("period_start"), data.get("period_end")
        if start and end and start > end:
            self.add_error("period_end", "The period must end on or after its start.")
        return data


class WrittenInputsForm(forms.Form):
    """The inputs of 9.3.2 that no data holds, written by the quality manager."""

    issues = forms.CharField(
        label="Changes in external and internal issues (9.3.2 b)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Markets, customers, regulation, ownership, technology, people: what changed that matters to the "
        "QMS.",
    )
    resources = forms.CharField(
        label="Adequacy of resources (9.3.2 d)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="People, competence, infrastructure, work environment, measuring equipment.",
    )
    risk_actions = forms.CharField(
        label="Effectiveness of actions on risks and opportunities (9.3.2 e)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="How well the actions planned under 6.1 worked.",
    )


class MeetingForm(forms.Form):
    """Record the meeting: once held, the inputs are frozen as they were presented."""

    held_on = forms.DateField(label="Held on", widget=DATE)
    attendees = PeopleChoice(label="Attended", help_text="Who was there. The chair is counted in any case.")
    minutes = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 8}), help_text="What was discussed, input by input, and what was said."
    )
    conclusion = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Is the QMS still suitable, adequate and effective, and aligned with the strategic direction "
        "(9.3.1)? Needed before the chair signs.",
    )

    @classmethod
    def for_review(cls, review: ManagementReview, *, prefix: str) -> MeetingForm:
        attendees = [person.pk for person in review.attendees.all()]
        return cls(
            prefix=prefix,
            initial={
                "held_on": review.held_on or min(review.planned_on, timezone.localdate()),
                "attendees": attendees,
                "minutes": review.minutes,
                "conclusion": review.conclusion,
            },
        )


class ActionFields(forms.Form):
    description = forms.CharField(
        label="Action", widget=forms.Textarea(attrs={"rows": 2}), help_text="What will be done."
    )
    owner = PersonChoice()
    due_date = forms.DateField(widget=DATE)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["due_date"].initial = timezone.localdate() + DEFAULT_DUE


class DecisionForm(forms.Form):
    """A decision of the meeting, with its first action if it calls for one (more can be added to it afterwards)."""

    kind = forms.ChoiceField(
        label="Kind of decision",
        choices=Decision.Kind.choices,
        widget=forms.RadioSelect,
        help_text="The outputs ISO 9001 9.3.3 asks for.",
    )
    text = forms.CharField(label="Decision", widget=forms.Textarea(attrs={"rows": 3}))
    action_description = forms.CharField(
        label="Action (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Leave empty when the decision needs no action, e.g. “no change to the quality policy”.",
    )
    action_owner = PersonChoice(label="Action owner", required=False)
    action_due_date = forms.DateField(label="Action due", widget=DATE, required=False)

    ACTION_FIELDS = ("action_description", "action_owner", "action_due_date")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["action_due_date"].initial = timezone.localdate() + DEFAULT_DUE

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("action_description", "").strip():
            for name in ("action_owner", "action_due_date"):
                if not data.get(name) and name not in self.errors:
                    self.add_error(name, "Needed for the action.")
        return data

    def decision_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in ("kind", "text")]

    def action_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.ACTION_FIELDS]


class NoteForm(forms.Form):
    note = forms.CharField(label="What was done", widget=forms.Textarea(attrs={"rows": 2}))


class ReasonForm(forms.Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}))


class CapaHandoverForm(forms.Form):
    kind = forms.ChoiceField(choices=Capa.Kind.choices, initial=Capa.Kind.CORRECTIVE)
    severity = forms.ChoiceField(choices=Severity.choices, initial=Severity.MEDIUM)


class IdeaHandoverForm(forms.Form):
    category = forms.ChoiceField(choices=Idea.Category.choices, initial=Idea.Category.QUALITY)


class DocumentChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.number} {obj.title}"


class ChangeRequestForm(forms.Form):
    document = DocumentChoice(
        queryset=Document.objects.none(),
        empty_label="Choose a document",
        help_text="The controlled document to change.",
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["document"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Document.objects.visible_to(user).exclude(status=Document.Status.OBSOLETE).order_by("number")


class SignForm(forms.Form):
    password = forms.CharField(
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        strip=False,
        help_text="Your own password, as an electronic signature: you approve this review and its decisions.",
    )
    comment = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
