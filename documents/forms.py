from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.models import Group
from django.utils import timezone

from documents.models import Document, DocumentType
from qms.models import Clause, Department, User
from qms.roles import Role


class _ClauseChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.number} {obj.title}"


class DocumentForm(forms.ModelForm):
    """Registering or editing a document's metadata (not its content, which is in revisions)."""

    clauses = _ClauseChoiceField(
        queryset=Clause.objects.all(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text="The ISO 9001 clauses this document answers. Hold Ctrl (or Cmd) to pick several.",
    )
    distribution_departments = forms.ModelMultipleChoiceField(
        queryset=Department.objects.filter(is_active=True),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Must be read by departments",
    )
    distribution_roles = forms.ModelMultipleChoiceField(
        queryset=Group.objects.filter(name__in=Role.values),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Must be read by roles",
    )

    class Meta:
        model = Document
        fields = [
            "document_type",
            "title",
            "owner",
            "department",
            "clauses",
            "distribution_departments",
            "distribution_roles",
            "restricted",
            "review_period_months",
        ]
        help_texts = {"review_period_months": "How often the owner reviews it. Leave the type's default if unsure."}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._limit("document_type", DocumentType.objects.filter(is_active=True))
        self._limit("owner", User.objects.filter(is_active=True))
        self._limit("department", Department.objects.filter(is_active=True))
        roles = self.fields["distribution_roles"]
        assert isinstance(roles, forms.ModelMultipleChoiceField)
        roles.label_from_instance = lambda group: str(dict(Role.choices).get(group.name, group.name))  # type: ignore[method-assign,assignment]
        self.fields["review_period_months"].required = False
        if self.instance.pk:
            del self.fields["document_type"]
            self.fields["reason"] = forms.CharField(
                max_length=500, label="Reason for change", help_text="Kept in the document's history."
            )

    def _limit(self, name: str, queryset: Any) -> None:
        field = self.fields[name]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = queryset


class RevisionUploadForm(forms.Form):
    file = forms.FileField(
        help_text="PDF, Word (DOCX), Excel (XLSX), OpenDocument, images, Markdown or plain text. Checked by content."
    )
    change_summary = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), max_length=5000, help_text="What changes and why, for the readers."
    )


class ReplaceFileForm(forms.Form):
    file = forms.FileField(help_text="Replaces the draft's file. Possible until the draft is submitted.")


class SubmitForm(forms.Form):
    approvers = forms.ModelMultipleChoiceField(
        queryset=User.objects.none(), widget=forms.CheckboxSelectMultiple, help_text="Each must sign to approve."
    )
    effective_date = forms.DateField(
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Leave empty to make it effective as soon as the last approver signs.",
    )

    def __init__(self, *args: Any, author: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["approvers"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        # Anyone who works in the QMS may approve, except the author.
        field.queryset = (
            User.objects.filter(is_active=True, groups__name__in=[Role.QUALITY_MANAGER, Role.EMPLOYEE])
            .exclude(pk=author.pk)
            .distinct()
            .order_by("last_name", "first_name")
        )
        field.label_from_instance = lambda user: f"{user.display_name} ({user.job_title or user.username})"  # type: ignore[method-assign,assignment]

    def clean_effective_date(self) -> Any:
        value = self.cleaned_data.get("effective_date")
        if value and value < timezone.localdate():
            raise forms.ValidationError("The effective date cannot be in the past.")
        return value


class SignatureForm(forms.Form):
    """Re-enter your password to sign. The meaning of the signature is stated next to the button."""

    password = forms.CharField(
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text="Your own password: it is your electronic signature.",
    )
    comment = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=5000)


class ApproveForm(SignatureForm):
    effective_date = forms.DateField(
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Optional: a later date from which the revision is in force.",
    )


class RejectForm(SignatureForm):
    comment = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), max_length=5000, help_text="What must change before you can approve."
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), max_length=5000)


class ChangeRequestForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
        label="What should change, and why?",
    )


class DocumentTypeForm(forms.ModelForm):
    class Meta:
        model = DocumentType
        fields = ["code", "name", "default_review_period_months", "is_active"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["code"].disabled = True
            self.fields["code"].help_text = "The prefix is part of existing numbers and cannot change."
