"""`{% record_links "finding" finding %}`: the links other modules registered for a record (see qms/links.py)."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from qms.links import RecordLink, links_for

register = template.Library()


@register.simple_tag(takes_context=True)
def record_links(context: template.Context, kind: str, record: Any) -> SafeString:
    """The links for the request's user, or an empty string when there are none, so that
    `{% record_links "finding" finding as links %}{% if links %}…{% endif %}` leaves out the markup around them."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return SafeString("")
    return format_html_join(" ", "{}", ((_render(link),) for link in links_for(kind, record, user)))


def _render(link: RecordLink) -> SafeString:
    if link.style == "primary":
        return format_html('<a class="button" href="{}">{}</a>', link.url, link.label)
    return format_html('<a href="{}">{}</a>', link.url, link.label)
