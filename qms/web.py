"""What every browser view does the same way: call a service and turn its refusals into form errors or a 403."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from typing import Any, TypeVar, cast

from django import forms
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, QueryDict

from qms.errors import DomainError, NotAllowed
from qms.versions import StaleVersion, unchanged_since, version_of

Result = TypeVar("Result")


def run_service(form: forms.BaseForm, call: Callable[[], Result]) -> Result | None:
    """Run `call`; a refusal becomes an error on the form (on its field when the service names one), a "not allowed"
    becomes a 403. Returns None when refused, so the view shows the form again with the message.

    For a form made by `versioned`, the call runs only if the record is still at the version the form was opened at;
    otherwise the form shows what changed since, keeps what the person typed, and takes the new version, so saving
    again is a decision made knowing the other person's changes."""
    record = getattr(form, "versioned_record", None)
    try:
        if record is None:
            return call()
        # Taken out, so the service receives the record's fields alone when a view passes the cleaned data on.
        opened_at = form.cleaned_data.pop(VERSION_FIELD, "") or ""
        with unchanged_since(record, {opened_at} if opened_at else set()):
            return call()
    except NotAllowed as refusal:
        raise PermissionDenied(refusal.message) from refusal
    except StaleVersion as stale:
        form.add_error(None, stale.message)
        form.stale_changes = stale.changes  # type: ignore[attr-defined]  # read by qms/partials/form_fields.html
        data = cast(QueryDict, form.data).copy()  # a bound form's data is the request's POST
        data[form.add_prefix(VERSION_FIELD)] = stale.current
        form.data = data
        return None
    except DomainError as refusal:
        field = refusal.field if refusal.field in form.fields else None
        form.add_error(field, refusal.message)
        return None


FormType = TypeVar("FormType", bound=forms.BaseForm)
VERSION_FIELD = "version"


class _VersionField(forms.CharField):
    widget = forms.HiddenInput

    def has_changed(self, initial: Any, data: Any) -> bool:
        return False  # the version is not a change to the record: views that save `changed_data` must not see it


def versioned(form: FormType, record: Any) -> FormType:
    """Make `form` an edit of `record`: a hidden field carries the version the page was opened at, and `run_service`
    will not save over a newer one (see `qms.versions`)."""
    form.fields[VERSION_FIELD] = _VersionField(required=False, initial=version_of(record))
    form.versioned_record = record  # type: ignore[attr-defined]
    return form


def client_ip(request: HttpRequest) -> str | None:
    """The address a signature attempt came from, for the security log."""
    return request.META.get("REMOTE_ADDR")


def csv_safe(value: str) -> str:
    """Spreadsheets run a cell that starts with = + - @ as a formula; a leading quote keeps it text."""
    return "'" + value if value[:1] in {"=", "+", "-", "@", "\t", "\r"} else value


class EchoBuffer:
    """A file-like object whose write returns the line: `csv.writer(EchoBuffer())` yields rows for streaming."""

    def write(self, value: str) -> str:
        return value


def day_param(text: str) -> date | None:
    """An ISO date from the query string, or None when it is missing or not a date (a register's filter is then left
    out rather than refused: a hand-edited link still shows the register)."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def select_options(choices: Iterable[tuple[Any, str]], selected: str) -> list[tuple[str, str, bool]]:
    """(value, label, is selected) of a filter's options, for the `options` template filter (qms_options): which
    choice is selected is decided here, once, rather than by a comparison in every template."""
    return [(str(value), label, str(value) == selected) for value, label in choices]


def people_options(people: QuerySet[Any], selected: str) -> list[tuple[str, str, bool]]:
    """`select_options` of people (an "owner" filter), by the name the app shows everywhere, in name order."""
    people = people.only("first_name", "last_name", "username").order_by("first_name", "last_name", "username")
    return select_options(((person.pk, person.display_name) for person in people), selected)
