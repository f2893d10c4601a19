"""Management review tests reuse the audit and document fixtures (an audit in progress, an effective SOP) and add
reviews taken through the real services: one being prepared, one held with its decisions, one signed."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from qms.reviews import services
from qms.reviews.models import Decision, ManagementReview
from tests.audits.conftest import auditee, co_auditor, in_progress, lead, planned, production  # noqa: F401
from tests.conftest import PASSWORD
from tests.documents.conftest import _media_in_tmp, approver, document, draft, effective, sop_type  # noqa: F401
from tests.qms.factories import UserFactory

MINUTES = "1. Inputs presented input by input.\n2. Labelling complaints discussed at length."
CONCLUSION = "The QMS is suitable, adequate and effective; labelling needs corrective action."


def in_days(days: int) -> Any:
    return timezone.localdate() + timedelta(days=days)


@pytest.fixture
def chair(db: None) -> Any:
    """The managing director: an employee in the QMS, top management by position."""
    return UserFactory(
        username="ceo",
        password=PASSWORD,
        roles=["employee"],
        first_name="Richard",
        last_name="Hughes",
        job_title="Managing Director",
    )


@pytest.fixture
def member(db: None) -> Any:
    """The production manager, invited to the review."""
    return UserFactory(
        username="prod.manager", password=PASSWORD, roles=["employee"], first_name="Maria", last_name="Gonzalez"
    )


def start(quality_manager: Any, chair: Any, *attendees: Any, **extra: Any) -> ManagementReview:
    fields: dict[str, Any] = {
        "title": "Management review",
        "period_start": in_days(-90),
        "period_end": timezone.localdate(),
        "planned_on": in_days(7),
        "chair": chair,
        "attendees": list(attendees),
        **extra,
    }
    return services.review_create(actor=quality_manager, **fields)


def hold(review: ManagementReview, quality_manager: Any, *attendees: Any, conclusion: str = CONCLUSION) -> Any:
    return services.review_record_meeting(
        actor=quality_manager,
        review=review,
        held_on=timezone.localdate(),
        attendees=[review.chair, *attendees],
        minutes=MINUTES,
        conclusion=conclusion,
    )


def decide(review: ManagementReview, quality_manager: Any, owner: Any, **extra: Any) -> Decision:
    return services.decision_add(
        actor=quality_manager,
        review=review,
        kind=extra.pop("kind", Decision.Kind.IMPROVEMENT),
        text=extra.pop("text", "Labelling complaints must stop: find their cause."),
        actions=[
            services.ActionSpec(
                description=extra.pop("description", "Investigate the labelling complaints"),
                owner=owner,
                due_date=extra.pop("due_date", in_days(60)),
            )
        ],
    )


@pytest.fixture
def review(quality_manager: Any, chair: Any, member: Any) -> ManagementReview:
    """A review being prepared, chaired by the managing director, the production manager invited."""
    return start(quality_manager, chair, member)


@pytest.fixture
def held(review: ManagementReview, quality_manager: Any, member: Any) -> ManagementReview:
    """The review held, with one decision and its action owned by the production manager."""
    held_review = hold(review, quality_manager, member)
    decide(held_review, quality_manager, member)
    return held_review


@pytest.fixture
def signed(held: ManagementReview, chair: Any) -> ManagementReview:
    return services.review_sign(actor=chair, review=held, password=PASSWORD)
