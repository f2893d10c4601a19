"""Optimistic concurrency: two people editing the same record cannot silently overwrite each other.

A record's version is the id of its latest history row. Every change to a record writes one (the style's rule), so the
version changes with every write and needs no column of its own. An edit carries the version it started from (a hidden
field in a browser form, `If-Match` in the API); `unchanged_since` takes the record's row lock and refuses the write
with `StaleVersion` when a newer history row exists, naming who changed what since, so the person can look before
deciding to save over it.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import models, transaction

from qms.errors import ConflictError

ANY_VERSION = "*"


def version_of(record: models.Model) -> str:
    """The record's current version: its latest history row's id ("0" for a record without history yet)."""
    history = record.history  # type: ignore[attr-defined]  # every record has `history = HistoricalRecords()`
    latest = history.order_by("-history_id").values_list("history_id", flat=True).first()
    return str(latest or 0)


@dataclass(frozen=True)
class FieldChange:
    label: str
    before: str
    after: str


@dataclass(frozen=True)
class Change:
    """One save by someone else: who, when, why, and the fields it changed."""

    who: str
    when: datetime
    reason: str
    fields: list[FieldChange]


class StaleVersion(ConflictError):
    """The record changed after the version the edit started from (HTTP 412 in the API; the form shows the changes)."""

    def __init__(self, record: models.Model, expected: str) -> None:
        # Not named by `str(record)`: a form has already put the person's unsaved values on the instance.
        self.current = version_of(record)
        self.changes = changes_since(record, expected)
        names = sorted({change.who for change in self.changes}) or ["someone else"]
        super().__init__(
            f"This {record._meta.verbose_name} was changed by {', '.join(names)} after you opened it. "
            "Nothing was saved. Look at what changed; to keep your version anyway, save again."
        )


@contextmanager
def unchanged_since(record: models.Model, accepted: Collection[str]) -> Iterator[None]:
    """Hold the record's row lock until the block ends, and raise `StaleVersion` unless its version is one of
    `accepted` (empty, or "*", accepts any). The block's service re-locks the same row, which costs nothing."""
    with transaction.atomic():
        check = bool(accepted) and ANY_VERSION not in accepted
        if check:
            list(type(record)._base_manager.select_for_update().filter(pk=record.pk).only("pk"))
            if version_of(record) not in accepted:
                raise StaleVersion(record, min(accepted, key=_as_number))
        yield


def changes_since(record: models.Model, version: str) -> list[Change]:
    """The saves after `version`, oldest first, each with the fields it changed (before and after, readable)."""
    history = record.history  # type: ignore[attr-defined]
    since = _as_number(version)
    previous = history.filter(history_id__lte=since).order_by("-history_id").first()
    changes = []
    for row in history.filter(history_id__gt=since).select_related("history_user").order_by("history_id"):
        fields = _changed_fields(previous, row) if previous is not None else []
        user = row.history_user
        who = (user.get_full_name() or user.username) if user is not None else "the system"
        changes.append(Change(who=who, when=row.history_date, reason=row.history_change_reason or "", fields=fields))
        previous = row
    return changes


def _changed_fields(before: Any, after: Any) -> list[FieldChange]:
    delta = after.diff_against(before)
    model = after.instance_type
    changed = []
    for change in delta.changes:
        field = model._meta.get_field(change.field)
        if not field.editable:
            continue  # derived values (a search text, a counter) are not what a person edited
        label = str(field.verbose_name).capitalize()
        if field.many_to_many:
            changed.append(FieldChange(label, "", "changed"))
        else:
            changed.append(FieldChange(label, _shown(before, field), _shown(after, field)))
    return changed


def _shown(row: Any, field: models.Field[Any, Any]) -> str:
    value = getattr(row, field.attname)
    if value is None or value == "":
        return "—"
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if field.is_relation:
        try:
            return str(getattr(row, field.name))
        except field.related_model.DoesNotExist:  # type: ignore[union-attr]  # a relation has a related model
            return str(value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def _as_number(version: str) -> int:
    return int(version) if version.isdigit() else 0
