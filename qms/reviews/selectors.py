"""Reads of management reviews that are more than one query: the register, and one review for a user."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404

from qms.reviews.models import RUNNERS, ManagementReview, ReviewAction
from qms.roles import has_role


def reviews_for(user: Any) -> QuerySet[ManagementReview]:
    """The reviews `user` may see, with their chair and the counts the register shows, in one query."""
    return (
        ManagementReview.objects.visible_to(user)
        .select_related("chair")
        .annotate(
            decision_count=Count("decisions", distinct=True),
            action_count=Count("actions", distinct=True),
            open_action_count=Count("actions", filter=Q(actions__status=ReviewAction.Status.OPEN), distinct=True),
        )
        # Said again: a query that groups for its counts leaves the model's ordering out.
        .order_by("-period_end", "-id")
    )


def get_review_for_user(user: Any, pk: int | str, *, write: bool = False) -> ManagementReview:
    """The review, if `user` may see it (404 otherwise); with `write`, only for those who run reviews (403)."""
    review = get_object_or_404(
        ManagementReview.objects.visible_to(user).select_related("chair", "created_by", "signature"), pk=pk
    )
    if write and not has_role(user, *RUNNERS):
        raise PermissionDenied("Quality managers run management reviews.")
    return review
