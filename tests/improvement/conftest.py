"""Improvement tests: ideas taken through the real services; the audit, CAPA and document fixtures are reused."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from improvement import services
from improvement.models import Idea
from tests.audits.conftest import auditee, co_auditor, in_progress, lead, planned, production  # noqa: F401
from tests.capa.conftest import open_capa  # noqa: F401
from tests.documents.conftest import _media_in_tmp, approver, document, draft, effective, sop_type  # noqa: F401


@pytest.fixture
def idea(employee: Any) -> Idea:
    """An idea the employee submitted by name."""
    return services.idea_submit(
        actor=employee,
        title="Colour-coded hold labels",
        problem="Rejected pallets look like released ones.",
        proposal="Print hold labels on red paper and add a red floor zone for rejects.",
        expected_benefit="No mix-ups between rejected and released stock.",
        category=Idea.Category.QUALITY,
    )


def move(idea: Idea, actor: Any, *stages: str, **notes: Any) -> Idea:
    """Take the idea through `stages`, writing the notes each needs (a metric and baseline before Do, …)."""
    for stage in stages:
        if stage == Idea.Stage.DO:
            idea = services.idea_update_notes(
                actor=actor, idea=idea, target_metric="Mix-ups per month", baseline="3", target="0"
            )
        if stage == Idea.Stage.CHECK:
            idea = services.idea_update_notes(actor=actor, idea=idea, do_notes="Red labels on line 2 for a month")
        if stage == Idea.Stage.ACT:
            idea = services.idea_update_notes(actor=actor, idea=idea, measured_result="0 mix-ups in a month")
        if stage == Idea.Stage.STANDARDIZED:
            defaults = {
                "benefit_unit": Idea.BenefitUnit.DEFECTS_AVOIDED,
                "benefit_amount": Decimal("36"),
                "no_document_change_reason": "Labels are a stores supply; no procedure names colours.",
            }
            idea = services.idea_update_notes(actor=actor, idea=idea, **(defaults | notes))
        idea = services.idea_advance(actor=actor, idea=idea, to=stage, note=f"Now {stage}")
    return idea
