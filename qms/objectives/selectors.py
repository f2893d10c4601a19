"""Reads of quality objectives that are more than one query: where each objective stands in a period (for management
review and the register), the register's rows with their latest value, the objectives of a clause.

Every read starts from `Objective.objects.visible_to(user)`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import OuterRef, Prefetch, Q, QuerySet, Subquery
from django.shortcuts import get_object_or_404

from qms.models import User
from qms.objectives.models import Measurement, Objective, Standing
from qms.periods import Period


@dataclass(frozen=True)
class ObjectiveStanding:
    objective: Objective
    latest: Measurement | None  # last measurement on or before period.end
    met: bool | None  # latest meets the target by the objective's direction; None without a measurement
    measurements: list[Measurement]  # those within the period, oldest first

    @property
    def standing(self) -> Standing:
        """Met, on track, off track or no data, as of the latest measurement."""
        latest = self.latest
        return self.objective.standing(latest.value if latest else None, latest.measured_on if latest else None)


def objective_standings(user: User, period: Period) -> list[ObjectiveStanding]:
    """Per objective visible to the user, in the register's order (due date, reference): its latest measurement on or
    before the period's end, whether that meets the target, and its measurements within the period, oldest first.

    Objectives closed before the period started are left out: they were evaluated before it. Those set after the
    period (or still to start) are kept, without a measurement in it, so a review sees every objective in force.
    Four queries whatever the number of objectives and measurements: the objectives, their clauses, their
    measurements within the period, and each one's latest measurement up to the period's end.
    """
    in_period = (
        Measurement.objects.filter(measured_on__gte=period.start, measured_on__lte=period.end)
        .select_related("entered_by")
        .order_by("measured_on")
    )
    last_day = (
        Measurement.objects.filter(objective=OuterRef("objective"), measured_on__lte=period.end)
        .order_by("-measured_on")
        .values("measured_on")[:1]
    )
    latest = Measurement.objects.filter(measured_on=Subquery(last_day)).select_related("entered_by")
    objectives = (
        Objective.objects.visible_to(user)
        .exclude(closed_at__lt=period.starts_at)
        .select_related("owner", "department")
        .prefetch_related(
            "clauses",
            Prefetch("measurements", queryset=in_period, to_attr="period_measurements"),
            Prefetch("measurements", queryset=latest, to_attr="latest_measurements"),
        )
    )
    standings = []
    for objective in objectives:
        last: Measurement | None = next(iter(objective.latest_measurements), None)  # type: ignore[attr-defined]
        standings.append(
            ObjectiveStanding(
                objective=objective,
                latest=last,
                met=None if last is None else objective.meets(last.value),
                measurements=list(objective.period_measurements),  # type: ignore[attr-defined]
            )
        )
    return standings


def get_objective_for_user(user: Any, pk: int) -> Objective:
    """The objective, if this user may see it; otherwise 404."""
    return get_object_or_404(
        Objective.objects.visible_to(user).select_related("owner", "department", "created_by", "closed_by"), pk=pk
    )


def with_latest(objectives: QuerySet[Objective]) -> QuerySet[Objective]:
    """Objectives annotated with their latest value and its day (`latest_value`, `latest_on`), in the same query."""
    latest = Measurement.objects.filter(objective=OuterRef("pk")).order_by("-measured_on")
    return objectives.annotate(
        latest_value=Subquery(latest.values("value")[:1]),
        latest_on=Subquery(latest.values("measured_on")[:1]),
    )


def latest_standing(objective: Objective) -> Standing:
    """The standing of an objective annotated by `with_latest`."""
    value: Decimal | None = getattr(objective, "latest_value", None)
    on: date | None = getattr(objective, "latest_on", None)
    if value is not None and not isinstance(value, Decimal):
        value = Decimal(str(value))  # SQLite hands a subquery's decimal back as a float
    return objective.standing(value, on)


def objectives_for_clause(clause: Any, user: Any) -> QuerySet[Objective]:
    """For the clause browser: the objectives that name this clause or one of its sub-clauses."""
    return (
        Objective.objects.visible_to(user)
        .filter(Q(clauses=clause) | Q(clauses__parent=clause))
        .distinct()
        .order_by("due_date", "reference")
    )
