"""Links that other modules add to a record's page, so a lower module shows them without knowing those modules.

An audit finding is shown by the audits app, which may not import CAPA (a higher floor); the CAPA module registers,
from its AppConfig.ready(), a function that gives a finding's links (its CAPA, or "Raise CAPA"), and the audit page
renders them with `{% record_links "finding" finding %}` (qms/templatetags/qms_links.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal


@dataclass(frozen=True)
class RecordLink:
    label: str
    url: str
    style: Literal["primary", "link"] = "link"


LinkFunction = Callable[[Any, Any], list[RecordLink]]  # (record, user) -> the links this user may follow
_registry: dict[str, list[LinkFunction]] = {}


def register_record_links(kind: str, function: LinkFunction) -> LinkFunction:
    """Add links to every record of `kind` ("finding"). The function must ask no query for a record whose page
    prefetched what it reads, or the page's query count grows with its records."""
    functions = _registry.setdefault(kind, [])
    if function not in functions:
        functions.append(function)
    return function


def links_for(kind: str, record: Any, user: Any) -> list[RecordLink]:
    return [link for function in _registry.get(kind, []) for link in function(record, user)]
