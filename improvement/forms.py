"""Browser forms of the improvement module. They check the shape of the input only; every rule of the domain is the
services' (and `Idea.blockers_for`'s), whose refusals `qms.web.run_service` puts next to the field they name."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.db.models import QuerySet
from django.urls import reverse

from documents.models import Document
from improvement.models import Idea
from qms.models import Department, User
from qms.permissions import STAFF_ROLES
from qms.uploads import ALLOWED_TYPES

# The file picker offers the kinds the upload checks accept; "image/*" lets a phone offer its camera.
ACCEPT = ",".join(["image/*", *(extension for kind in ALLOWED_TYPES.values() for extension in kind.extensions)])


def people() -> QuerySet[User]:
    """Who can champion an idea: active accounts of the organisation's staff."""
    return (
        User.objects.filter(is_active=True, groups__name__in=[str(role) for role in STAFF_ROLES])
        .select_related("department")
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


class PersonChoice(forms.ModelChoiceField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(queryset=people(), **kwargs)

    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.display_name} ({obj.department or 'no department'})"


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (Django's documented recipe); each is checked by content in the service."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ACCEPT}))
        super().__init__(**kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


# --- Submitting -----------------------------------------------------------------------------------------------------


class IdeaForm(forms.Form):
    """An idea in under a minute: the four texts, a category, a department, and optionally anonymity and files."""

    title = forms.CharField(
        max_length=200,
        help_text="One line, as it would appear on the board.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "enterkeyhint": "next"}),
    )
    problem = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=10_000,
        label="What is the problem today?",
        help_text="What goes wrong, takes too long or could be better.",
    )
    proposal = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=10_000,
        label="What do you suggest?",
    )
    expected_benefit = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=10_000,
        required=False,
        label="What would it bring?",
        help_text="Optional: time saved, fewer defects, safer work, happier customers …",
    )
    category = forms.ChoiceField(choices=Idea.Category.choices, initial=Idea.Category.QUALITY)
    department = forms.ModelChoiceField(
        queryset=Department.objects.filter(is_active=True),
        required=False,
        empty_label="Not said",
        help_text="Where the idea would apply.",
    )
    anonymous = forms.BooleanField(
        required=False,
        label="Submit anonymously",
        help_text="No name is stored anywhere, not even in the history, so nobody can tell it was you, and you will "
        "not be notified when it moves: follow it on the board. Leave the department out if it would point to you.",
    )
    # Named "file" so that the upload checks' refusals (qms.uploads.UploadError) are shown next to it.
    file = MultipleFileField(
        required=False,
        label="Photos or files",
        help_text="Optional. Photos, PDF, Office or text files; each is checked by its content. File names are kept.",
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["department"].initial = user.department_id
        # While the title or the proposal is typed, HTMX asks for similar ideas (improvement:similar).
        for name in ("title", "proposal"):
            self.fields[name].widget.attrs.update(
                {
                    "hx-get": reverse("improvement:similar"),
                    "hx-trigger": "input changed delay:500ms",
                    "hx-target": "#similar-ideas",
                    "hx-include": "[name='title'], [name='proposal']",
                    "hx-sync": "closest form:queue last",
                }
            )

    def service_arguments(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["files"] = data.pop("file")
        return data


# --- Comments and notes ---------------------------------------------------------------------------------------------


class CommentForm(forms.Form):
    body = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,  # the service says "Write something." next to the box
        label="Comment",
        help_text="Markdown; @username notifies that person.",
    )


class PlanNotesForm(forms.Form):
    target_metric = forms.CharField(max_length=200, required=False, help_text="What will be measured.")
    baseline = forms.CharField(max_length=200, required=False, help_text="Its value today.")
    target = forms.CharField(max_length=200, required=False, help_text="The value aimed for.")
    plan_notes = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), required=False, label="Plan", help_text="What will be tried, where."
    )


class DoNotesForm(forms.Form):
    do_notes = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        label="What was tried",
        help_text="What was tried, where, and when.",
    )


class CheckNotesForm(forms.Form):
    measured_result = forms.CharField(
        max_length=200, required=False, help_text="The metric's value after the trial, to compare with the target."
    )
    check_notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False, label="Check notes")


class ActNotesForm(forms.Form):
    act_notes = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        label="Act notes",
        help_text="How the change becomes the standard way of working, or what the next cycle tries.",
    )
    no_document_change_reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        label="No document changes because …",
        help_text="Only when no controlled document needs to change; otherwise request a document change below.",
    )
    benefit_unit = forms.ChoiceField(
        choices=[("", "Not measured yet"), *Idea.BenefitUnit.choices], required=False, label="Measured benefit: unit"
    )
    benefit_amount = forms.DecimalField(
        max_digits=12, decimal_places=2, min_value=0, required=False, label="Measured benefit: amount"
    )
    benefit_notes = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), required=False, label="How the benefit was measured"
    )


# The notes form of each stage; the fields match `improvement.services.STAGE_FIELDS`.
NOTES_FORMS: dict[str, type[forms.Form]] = {
    Idea.Stage.ACCEPTED: PlanNotesForm,
    Idea.Stage.PLAN: PlanNotesForm,
    Idea.Stage.DO: DoNotesForm,
    Idea.Stage.CHECK: CheckNotesForm,
    Idea.Stage.ACT: ActNotesForm,
}


def notes_form(idea: Idea, data: Any = None) -> forms.Form | None:
    """The form of the notes the idea's current stage writes, filled with what is written so far."""
    form_class = NOTES_FORMS.get(idea.stage)
    if form_class is None:
        return None
    initial = {name: getattr(idea, name) for name in form_class.base_fields}
    return form_class(data, initial=initial, prefix="notes")


# --- Moving ---------------------------------------------------------------------------------------------------------


class AdvanceForm(forms.Form):
    """One move. Any stage is accepted here; `Idea.blockers_for` (through the service) says whether it is allowed."""

    to = forms.ChoiceField(choices=Idea.Stage.choices, label="Move to")
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=5000,
        required=False,
        label="Note",
        help_text="Kept with the move, in the idea's story.",
    )
    champion = PersonChoice(
        required=False,
        empty_label="Me",
        help_text="When accepting: who runs the idea through Plan-Do-Check-Act.",
    )


class DocumentChangeForm(forms.Form):
    document = forms.ModelChoiceField(
        queryset=Document.objects.none(),
        empty_label="Choose a document",
        help_text="The controlled document that makes the change the standard way of working.",
    )
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=5000,
        required=False,
        label="What should change",
        help_text="Empty: the idea's proposal is sent as the reason.",
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["document"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Document.objects.visible_to(user).exclude(status=Document.Status.OBSOLETE).order_by("number")
