"""Browser forms of the CAPA module. They check the shape of the input only; every rule of the domain is the
services' (and `Capa.blockers_for`'s), whose refusals `qms.web.run_service` puts next to the field they name."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.db.models import QuerySet
from django.utils import timezone

from audits.models import Audit, Finding
from capa.models import Capa, CauseCategory, Nonconformity
from capa.services import MAX_WHYS
from documents.models import Document
from qms.models import Clause, Department, User
from qms.permissions import STAFF_ROLES

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DEFAULT_DUE = timedelta(days=30)
# Rows of the 5 Whys editor shown without JavaScript: the steps written so far and a few empty ones.
EMPTY_WHY_ROWS = 2
MIN_WHY_ROWS = 5


def default_due_date() -> Any:
    return timezone.localdate() + DEFAULT_DUE


def people() -> QuerySet[User]:
    """Who can own a CAPA or an action: active accounts of the organisation's staff."""
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


class ClauseChoice(forms.ModelChoiceField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("empty_label", "No clause")
        super().__init__(queryset=Clause.objects.all(), required=False, **kwargs)

    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.number} {obj.title}"


class DepartmentChoice(forms.ModelChoiceField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("empty_label", "No department")
        super().__init__(queryset=Department.objects.filter(is_active=True), required=False, **kwargs)


def _limit(form: forms.BaseForm, name: str, queryset: QuerySet[Any]) -> None:
    field = form.fields[name]
    assert isinstance(field, forms.ModelChoiceField)
    field.queryset = queryset


# --- Nonconformity log ----------------------------------------------------------------------------------------------


class NonconformityForm(forms.Form):
    """Anyone reports a nonconformity. A customer complaint names its customer and when they must have an answer;
    the service says so, next to the field, when they are missing.

    A plain form built from the model's fields rather than a ModelForm: a ModelForm would check the table's
    constraints first and answer "Constraint … is violated" where the service explains the rule in words."""

    FIELDS = (
        "title",
        "description",
        "location",
        "source",
        "severity",
        "containment",
        "department",
        "clause",
        "customer",
        "customer_reference",
        "reply_due",
    )
    COMPLAINT_FIELDS = ("customer", "customer_reference", "reply_due")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields.update(
            forms.fields_for_model(
                Nonconformity,
                fields=self.FIELDS,
                widgets={
                    "description": forms.Textarea(attrs={"rows": 4}),
                    "containment": forms.Textarea(attrs={"rows": 3}),
                    "reply_due": DATE,
                },
                labels={"title": "Short title", "description": "What happened", "location": "Where"},
                help_texts={
                    "title": "One line, as it would appear in a register.",
                    "description": "What was found, how many items, batch or order numbers, and how it was noticed.",
                    "location": "Line, site, product or process.",
                    "customer": "Required for a customer complaint.",
                    "customer_reference": "The customer's own number for the complaint, if they gave one.",
                    "reply_due": "Required for a customer complaint: when the customer must have an answer.",
                    "severity": "High: affects product safety, a customer or legal requirements.",
                },
            )
        )
        self.fields["department"] = DepartmentChoice(
            empty_label="Your own department", help_text="The department where it happened."
        )
        self.fields["clause"] = ClauseChoice(
            empty_label="Not known", help_text="The ISO 9001 requirement that was not met, if you know it."
        )

    def main_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if name not in self.COMPLAINT_FIELDS]

    def complaint_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.COMPLAINT_FIELDS]


class NonconformityCloseForm(forms.Form):
    disposition = forms.ChoiceField(
        choices=[("", "Choose…"), *Nonconformity.Disposition.choices],
        required=False,
        help_text="What was done with the nonconforming output (ISO 9001 8.7.1).",
    )
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
        required=False,
        label="Why no corrective action is needed",
        help_text="Kept on the record and sent to the person who reported it.",
    )


class EscalateForm(forms.Form):
    owner = PersonChoice(help_text="Who investigates the cause and sees the actions through. They are told at once.")
    due_date = forms.DateField(widget=DATE, help_text="When the CAPA should be closed.")
    kind = forms.ChoiceField(choices=Capa.Kind.choices, initial=Capa.Kind.CORRECTIVE)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["due_date"].initial = default_due_date()


# --- Opening a CAPA -------------------------------------------------------------------------------------------------


class CapaForm(forms.ModelForm):
    owner = PersonChoice(help_text="Who investigates the cause and sees the actions through. They are told at once.")
    department = DepartmentChoice()
    clause = ClauseChoice()
    findings = forms.ModelMultipleChoiceField(
        queryset=Finding.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text="Audit findings this CAPA answers (those without a CAPA yet); hold Ctrl (⌘ on a Mac) to choose "
        "several. To treat an entry of the nonconformity log, escalate it from its page instead.",
    )

    class Meta:
        model = Capa
        fields = [
            "title",
            "kind",
            "source",
            "severity",
            "problem",
            "containment",
            "owner",
            "department",
            "clause",
            "due_date",
            "findings",
        ]
        widgets = {
            "problem": forms.Textarea(attrs={"rows": 4}),
            "containment": forms.Textarea(attrs={"rows": 3}),
            "due_date": DATE,
        }
        help_texts = {"kind": "Corrective: a problem happened. Preventive: a problem could happen."}

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["due_date"].initial = default_due_date()
        visible = Finding.objects.filter(audit__in=Audit.objects.visible_to(user), capas__isnull=True)
        _limit(self, "findings", visible.select_related("audit").order_by("-created_at"))


class RaiseFromFindingForm(forms.Form):
    owner = PersonChoice(help_text="Who investigates the cause and sees the actions through. They are told at once.")
    due_date = forms.DateField(widget=DATE, help_text="When the CAPA should be closed.")


class CapaEditForm(forms.Form):
    """The description of a CAPA while it is open; the analysis has its own editor."""

    title = forms.CharField(max_length=200)
    problem = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}))
    severity = forms.ChoiceField(choices=Capa.Severity.choices)
    owner = PersonChoice()
    due_date = forms.DateField(widget=DATE)
    department = DepartmentChoice()
    reason = forms.CharField(
        max_length=500, required=False, help_text="Why it changes; kept in the history (a due date moved, say why)."
    )

    @classmethod
    def for_capa(cls, capa: Capa, **kwargs: Any) -> CapaEditForm:
        initial = {name: getattr(capa, name) for name in ("title", "problem", "severity", "due_date")}
        initial |= {"owner": capa.owner_id, "department": capa.department_id}
        return cls(initial=initial, **kwargs)


class ContainmentForm(forms.Form):
    containment = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text="What was done at once to limit the effect (quarantine, sorting, informing the customer).",
    )


class AnalysisForm(forms.Form):
    """The root-cause analysis: a method, its 5 Whys steps or fishbone causes, and the summary.

    The steps and causes come from many inputs (why_0/because_0 …, one textarea per 6M category) and are gathered
    into `root_cause_analysis` in the shape the service checks (`capa.services.clean_analysis`); its refusals are
    shown next to the editor.
    """

    root_cause_method = forms.ChoiceField(
        choices=[("", "Not chosen yet"), *Capa.Method.choices],
        required=False,
        widget=forms.RadioSelect,
        label="Method",
    )
    root_cause = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        label="Root cause",
        help_text="The root cause in one or two sentences: what, if removed, stops the problem from happening again.",
    )
    cause_category = forms.ChoiceField(
        choices=[("", "Not filed yet"), *CauseCategory.choices],
        required=False,
        help_text="Filing causes under the 6M categories lets repeat causes be counted across CAPAs.",
    )
    # Not an input of its own: filled in by clean() from the rows below, so that the service's errors about the
    # analysis have a place on the form.
    root_cause_analysis = forms.Field(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, capa: Capa | None = None, **kwargs: Any) -> None:
        if capa is not None and "initial" not in kwargs:
            kwargs["initial"] = _analysis_initial(capa)
        super().__init__(*args, **kwargs)
        for index in range(MAX_WHYS):
            self.fields[f"why_{index}"] = forms.CharField(required=False, max_length=1000, label=f"Why {index + 1}?")
            self.fields[f"because_{index}"] = forms.CharField(
                required=False, max_length=1000, label=f"Because {index + 1}"
            )
        for value, label in CauseCategory.choices:
            self.fields[f"bone_{value}"] = forms.CharField(
                required=False, max_length=5000, label=label, widget=forms.Textarea(attrs={"rows": 3})
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        method = data.get("root_cause_method", "")
        if method == Capa.Method.FISHBONE:
            data["root_cause_analysis"] = {
                value: [line.strip() for line in data.get(f"bone_{value}", "").splitlines() if line.strip()]
                for value in CauseCategory.values
            }
        else:
            steps = [
                {"why": data.get(f"why_{index}", ""), "because": data.get(f"because_{index}", "")}
                for index in range(MAX_WHYS)
            ]
            data["root_cause_analysis"] = [step for step in steps if step["why"].strip() or step["because"].strip()]
        return data

    def why_rows(self) -> list[dict[str, Any]]:
        """The 5 Whys rows: those written (or submitted) and a few empty ones; the rest are hidden until the page's
        script reveals them (without JavaScript, saving brings more empty rows)."""
        rows = [(self[f"why_{index}"], self[f"because_{index}"]) for index in range(MAX_WHYS)]
        filled = max(
            (index + 1 for index, (why, because) in enumerate(rows) if why.value() or because.value()), default=0
        )
        shown = min(MAX_WHYS, max(MIN_WHY_ROWS, filled + EMPTY_WHY_ROWS))
        return [
            {"number": index + 1, "why": why, "because": because, "hidden": index >= shown}
            for index, (why, because) in enumerate(rows)
        ]

    def summary_fields(self) -> list[forms.BoundField]:
        return [self["root_cause"], self["cause_category"]]

    def bones(self) -> list[forms.BoundField]:
        return [self[f"bone_{value}"] for value in CauseCategory.values]

    def analysis_errors(self) -> list[str]:
        return [str(error) for error in self.errors.get("root_cause_analysis", [])]


def _analysis_initial(capa: Capa) -> dict[str, Any]:
    initial: dict[str, Any] = {
        "root_cause_method": capa.root_cause_method,
        "root_cause": capa.root_cause,
        "cause_category": capa.cause_category,
    }
    analysis = capa.root_cause_analysis
    if capa.root_cause_method == Capa.Method.FIVE_WHYS and isinstance(analysis, list):
        for index, step in enumerate(analysis[:MAX_WHYS]):
            initial[f"why_{index}"] = step.get("why", "")
            initial[f"because_{index}"] = step.get("because", "")
    if capa.root_cause_method == Capa.Method.FISHBONE and isinstance(analysis, dict):
        for value in CauseCategory.values:
            initial[f"bone_{value}"] = "\n".join(analysis.get(value, []))
    return initial


# --- The state machine ----------------------------------------------------------------------------------------------


class AdvanceForm(forms.Form):
    to = forms.ChoiceField(choices=[(step, step) for step in Capa.NEXT_STEP.values()], widget=forms.HiddenInput)
    planned_date = forms.DateField(
        widget=DATE,
        required=False,
        label="Effectiveness check on",
        help_text="When to judge whether the cause is gone. Empty: 90 days after the last action was done.",
    )
    criteria = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=5000,
        label="What will show it worked",
        help_text="For example: no recurrence in 3 months of production records.",
    )


class VerifyForm(forms.Form):
    result = forms.ChoiceField(
        choices=[("effective", "Effective: the cause is gone; close the CAPA"),
                 ("not_effective", "Not effective: back to investigating; the failed check is kept")],
        widget=forms.RadioSelect,
        label="Result of the effectiveness check",
    )  # fmt: skip
    comment = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=5000,
        help_text="What you looked at. Required when the actions did not work.",
    )
    password = forms.CharField(
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text="Your password is your electronic signature as quality manager.",
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), max_length=5000, required=False)


# --- Actions --------------------------------------------------------------------------------------------------------


class ActionForm(forms.Form):
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), label="What will be done", required=False)
    owner = PersonChoice(help_text="They are told, and they report it done with evidence.")
    due_date = forms.DateField(widget=DATE)
    document = forms.ModelChoiceField(
        queryset=Document.objects.none(),
        required=False,
        label="Changes a controlled document",
        empty_label="No document",
        help_text="A change request is opened on it; the action is done when the new revision becomes effective.",
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["due_date"].initial = default_due_date()
        _limit(self, "document", Document.objects.visible_to(user).exclude(status=Document.Status.OBSOLETE))


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (Django's documented recipe); each is checked by content in the service."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(**kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


class CompleteActionForm(forms.Form):
    evidence = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text="What was done, and where it shows (record number, photo, training list).",
    )
    # Named "file" so that the upload checks' refusals (qms.uploads.UploadError) are shown next to it.
    file = MultipleFileField(
        required=False,
        label="Evidence files",
        help_text="Optional. PDF, images, Office or text files; each is checked by its content.",
    )
