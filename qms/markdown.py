"""Markdown that people type (comments), rendered to HTML that cannot carry a script.

Python-Markdown turns the text into HTML (raw HTML in the input is escaped, not passed through); nh3 (ammonia) then
keeps only the tags and attributes below, and links get `rel="noopener noreferrer nofollow"`. Two layers, because
either alone has been bypassed in other products.
"""

from __future__ import annotations

import markdown as _markdown
import nh3
from django.utils.safestring import SafeString, mark_safe

ALLOWED_TAGS = {
    "p", "br", "strong", "em", "code", "pre", "blockquote", "ul", "ol", "li", "a", "h3", "h4", "hr",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
ALLOWED_SCHEMES = {"http", "https", "mailto"}


class _EscapeRawHtml(_markdown.Extension):
    """Raw HTML in the text is shown as text, never interpreted."""

    def extendMarkdown(self, md: _markdown.Markdown) -> None:
        md.preprocessors.deregister("html_block")
        md.inlinePatterns.deregister("html")


def render_markdown(text: str) -> SafeString:
    """`text` as sanitised HTML, safe to put in a page as it is."""
    html = _markdown.markdown(text, extensions=[_EscapeRawHtml(), "sane_lists"], output_format="html")
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_SCHEMES,
        link_rel="noopener noreferrer nofollow",
    )
    return mark_safe(clean)  # noqa: S308 - sanitised by nh3 just above
