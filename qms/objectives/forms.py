"""Browser forms of quality objectives. They check the shape of the input only; the rules are the services', whose
refusals `qms.web.run_service` puts next to the field they name.

Plain forms rather than ModelForms: a ModelForm would check the table's constraints first and answer "Constraint …
is violated" where the service explains the rule in words.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone

from qms.models import Clause, Department, User
from qms.objectives.models import VALUE_DIGITS, VALUE_PLACES, Objective
from qms.objectives.services import DEFAULT_CLAUSE
from qms.permissions import STAFF_ROLES

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DEFAULT_SPAN = timedelta(days=365)


def people() -> QuerySet[User]:
    """Who can own an objective: active accounts of the organisation's staff (they enter its values)."""
    return (
        User.objects.filter(is_active=True, groups__name__in=[str(role) for role in STAFF_ROLES])
        .select_related("department")
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


class PersonChoice(forms.ModelChoiceField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("empty_label", "Choose a person")
        super().__init__(queryset=people(), **kwargs)

    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.display_name} ({obj.department or 'no department'})"


class ClauseChoices(forms.ModelMultipleChoiceField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(
            queryset=Clause.objects.all(),
            required=False,
            widget=forms.SelectMultiple(attrs={"size": 6}),
            **kwargs,
        )

    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.number} {obj.title}"


def _value_field(**kwargs: Any) -> forms.DecimalField:
    return forms.DecimalField(
        max_digits=VALUE_DIGITS,
        decimal_places=VALUE_PLACES,
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
        **kwargs,
    )


SOURCE_HELP = (
    "Entered by hand: the owner enters each value. A computed metric is taken from the records every day (and month "
    "by month back to the start date) and is a percentage where higher is better."
)


FIELD_GROUPS = (
    ("The objective", ("title", "description", "owner", "department", "clauses")),
    ("How it is measured", ("source", "metric", "unit", "direction")),
    ("Target and dates", ("baseline", "target", "start_date", "due_date")),
    ("Why it changes", ("reason",)),
)


class ObjectiveForm(forms.Form):
    """Setting an objective (and, with `editing`, changing it: then a reason is asked and the source stays)."""

    title = forms.CharField(max_length=200, help_text="What is to be achieved, in a line: Fewer customer complaints.")
    description = forms.CharField(
        label="Why it matters",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="The customer requirement, risk or policy commitment behind it, and how it will be achieved.",
    )
    source = forms.ChoiceField(label="Values come from", choices=Objective.Source.choices, help_text=SOURCE_HELP)
    metric = forms.CharField(
        max_length=200,
        required=False,
        help_text="What is measured: Customer complaints per month. For a computed metric, leave it empty.",
    )
    unit = forms.CharField(
        max_length=40, required=False, help_text="%, complaints, days, ppm … For a computed metric, leave it empty."
    )
    direction = forms.ChoiceField(
        choices=[("", "Choose…"), *Objective.Direction.choices],
        required=False,
        help_text="Whether a higher or a lower value is better. A computed metric: higher.",
    )
    target = _value_field(help_text="The value to reach by the due date.")
    baseline = _value_field(
        required=False, help_text="Where the metric stands now. With it, the trend shows the planned path."
    )
    start_date = forms.DateField(widget=DATE, help_text="From when values count.")
    due_date = forms.DateField(widget=DATE, help_text="By when the target should be reached.")
    owner = PersonChoice(help_text="Who sees it through and enters its values. They are told at once.")
    department = forms.ModelChoiceField(
        queryset=Department.objects.filter(is_active=True), required=False, empty_label="The whole organisation"
    )
    clauses = ClauseChoices(
        help_text=f"ISO 9001 clauses it is evidence for; {DEFAULT_CLAUSE} when none is chosen. Hold Ctrl (⌘ on a "
        "Mac) to choose several."
    )

    def __init__(self, *args: Any, editing: Objective | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.editing = editing
        if editing is None:
            today = timezone.localdate()
            self.fields["start_date"].initial = today
            self.fields["due_date"].initial = today + DEFAULT_SPAN
            self.fields["clauses"].initial = list(
                Clause.objects.filter(number=DEFAULT_CLAUSE).values_list("pk", flat=True)
            )
            return
        del self.fields["source"]
        if editing.is_computed:
            for name in ("metric", "unit", "direction"):
                del self.fields[name]
        else:
            for name in ("metric", "unit"):
                self.fields[name].required = True
                self.fields[name].help_text = self.fields[name].help_text.split(" For a computed")[0]
            self.fields["direction"].help_text = "Whether a higher or a lower value is better."
        self.fields["reason"] = forms.CharField(
            label="Reason for the change",
            max_length=500,
            help_text="Kept in the objective's history, with what changed.",
        )

    @classmethod
    def for_objective(cls, objective: Objective, data: Any = None) -> ObjectiveForm:
        initial = {
            name: getattr(objective, name)
            for name in (
                "title",
                "description",
                "metric",
                "unit",
                "direction",
                "target",
                "baseline",
                "start_date",
                "due_date",
                "owner",
                "department",
            )
        }
        initial["clauses"] = list(objective.clauses.values_list("pk", flat=True))
        return cls(data, editing=objective, initial=initial)

    def groups(self) -> list[tuple[str, list[forms.BoundField]]]:
        """The fields in the groups the page shows them in, each under its legend."""
        return [
            (legend, [self[name] for name in names if name in self.fields])
            for legend, names in FIELD_GROUPS
            if any(name in self.fields for name in names)
        ]

    def changes(self) -> dict[str, Any]:
        """What the service is asked to change: the fields of this form, without the reason."""
        return {name: value for name, value in self.cleaned_data.items() if name != "reason"}


class MeasurementForm(forms.Form):
    measured_on = forms.DateField(
        label="Date", widget=DATE, help_text="The day the value describes; not in the future."
    )
    value = _value_field()
    note = forms.CharField(
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Where the value comes from, or what explains it.",
    )

    def __init__(self, *args: Any, objective: Objective, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["measured_on"].initial = timezone.localdate()
        self.fields["value"].label = f"Value ({objective.unit})"
        self.fields["value"].help_text = f"{objective.metric}; target {_plain(objective.target)} {objective.unit}."


def _plain(value: Any) -> str:
    return f"{value.normalize():f}"


class CloseForm(forms.Form):
    outcome = forms.ChoiceField(
        choices=[(value, label) for value, label in Objective.Status.choices if value != Objective.Status.ACTIVE],
        widget=forms.RadioSelect,
        help_text="Achieved needs a recorded value that meets the target.",
    )
    reason = forms.CharField(
        label="Evaluation",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What the result was and what follows from it (a new objective, a CAPA, nothing). Kept on the "
        "record; the objective no longer changes after this.",
    )
