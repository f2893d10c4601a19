from __future__ import annotations

from typing import Any

from django import forms

from audits.models import Audit, ChecklistItem, ChecklistTemplate, Finding
from documents.models import Document
from qms.models import Clause, Department, User
from qms.roles import Role


class _ClauseChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.number} {obj.title}"


class _People(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.display_name} ({obj.department or 'no department'})"


class AuditForm(forms.ModelForm):
    clauses = _ClauseChoices(
        queryset=Clause.objects.all(),
        widget=forms.SelectMultiple(attrs={"size": 10}),
        help_text="The ISO 9001 clauses audited; the checklist starts with a question for each.",
    )
    team = _People(
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Auditors never audit their own department.",
    )
    auditees = _People(queryset=User.objects.none(), required=False, widget=forms.SelectMultiple(attrs={"size": 6}))
    documents = forms.ModelMultipleChoiceField(
        queryset=Document.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text="Controlled documents to audit against.",
    )

    class Meta:
        model = Audit
        fields = [
            "title",
            "scope",
            "department",
            "clauses",
            "documents",
            "lead_auditor",
            "team",
            "auditees",
            "planned_start",
            "planned_end",
        ]
        widgets = {
            "scope": forms.Textarea(attrs={"rows": 3}),
            "planned_start": forms.DateInput(attrs={"type": "date"}),
            "planned_end": forms.DateInput(attrs={"type": "date"}),
        }

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        auditors = User.objects.filter(is_active=True, groups__name=Role.AUDITOR).select_related("department")
        self._limit("lead_auditor", auditors.distinct())
        self._limit("team", auditors.distinct())
        self._limit("auditees", User.objects.filter(is_active=True).select_related("department"))
        self._limit("department", Department.objects.filter(is_active=True))
        self._limit("documents", Document.objects.visible_to(user).filter(status=Document.Status.EFFECTIVE))

    def _limit(self, name: str, queryset: Any) -> None:
        field = self.fields[name]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = queryset

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("planned_start"), data.get("planned_end")
        if start and end and end < start:
            self.add_error("planned_end", "The planned end is before the planned start.")
        return data


class ChecklistAnswerForm(forms.Form):
    result = forms.ChoiceField(choices=ChecklistItem.Result.choices, required=False)
    notes = forms.CharField(required=False, max_length=10000)


class FindingForm(forms.ModelForm):
    class Meta:
        model = Finding
        fields = ["type", "clause", "statement", "requirement", "evidence", "department"]
        widgets = {
            "statement": forms.Textarea(attrs={"rows": 2}),
            "requirement": forms.Textarea(attrs={"rows": 2}),
            "evidence": forms.Textarea(attrs={"rows": 2}),
        }


class ConclusionForm(forms.Form):
    conclusion = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}), max_length=10000, help_text="The overall conclusion of the audit."
    )


class CloseForm(forms.Form):
    password = forms.CharField(
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text="Your password is your electronic signature as lead auditor.",
    )
    comment = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=5000)


class CancelForm(forms.Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), max_length=5000)


class _ClauseChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.number} {obj.title}"


class ChecklistTemplateForm(forms.ModelForm):
    clause = _ClauseChoice(queryset=Clause.objects.all())

    class Meta:
        model = ChecklistTemplate
        fields = ["clause", "question", "order", "is_active"]
        widgets = {"question": forms.Textarea(attrs={"rows": 2})}
        help_texts = {
            "order": "Questions of a clause are asked in this order.",
            "is_active": "Used for new checklists.",
        }


class EvidenceForm(forms.Form):
    file = forms.FileField(help_text="A photo, scan or record: PDF, images, Office or text files. Checked by content.")
