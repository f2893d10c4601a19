"""What management review adds to the "my work" dashboard, and the links on the CAPAs and ideas its actions became."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from qms.dashboard import PANEL_SIZE, Panel, WorkItem
from qms.links import RecordLink
from qms.reviews.models import ManagementReview, ReviewAction


def to_sign_panel(user: Any) -> Panel | None:
    """For a chair: the held reviews waiting for their signature; two queries."""
    waiting = ManagementReview.objects.filter(chair_id=user.pk, status=ManagementReview.Status.HELD)
    reviews = list(waiting.order_by("held_on", "id")[:PANEL_SIZE])
    if not reviews:
        return None
    return Panel(
        title="Management reviews to sign",
        items=[
            WorkItem(
                title=str(review),
                url=review.get_absolute_url() + "#sign",
                detail=f"Held on {review.held_on:%Y-%m-%d} · period {review.period}",
            )
            for review in reviews
        ],
        empty_text="",
        total=waiting.count(),
        more_url=reverse("reviews:index"),
        order=20,
    )


def my_review_actions_panel(user: Any) -> Panel | None:
    """The open actions from management reviews that the user owns and that were not handed over; two queries."""
    mine = ReviewAction.objects.filter(owner_id=user.pk, status=ReviewAction.Status.OPEN).filter(
        review__status__in=[ManagementReview.Status.HELD, ManagementReview.Status.SIGNED]
    )
    actions = list(mine.select_related("review").order_by("due_date", "id")[:PANEL_SIZE])
    if not actions:
        return None
    return Panel(
        title="Actions from management reviews",
        items=[
            WorkItem(
                title=f"{action.label}: {action.description[:100]}",
                url=action.get_absolute_url(),
                detail=f"Due {action.due_date:%Y-%m-%d}",
                overdue=action.is_overdue,
            )
            for action in actions
        ],
        empty_text="",
        total=mine.count(),
        more_url=reverse("reviews:index"),
        order=48,
    )


def _origin_link(action: ReviewAction | None, user: Any) -> list[RecordLink]:
    if action is None or not ManagementReview.objects.visible_to(user).filter(pk=action.review_id).exists():
        return []
    return [RecordLink(f"From management review {action.label}", action.get_absolute_url())]


def capa_links(capa: Any, user: Any) -> list[RecordLink]:
    """On a CAPA that a review's action became: the action, for those who may see the review (one or two queries)."""
    action = ReviewAction.objects.filter(capa_id=capa.pk).select_related("review").first()
    return _origin_link(action, user)


def idea_links(idea: Any, user: Any) -> list[RecordLink]:
    """On an idea that a review's action became: the action, for those who may see the review."""
    action = ReviewAction.objects.filter(idea_id=idea.pk).select_related("review").first()
    return _origin_link(action, user)
