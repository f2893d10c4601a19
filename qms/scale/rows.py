"""Rows as the generators make them, before a writer puts them in the database.

A row is a dict keyed by the model's attribute names (`document_id`, not `document`), with its primary key already
chosen: ids come from `Ids`, which counts on from the largest id in each table, so rows can refer to each other
before anything is written, and the PostgreSQL writer can COPY them without asking the database for ids.

History rows are made here too, since django-simple-history records nothing for rows it does not see saved: each
one copies the record's row with the values it had at that moment, and the m2m snapshots the record's links had.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime
from functools import cache
from typing import Any

from django.apps import apps
from django.db import models
from django.db.models import Max

Row = dict[str, Any]
ModelType = type[models.Model]


class Ids:
    """Primary keys handed out per model, after the largest one already in its table."""

    def __init__(self) -> None:
        self._next: dict[ModelType, int] = {}

    def next(self, model: ModelType) -> int:
        value = self._next.get(model)
        if value is None:
            pk = model._meta.pk
            assert pk is not None
            largest = model._base_manager.aggregate(largest=Max(pk.attname))["largest"]
            value = (largest or 0) + 1
        self._next[model] = value + 1
        return value


class Rows:
    """The rows of one chunk, per model, in the order models first appear (parents before children)."""

    def __init__(self, ids: Ids) -> None:
        self.ids = ids
        self.by_model: dict[ModelType, list[Row]] = defaultdict(list)

    def __len__(self) -> int:
        return sum(len(rows) for rows in self.by_model.values())

    def add(self, model: ModelType, **values: Any) -> Row:
        """A new row with the next id of its model."""
        pk = model._meta.pk
        assert pk is not None
        row: Row = {pk.attname: self.ids.next(model), **values}
        self.by_model[model].append(row)
        return row

    def history(
        self,
        model: ModelType,
        row: Row,
        *,
        when: datetime,
        user: int | None,
        reason: str,
        kind: str = "+",
        **then: Any,
    ) -> int:
        """A history row of `row` as it was at `when` (its current values, changed by `then`); returns its id."""
        historical = _historical(model)
        history_id = self.ids.next(historical)
        self.by_model[historical].append(
            {
                **row,
                **then,
                "history_id": history_id,
                "history_date": when,
                "history_change_reason": reason,
                "history_type": kind,
                "history_user_id": user,
            }
        )
        return history_id

    def link(self, model: ModelType, field_name: str, owner_id: int, target_ids: Iterable[int]) -> list[Row]:
        """Rows of a many-to-many table: `owner_id` linked to each target."""
        through, source, target = _m2m(model, field_name)
        return [self.add(through, **{source: owner_id, target: target_id}) for target_id in target_ids]

    def snapshot(self, model: ModelType, field_name: str, links: list[Row], history_id: int) -> None:
        """The links as a history row of their owner saw them (simple-history keeps them per history row)."""
        historical = _historical_m2m(model, field_name)
        rows = self.by_model[historical]
        for link in links:
            rows.append({**link, "history_id": history_id, "m2m_history_id": self.ids.next(historical)})


@cache
def _historical(model: ModelType) -> ModelType:
    # Cached: reading `model.history` builds a new manager class each time, which costs more than the whole row.
    historical: ModelType = model.history.model  # type: ignore[attr-defined]
    return historical


@cache
def _m2m(model: ModelType, field_name: str) -> tuple[ModelType, str, str]:
    field = model._meta.get_field(field_name)
    assert isinstance(field, models.ManyToManyField)
    through = field.remote_field.through
    assert through is not None and not isinstance(through, str)
    return through, field.m2m_column_name(), field.m2m_reverse_name()


@cache
def _historical_m2m(model: ModelType, field_name: str) -> ModelType:
    """simple-history names the table of a tracked m2m field `Historical<Model>_<field>`."""
    return apps.get_model(model._meta.app_label, f"Historical{model.__name__}_{field_name}")
