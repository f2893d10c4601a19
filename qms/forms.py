from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.password_validation import password_validators_help_texts, validate_password

from qms.models import Department, User
from qms.roles import Role


class UserForm(forms.ModelForm):
    """Creates or edits an account; quality managers only. A new account without a password gets an invitation."""

    roles = forms.MultipleChoiceField(
        choices=Role.choices, widget=forms.CheckboxSelectMultiple, required=False, help_text="What this person may do."
    )
    password = forms.CharField(
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        required=False,
        help_text="Leave empty to email an invitation to set a password instead.",
    )

    class Meta:
        model = User
        fields = ["username", "first_name", "last_name", "email", "job_title", "department", "is_active"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        department_field = self.fields["department"]
        assert isinstance(department_field, forms.ModelChoiceField)
        department_field.queryset = Department.objects.filter(is_active=True)
        self.fields["email"].required = True
        if self.instance.pk:
            self.fields["reason"] = forms.CharField(
                max_length=500, help_text="Why the account changes; kept in its history.", label="Reason for change"
            )
            del self.fields["password"]
            self.fields["username"].disabled = True
            self.initial["roles"] = self.instance.roles
        else:
            self.fields["password"].help_text += " " + " ".join(password_validators_help_texts())
            del self.fields["is_active"]

    def clean_password(self) -> str:
        password: str = self.cleaned_data.get("password", "")
        if password:
            candidate = User(username=self.cleaned_data.get("username", ""), email=self.cleaned_data.get("email", ""))
            validate_password(password, candidate)
        return password


class ReasonForm(forms.Form):
    reason = forms.CharField(max_length=500, widget=forms.TextInput, help_text="Kept in the record's history.")


class DepartmentForm(forms.ModelForm):
    class Meta:
        model = Department
        fields = ["name", "code", "is_active"]
