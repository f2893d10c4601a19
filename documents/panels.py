"""What document control adds to the "my work" dashboard and to the clause browser."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from documents import selectors
from documents.models import HEAVY_DOCUMENT_FIELDS, Document, Revision, heavy_fields_through
from qms.dashboard import PANEL_SIZE, Panel, WorkItem

PENDING_COUNTED_UP_TO = 100


def approvals_panel(user: Any) -> Panel | None:
    waiting = selectors.approvals_waiting_for(user)
    approvals = list(waiting[:PANEL_SIZE])
    if not approvals and not user.has_role("quality_manager", "auditor", "employee"):
        return None
    return Panel(
        title="Approvals waiting for you",
        items=[
            WorkItem(
                title=f"{approval.revision.label} {approval.revision.document.title}",
                url=approval.revision.get_absolute_url(),
                detail=f"From {approval.revision.author.display_name}: {approval.revision.change_summary[:100]}",
            )
            for approval in approvals
        ],
        empty_text="No document is waiting for your signature.",
        total=waiting.count(),
        order=10,
    )


def acknowledgements_panel(user: Any) -> Panel | None:
    # Someone new may have thousands to read: counted up to a bound, so the page costs the same for everyone. The
    # search for what is unread (a distribution and no acknowledgement) is the costly part, so it runs once: its
    # first ids up to the bound give the count, and the first few of them the revisions shown.
    first = list(selectors.acknowledgements_pending_for(user).values_list("pk", flat=True)[: PENDING_COUNTED_UP_TO + 1])
    shown = (
        Revision.objects.select_related("document")
        .defer(*heavy_fields_through("document", HEAVY_DOCUMENT_FIELDS))
        .in_bulk(first[:PANEL_SIZE])
    )
    revisions = [shown[pk] for pk in first[:PANEL_SIZE]]
    counted = len(first)
    return Panel(
        title="Documents to read and acknowledge",
        items=[
            WorkItem(
                title=f"{revision.label} {revision.document.title}",
                url=revision.document.get_absolute_url(),
                detail=f"In force since {revision.effective_date:%Y-%m-%d}" if revision.effective_date else "",
            )
            for revision in revisions
        ],
        empty_text="You have read every document that applies to you.",
        total=min(counted, PENDING_COUNTED_UP_TO),
        more=counted > PENDING_COUNTED_UP_TO,
        more_url=reverse("documents:index") + "?to_read=1",
        order=20,
    )


def reviews_panel(user: Any) -> Panel | None:
    due = selectors.reviews_due_for(user)
    documents = list(due[:PANEL_SIZE])
    if not documents:
        return None
    today = timezone.localdate()
    return Panel(
        title="Periodic reviews due",
        items=[
            WorkItem(
                title=str(document),
                url=document.get_absolute_url(),
                detail=f"Due {document.next_review_due:%Y-%m-%d}",
                overdue=document.next_review_due is not None and document.next_review_due < today,
            )
            for document in documents
        ],
        empty_text="",
        total=due.count(),
        order=30,
    )


def drafts_panel(user: Any) -> Panel | None:
    drafts = (
        Revision.objects.filter(author=user, status__in=[Revision.Status.DRAFT, Revision.Status.IN_REVIEW])
        .select_related("document")
        .defer(*heavy_fields_through("document", HEAVY_DOCUMENT_FIELDS))
        .order_by("-created_at")
    )
    revisions = list(drafts[:PANEL_SIZE])
    if not revisions:
        return None
    return Panel(
        title="Your revisions in progress",
        items=[
            WorkItem(title=f"{r.label} {r.document.title}", url=r.get_absolute_url(), detail=r.get_status_display())
            for r in revisions
        ],
        empty_text="",
        total=drafts.count(),
        order=40,
    )


def documents_for_clause(clause: Any, user: Any) -> QuerySet[Document]:
    return Document.objects.visible_to(user).filter(clauses=clause).order_by("number")
