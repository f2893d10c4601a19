"""Revising a demo document's Markdown text: shared by the demos of the modules whose stories change documents
(CAPA actions, improvement ideas), which follow the layout documents/demo writes."""

from __future__ import annotations

import re
from collections.abc import Iterable

from documents.models import Document, Revision


def changeable_document(title: str, changes: Iterable[tuple[str, str]]) -> Document | None:
    """The demo document of that title, if it is there as the demo made it: effective, in Markdown, with no revision
    in progress and the text the changes apply to."""
    document = (
        Document.objects.filter(title=title, status=Document.Status.EFFECTIVE, owner__is_active=True)
        .select_related("owner")
        .first()
    )
    if document is None or document.revisions.filter(status__in=Revision.IN_PROGRESS).exists():
        return None
    effective = document.revisions.filter(status=Revision.Status.EFFECTIVE).first()
    if effective is None or effective.content_type != "text/markdown":
        return None
    text = text_of(effective)
    return document if all(old in text for old, _new in changes) else None


def text_of(revision: Revision) -> str:
    with revision.file.open("rb") as file:
        return bytes(file.read()).decode()


def revised_text(text: str, changes: Iterable[tuple[str, str]], summary: str, number: int) -> str:
    """The effective text with the changes applied, the revision number in its header and a line in its history."""
    for old, new in changes:
        text = text.replace(old, new)
    text = re.sub(r"^\| Revision \| \d+ \|$", f"| Revision | {number} |", text, count=1, flags=re.MULTILINE)
    if "## Revision history" in text:
        text = text.rstrip("\n") + f"\n| {number} | {summary} |\n"
    return text
