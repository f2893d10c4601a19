"""The audit trail, read back: who changed what, when and why, field by field, for any history-tracked record.

Writes are recorded by django-simple-history. Services say who acted and why with `stamp()` before saving; in a web
request the acting user is also known through simple-history's middleware. This module turns history rows into
entries for the one history view (browser) and the `history` action (API).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from django.db import models

ACTIONS = {"+": "created", "~": "changed", "-": "deleted"}


def stamp(instance: models.Model, *, actor: Any, reason: str) -> None:
    """Name the acting user and the reason on the history row that the next save of `instance` writes."""
    instance._history_user = actor  # type: ignore[attr-defined]
    instance._change_reason = reason  # type: ignore[attr-defined]


@dataclass
class FieldChange:
    field: str
    label: str
    old: str
    new: str


@dataclass
class HistoryEntry:
    at: datetime
    user: Any
    action: str
    record: str
    reason: str
    changes: list[FieldChange] = field(default_factory=list)

    @property
    def user_name(self) -> str:
        return self.user.display_name if self.user is not None else "system"


def history_of(*records: models.Model) -> list[HistoryEntry]:
    """Every history entry of the given records, newest first (a document and its revisions read as one story)."""
    entries: list[HistoryEntry] = []
    for record in records:
        rows = list(record.history.select_related("history_user").order_by("history_date", "history_id"))  # type: ignore[attr-defined]
        entries.extend(_entries_for_rows(rows, label=str(record)))
    entries.sort(key=lambda entry: entry.at, reverse=True)
    return entries


def _entries_for_rows(rows: list[Any], *, label: str) -> list[HistoryEntry]:
    entries = []
    previous = None
    for row in rows:
        if previous is None or row.history_type == "+":
            changes = _initial_values(row)
        else:
            changes = _changes_between(previous, row)
        if row.history_type == "~" and previous is not None and not changes:
            # A save that changed nothing tracked (e.g. only an excluded field); nothing to show an auditor.
            previous = row
            continue
        entries.append(
            HistoryEntry(
                at=row.history_date,
                user=row.history_user,
                action=ACTIONS[row.history_type],
                record=label,
                reason=row.history_change_reason or "",
                changes=changes,
            )
        )
        previous = row
    return entries


def _changes_between(old: Any, new: Any) -> list[FieldChange]:
    delta = new.diff_against(old, foreign_keys_are_objs=False)
    model = new.instance_type
    changes = []
    for change in delta.changes:
        model_field = model._meta.get_field(change.field)
        changes.append(
            FieldChange(
                field=change.field,
                label=str(getattr(model_field, "verbose_name", change.field)).capitalize(),
                old=_display(model_field, change.old),
                new=_display(model_field, change.new),
            )
        )
    return changes


def _initial_values(row: Any) -> list[FieldChange]:
    """A created record's first values, so its history shows what it started as, not only what changed later."""
    model = row.instance_type
    tracked = {f.name for f in model._meta.fields} - {model._meta.pk.name}
    values = []
    for history_field in row._meta.fields:
        if history_field.name not in tracked:
            continue
        model_field = model._meta.get_field(history_field.name)
        value = getattr(row, history_field.attname)
        if value in (None, "", False):
            continue
        values.append(
            FieldChange(
                field=model_field.name,
                label=str(model_field.verbose_name).capitalize(),
                old="—",
                new=_display(model_field, value),
            )
        )
    return values


def _display(model_field: Any, value: Any) -> str:
    """A value as a person reads it: choice labels, related records by name, lists of related records."""
    if value is None or value == "":
        return "—"
    if isinstance(value, list) and model_field.many_to_many:  # a list of through-row dicts
        related = model_field.related_model
        ids = [_through_target_id(item, model_field) for item in value]
        names = {obj.pk: str(obj) for obj in related._default_manager.filter(pk__in=ids)}
        return ", ".join(sorted(names.get(pk, f"#{pk}") for pk in ids)) or "—"
    if getattr(model_field, "choices", None):
        return str(dict(model_field.flatchoices).get(value, value))
    if model_field.is_relation and model_field.many_to_one:
        obj = model_field.related_model._default_manager.filter(pk=value).first()
        return str(obj) if obj is not None else f"#{value}"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (list, dict)):  # a JSON field, e.g. a CAPA's 5 Whys
        return json.dumps(value, ensure_ascii=False) if value else "—"
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    return str(value)


def _through_target_id(item: dict[str, Any], model_field: Any) -> Any:
    target = model_field.m2m_reverse_field_name()
    return item.get(target)


def entries_as_dicts(entries: Iterable[HistoryEntry]) -> list[dict[str, Any]]:
    """The API form of history entries: `[{at, user, action, record, changes, reason}]` (spec/api.md)."""
    return [
        {
            "at": entry.at,
            "user": None if entry.user is None else {"id": entry.user.pk, "username": entry.user.username},
            "action": entry.action,
            "record": entry.record,
            "changes": [{"field": c.field, "old": c.old, "new": c.new} for c in entry.changes],
            "reason": entry.reason,
        }
        for entry in entries
    ]
