"""CAPA tests reuse the audit fixtures (an audit in progress with its lead auditor, team and auditee) and add CAPAs
taken through the real services."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from capa import services
from capa.models import Capa, CapaAction
from tests.audits.conftest import auditee, co_auditor, in_progress, lead, planned, production  # noqa: F401
from tests.documents.conftest import _media_in_tmp, approver, document, draft, effective, sop_type  # noqa: F401

FIVE_WHYS = [
    {"why": "Why were rejected bottles with released stock?", "because": "The hold area was full."},
    {"why": "Why was the hold area full?", "because": "Rejects are only cleared weekly."},
    {"why": "Why only weekly?", "because": "The clearing is not in anyone's routine."},
]


def in_days(days: int) -> Any:
    return timezone.localdate() + timedelta(days=days)


@pytest.fixture
def open_capa(quality_manager: Any, employee: Any) -> Capa:
    """A corrective action owned by the employee, opened by the quality manager."""
    return services.capa_create(
        actor=quality_manager,
        title="Rejected bottles stored with released stock",
        source=Capa.Source.INTERNAL,
        problem="Pallet 14 of rejected bottles stood in the released area.",
        owner=employee,
        due_date=in_days(60),
        department=employee.department,
    )


def analyse(capa: Capa, actor: Any) -> Capa:
    """Investigate and write a 5 Whys with its root cause."""
    if capa.status == Capa.Status.OPEN:
        capa = services.capa_advance(actor=actor, capa=capa, to=Capa.Status.INVESTIGATING)
    return services.capa_update(
        actor=actor,
        capa=capa,
        root_cause_method=Capa.Method.FIVE_WHYS,
        root_cause_analysis=FIVE_WHYS,
        root_cause="Clearing the hold area is nobody's task.",
        cause_category=Capa.CauseCategory.METHOD,
    )


def plan_action(capa: Capa, actor: Any, owner: Any, **extra: Any) -> CapaAction:
    return services.action_create(
        actor=actor,
        capa=capa,
        description=extra.pop("description", "Add daily clearing of the hold area to the shift checklist"),
        owner=owner,
        due_date=in_days(14),
        **extra,
    )


@pytest.fixture
def implementing(open_capa: Capa, employee: Any) -> tuple[Capa, CapaAction]:
    """The CAPA analysed, with one open action owned by the employee, being implemented."""
    capa = analyse(open_capa, employee)
    action = plan_action(capa, employee, employee)
    return services.capa_advance(actor=employee, capa=capa, to=Capa.Status.IMPLEMENTING), action
