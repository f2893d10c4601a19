"""How the objectives' pages write values: 95 %, 2.5 complaints, no trailing zeros."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template

from qms.objectives.chart import plain, with_unit

register = template.Library()


@register.filter
def amount(value: Any) -> str:
    """A value without trailing zeros (95.000 → 95); a dash for none."""
    if value is None or value == "":
        return "—"
    return plain(Decimal(str(value)))


@register.filter
def in_unit(value: Any, unit: str) -> str:
    """A value with its unit (95 %, 4 complaints); a dash for none."""
    if value is None or value == "":
        return "—"
    return with_unit(Decimal(str(value)), unit)
