"""The ISO 9001:2015 clause catalogue and what links to it.

Records of every module point at clauses (a document's clauses, an audit's criteria, a finding's clause). The clause
browser lists them per clause. The modules register their linked records here from AppConfig.ready(), since the shared
base may not import them.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db.models import QuerySet

CATALOGUE_PATH = Path(__file__).resolve().parent / "data" / "iso9001_2015_clauses.csv"


@dataclass(frozen=True)
class CatalogueRow:
    number: str
    title: str
    parent: str
    documented_information: str


def read_catalogue(path: Path = CATALOGUE_PATH) -> list[CatalogueRow]:
    with path.open(newline="", encoding="utf-8") as handle:
        return [
            CatalogueRow(
                number=row["clause"].strip(),
                title=row["title"].strip(),
                parent=(row["parent"] or "").strip(),
                documented_information=(row["documented_information"] or "").strip(),
            )
            for row in csv.DictReader(handle)
        ]


@dataclass(frozen=True)
class LinkedRecords:
    """One kind of record that links to clauses, e.g. "Controlled documents"."""

    label: str
    records_for: Callable[[Any, Any], QuerySet[Any]]  # (clause, user) -> the records this user may see
    empty_text: str


_linked: list[LinkedRecords] = []


def register_linked_records(linked: LinkedRecords) -> None:
    if linked not in _linked:
        _linked.append(linked)


def linked_records() -> Iterable[LinkedRecords]:
    return tuple(_linked)
