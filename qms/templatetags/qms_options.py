"""The choices of a register's filter (`qms.web.select_options`), rendered by one rule: every register's selects
wrote the same loop of `<option>`s, and a change to it (escaping, the selected mark) had nine places to go."""

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
