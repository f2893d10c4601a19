"""What every browser view does the same way: call a service and turn its refusals into form errors or a 403."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from typing import Any, TypeVar

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from qms.errors import DomainError, NotAllowed

Result = TypeVar("Result")


def run_service(form: forms.BaseForm, call: Callable[[], Result]) -> Result | None:
    """Run `call`; a refusal becomes an error on the form (on its field when the service names one), a "not allowed"
    becomes a 403. Returns None when refused, so the view shows the form again with the message."""
    try:
        return call()
    except NotAllowed as refusal:
        raise PermissionDenied(refusal.message) from refusal
    except DomainError as refusal:
        field = refusal.field if refusal.field in form.fields else None
        form.add_error(field, refusal.message)
        return None


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
    """(value, label, is selected) of a filter's options, made here rather than in the template: a register's
    hundreds of owners and clauses, each resolved through template lookups, cost more than its fifty rows."""
    return [(str(value), label, str(value) == selected) for value, label in choices]
