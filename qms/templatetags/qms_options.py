"""The choices of a register's filter, rendered in one pass.

A register's owner filter lists every person who owns a record (hundreds in a company), and its clause filter the
catalogue's 73 clauses: as a template loop, three nodes an option, those lists cost a register page more than its 50
rows' queries (about 9 ms of the document register's 30)."""

from __future__ import annotations

from collections.abc import Iterable

from django import template
from django.utils.html import format_html_join
from django.utils.safestring import SafeString

register = template.Library()


@register.filter
def options(choices: Iterable[tuple[object, str, bool]]) -> SafeString:
    """`<option>` elements of (value, label, selected) triples, value and label escaped."""
    return format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        ((value, " selected" if selected else "", label) for value, label, selected in choices),
    )
