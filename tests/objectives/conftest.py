"""Objective tests: objectives set and measured through the real services. The maturity data set (with its known
indicator values) is reused to check the computed metrics."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from qms.objectives import services
from qms.objectives.models import Objective
from tests.qms.test_maturity import dataset  # noqa: F401


def days_from_today(days: int) -> date:
    return timezone.localdate() + timedelta(days=days)


def set_objective(actor: Any, owner: Any, **fields: Any) -> Objective:
    """A complaints objective measured by hand (lower is better), started 180 days ago, due in 185 days."""
    values: dict[str, Any] = {
        "title": "Fewer customer complaints",
        "description": "Complaints cost us re-deliveries and trust.",
        "metric": "Customer complaints per month",
        "unit": "complaints",
        "direction": Objective.Direction.LOWER,
        "target": Decimal("4"),
        "baseline": Decimal("10"),
        "start_date": days_from_today(-180),
        "due_date": days_from_today(185),
    }
    return services.objective_create(actor=actor, owner=owner, **(values | fields))


def record(objective: Objective, actor: Any, days_ago: int, value: str, note: str = "") -> Any:
    return services.measurement_record(
        actor=actor, objective=objective, measured_on=days_from_today(-days_ago), value=Decimal(value), note=note
    )


@pytest.fixture
def objective(quality_manager: Any, employee: Any) -> Objective:
    """Owned by the employee persona, set by the quality manager."""
    return set_objective(quality_manager, employee)


@pytest.fixture
def computed(quality_manager: Any, employee: Any) -> Objective:
    """CAPAs closed on time, computed; its backfill waits for a commit that these tests do not make."""
    return services.objective_create(
        actor=quality_manager,
        owner=employee,
        title="CAPAs closed by their due date",
        source=Objective.Source.CAPAS_CLOSED_ON_TIME,
        target=Decimal("80"),
        start_date=days_from_today(-100),
        due_date=days_from_today(265),
    )
