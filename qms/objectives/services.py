"""Every write to quality objectives: set one, change it, record its values (by hand or computed), close it.

The rules of closing live in `Objective.close_blockers`; who may do what in `Objective.can_manage` and `can_record`.
Computed values are taken only here, from the daily task and the backfill task, never in a request.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from documents.models import add_months
from qms import sequences
from qms.errors import DomainError, NotAllowed
from qms.history import stamp
from qms.maturity.scores import Indicator
from qms.models import Clause, Department, User
from qms.objectives.metrics import METRICS, metric_for, value_of
from qms.objectives.models import PERCENT, Measurement, Objective
from qms.outbox import enqueue_on_commit
from qms.permissions import STAFF_ROLES
from qms.roles import Role
from qms.services import notify

DEFAULT_CLAUSE = "6.2"
BACKFILL_MONTHS = 24
# What a quality manager changes on an active objective; its source (how it is measured) is fixed when it is set.
EDITABLE_FIELDS = (
    "title",
    "description",
    "clauses",
    "department",
    "owner",
    "metric",
    "unit",
    "direction",
    "target",
    "baseline",
    "start_date",
    "due_date",
)
# Fixed once values are recorded in them: the values would change their meaning.
MEASURING_FIELDS = ("unit", "direction")


def _require_quality_manager(actor: User) -> None:
    if not actor.has_role(Role.QUALITY_MANAGER):
        raise NotAllowed("Quality managers set, change and close quality objectives.")


def _check_owner(owner: User) -> None:
    if not owner.is_active:
        raise DomainError(f"{owner.display_name} can no longer sign in.", field="owner")
    if not owner.has_role(*STAFF_ROLES):
        raise DomainError(f"{owner.display_name} holds no role that may enter measurements.", field="owner")


def _check_dates(start_date: date, due_date: date) -> None:
    if due_date <= start_date:
        raise DomainError("The due date comes after the start date.", field="due_date")
    if due_date < timezone.localdate():
        raise DomainError("The due date cannot be in the past.", field="due_date")


def _measuring(
    source: str, metric: str, unit: str, direction: str, values: dict[str, Decimal | None]
) -> tuple[str, str, str]:
    """The metric, unit and direction an objective is measured in: a computed metric's own, or those given. A target
    or baseline in % lies between 0 and 100."""
    if source not in Objective.Source.values:
        raise DomainError("Choose how the values are measured: by hand or one of the computed metrics.", field="source")
    computed = METRICS.get(source)
    if computed is None:
        if not metric.strip():
            raise DomainError("Name what is measured.", field="metric")
        if not unit.strip():
            raise DomainError("Give the unit of the values (%, complaints, days …).", field="unit")
        if direction not in Objective.Direction.values:
            raise DomainError("Say whether higher or lower values are better.", field="direction")
        _check_percentages(unit.strip(), values, "A percentage")
        return metric.strip(), unit.strip(), direction
    # A computed metric comes with its name, unit and direction; what a form or client sends must agree with them.
    if metric.strip() and metric.strip() != computed.label:
        raise DomainError(f"A computed metric keeps its own name: {computed.label}. Leave this empty.", field="metric")
    if unit.strip() and unit.strip() != computed.unit:
        raise DomainError(f"{computed.label} is measured in {computed.unit}.", field="unit")
    if direction and direction != computed.direction:
        raise DomainError(f"For {computed.label}, higher is better.", field="direction")
    _check_percentages(computed.unit, values, computed.label)
    return computed.label, computed.unit, computed.direction


def _check_percentages(unit: str, values: dict[str, Decimal | None], what: str) -> None:
    if unit != PERCENT:
        return
    for name, value in values.items():
        if value is not None and not Decimal(0) <= value <= Decimal(100):
            raise DomainError(f"{what} is from 0 to 100 %.", field=name)


def objective_create(
    *,
    actor: User,
    title: str,
    owner: User,
    target: Decimal,
    start_date: date,
    due_date: date,
    source: str = Objective.Source.MANUAL,
    metric: str = "",
    unit: str = "",
    direction: str = "",
    description: str = "",
    baseline: Decimal | None = None,
    department: Department | None = None,
    clauses: Iterable[Clause] = (),
) -> Objective:
    """A quality manager sets an objective, numbered OBJ-<seq>; its owner is told. A computed objective gets its
    month-end values from the start date on, taken in the background once the objective is saved."""
    _require_quality_manager(actor)
    if not title.strip():
        raise DomainError("Give the objective a title.", field="title")
    _check_owner(owner)
    _check_dates(start_date, due_date)
    metric, unit, direction = _measuring(source, metric, unit, direction, {"target": target, "baseline": baseline})
    clauses = list(clauses) or list(Clause.objects.filter(number=DEFAULT_CLAUSE))
    with transaction.atomic():
        objective = Objective(
            reference=f"OBJ-{sequences.next_value('objective'):04d}",
            title=title.strip(),
            description=description,
            department=department,
            owner=owner,
            metric=metric,
            unit=unit,
            direction=direction,
            target=target,
            baseline=baseline,
            start_date=start_date,
            due_date=due_date,
            source=source,
            created_by=actor,
        )
        stamp(objective, actor=actor, reason="Objective set")
        objective.save()
        stamp(objective, actor=actor, reason=f"Clauses: {', '.join(clause.number for clause in clauses)}")
        objective.clauses.set(clauses)
        notify(
            recipients=[owner],
            kind="generic",
            subject=f"You own {objective.reference}: {objective.title}",
            context={"message": _summary(objective)},
            url=objective.get_absolute_url(),
        )
        if objective.is_computed:
            from qms.objectives.tasks import backfill_measurements  # the tasks call these services

            enqueue_on_commit(backfill_measurements, objective.pk)
    return objective


def _summary(objective: Objective) -> str:
    target = f"{format_value(objective.target)} {objective.unit}"
    how = (
        "Its values are computed from the records every day."
        if objective.is_computed
        else "You enter its values as they are measured."
    )
    return (
        f"{objective.metric}: target {target} ({objective.get_direction_display().lower()}) by "
        f"{objective.due_date:%Y-%m-%d}. {how}"
    )


def format_value(value: Decimal) -> str:
    """A value as people write it: 95, 2.5, 0.125 (no trailing zeros, no exponent)."""
    return f"{value.normalize():f}"


def _locked(objective: Objective) -> Objective:
    return Objective.objects.select_for_update().get(pk=objective.pk)


def objective_update(*, actor: User, objective: Objective, reason: str = "", **changes: Any) -> Objective:
    """A quality manager changes an active objective: its wording, owner, target, dates. How it is measured (source,
    and the unit and direction once values exist) stays; a closed objective no longer changes."""
    _require_quality_manager(actor)
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise DomainError(f"These fields cannot be changed: {', '.join(sorted(unknown))}.", field=sorted(unknown)[0])
    with transaction.atomic():
        objective = _locked(objective)
        if not objective.is_active:
            raise DomainError(
                f"{objective.reference} is {objective.get_status_display().lower()}: it no longer changes."
            )
        clauses = changes.pop("clauses", None)
        changed = {name: value for name, value in changes.items() if getattr(objective, name) != value}
        if "title" in changed and not str(changed["title"]).strip():
            raise DomainError("Give the objective a title.", field="title")
        if "owner" in changed:
            _check_owner(changed["owner"])
        if {"start_date", "due_date"} & set(changed):
            start = changed.get("start_date", objective.start_date)
            due = changed.get("due_date", objective.due_date)
            if due <= start:
                raise DomainError("The due date comes after the start date.", field="due_date")
            if "due_date" in changed and due < timezone.localdate():
                raise DomainError("The due date cannot be in the past.", field="due_date")
            first = objective.measurements.order_by("measured_on").values_list("measured_on", flat=True).first()
            if "start_date" in changed and first is not None and first < start:
                raise DomainError(
                    f"A value was recorded on {first:%Y-%m-%d}, before this start date.", field="start_date"
                )
        measured = set(changed) & set(MEASURING_FIELDS)
        if measured and objective.measurements.exists():
            name = sorted(measured)[0]
            raise DomainError(
                f"Values are already recorded, so the {name} stays as it is; set a new objective to measure "
                "differently.",
                field=name,
            )
        if {"metric", "unit", "direction", "target", "baseline"} & set(changed):
            merged = {name: changed.get(name, getattr(objective, name)) for name in ("metric", "unit", "direction")}
            measuring = _measuring(
                objective.source,
                merged["metric"],
                merged["unit"],
                merged["direction"],
                {name: changed.get(name, getattr(objective, name)) for name in ("target", "baseline")},
            )
            for name, value in zip(("metric", "unit", "direction"), measuring, strict=True):
                if name in changed:
                    changed[name] = value
        new_clauses = None
        if clauses is not None:
            clauses = list(clauses) or list(Clause.objects.filter(number=DEFAULT_CLAUSE))
            if {c.pk for c in clauses} != set(objective.clauses.values_list("pk", flat=True)):
                new_clauses = clauses
        if not changed and new_clauses is None:
            return objective
        why = reason.strip() or _change_reason([*changed, *(["clauses"] if new_clauses is not None else [])])
        if changed:
            for name, value in changed.items():
                setattr(objective, name, value)
            stamp(objective, actor=actor, reason=why)
            objective.save()
        if new_clauses is not None:
            stamp(objective, actor=actor, reason=why)
            objective.clauses.set(new_clauses)
        if "owner" in changed:
            notify(
                recipients=[objective.owner],
                kind="generic",
                subject=f"You now own {objective.reference}: {objective.title}",
                context={"message": f"{actor.display_name} handed it to you. {_summary(objective)}"},
                url=objective.get_absolute_url(),
            )
    return objective


def _change_reason(names: list[str]) -> str:
    return "Changed: " + ", ".join(name.replace("_", " ") for name in names)


def latest_measurement(objective: Objective) -> Measurement | None:
    return objective.measurements.order_by("-measured_on").first()


def objective_close(*, actor: User, objective: Objective, outcome: str, reason: str) -> Objective:
    """A quality manager closes an objective as achieved (a recorded value meets the target), missed or withdrawn,
    with the evaluation in words. Nothing of it changes afterwards."""
    _require_quality_manager(actor)
    if outcome not in Objective.CLOSED:
        raise DomainError("Close an objective as achieved, missed or withdrawn.", field="outcome")
    if not reason.strip():
        raise DomainError("Say what the result was and what follows from it.", field="reason")
    with transaction.atomic():
        objective = _locked(objective)
        blockers = objective.close_blockers(outcome, latest_measurement(objective))
        if blockers:
            raise DomainError(" ".join(blockers), field="outcome" if objective.is_active else None)
        objective.status = outcome
        objective.close_reason = reason.strip()
        objective.closed_at = timezone.now()
        objective.closed_by = actor
        stamp(objective, actor=actor, reason=f"Closed as {objective.get_status_display().lower()}: {reason.strip()}")
        objective.save()
        if objective.owner_id != actor.pk:
            notify(
                recipients=[objective.owner],
                kind="generic",
                subject=f"{objective.reference} closed as {objective.get_status_display().lower()}",
                context={"message": reason.strip()},
                url=objective.get_absolute_url(),
            )
    return objective


# --- Measurements ---------------------------------------------------------------------------------------------------


def measurement_record(
    *, actor: User, objective: Objective, measured_on: date, value: Decimal, note: str = ""
) -> Measurement:
    """The owner or a quality manager enters a value of an objective measured by hand: one per day, not in the future,
    not before the objective started."""
    if measured_on > timezone.localdate():
        raise DomainError(
            "A value is entered once it is measured: the date cannot be in the future.", field="measured_on"
        )
    with transaction.atomic():
        objective = _locked(objective)
        if not objective.can_record(actor):
            if actor.pk != objective.owner_id and not actor.has_role(Role.QUALITY_MANAGER):
                raise NotAllowed(
                    f"Only {objective.owner.display_name}, who owns it, and quality managers enter values."
                )
            if not objective.is_active:
                raise DomainError(
                    f"{objective.reference} is {objective.get_status_display().lower()}: its values no longer change."
                )
            raise DomainError(f"The values of {objective.reference} are computed from the records every day.")
        if measured_on < objective.start_date:
            raise DomainError(
                f"{objective.reference} starts on {objective.start_date:%Y-%m-%d}; enter values from then on.",
                field="measured_on",
            )
        if objective.unit == PERCENT and not Decimal(0) <= value <= Decimal(100):
            raise DomainError("A percentage is from 0 to 100.", field="value")
        existing = objective.measurements.filter(measured_on=measured_on).first()
        if existing is not None:
            raise DomainError(
                f"There is already a value for {measured_on:%Y-%m-%d} ({format_value(existing.value)}).",
                field="measured_on",
            )
        measurement = Measurement(
            objective=objective,
            measured_on=measured_on,
            value=value,
            note=note.strip(),
            source=Measurement.Source.MANUAL,
            entered_by=actor,
        )
        stamp(measurement, actor=actor, reason=f"Value for {measured_on:%Y-%m-%d} entered")
        try:
            with transaction.atomic():
                measurement.save()
        except IntegrityError as clash:  # someone entered the same day in the same instant
            raise DomainError(f"There is already a value for {measured_on:%Y-%m-%d}.", field="measured_on") from clash
    return measurement


def _store_computed(objective: Objective, day: date, reading: Indicator) -> Measurement | None:
    """Keep a computed value for the day, unless the day has one already or the indicator had nothing to count.
    The unique constraint is what makes a second run (or a run beside the backfill) add nothing."""
    value = value_of(reading)
    if value is None:
        return None
    measurement = Measurement(
        objective=objective,
        measured_on=day,
        value=value,
        note=reading.statement,
        source=Measurement.Source.COMPUTED,
    )
    stamp(measurement, actor=None, reason=f"Computed from the records as of {day:%Y-%m-%d}")
    try:
        with transaction.atomic():
            measurement.save()
    except IntegrityError:
        return None
    return measurement


def _computable(objective: Objective) -> bool:
    return objective.is_active and objective.is_computed


def measurement_compute(*, objective: Objective, day: date) -> Measurement | None:
    """Compute and keep a computed objective's value as of a day (a closed or manual objective is left alone)."""
    metric = metric_for(objective)
    if metric is None or day < objective.start_date:
        return None
    with transaction.atomic():
        objective = _locked(objective)
        if not _computable(objective) or objective.measurements.filter(measured_on=day).exists():
            return None
        return _store_computed(objective, day, metric.reading(day))


def month_ends_since(start: date, today: date, *, limit: int = BACKFILL_MONTHS) -> list[date]:
    """The last day of each month from the start date's month up to last month (at most `limit`, the latest), then
    today: the points a new computed objective's trend starts with."""
    ends: list[date] = []
    month = start.replace(day=1)
    while True:
        end = month.replace(day=calendar.monthrange(month.year, month.month)[1])
        if end >= today:
            break
        if end >= start:
            ends.append(end)
        month = add_months(month, 1)
    return [*ends[-limit:], today]


def measurements_backfill(*, objective: Objective, today: date | None = None) -> int:
    """Give a computed objective its month-end values since its start (at most 24 months) and today's; days that
    have a value keep it. Returns how many values were added."""
    today = today or timezone.localdate()
    if metric_for(objective) is None or objective.start_date > today:
        return 0
    return sum(
        measurement_compute(objective=objective, day=day) is not None
        for day in month_ends_since(objective.start_date, today)
    )


def measurements_record_today() -> int:
    """The daily run: today's value for every active computed objective that has started. Each indicator is computed
    once, however many objectives share it. Returns how many values were added."""
    today = timezone.localdate()
    readings: dict[str, Indicator] = {}
    added = 0
    objectives = Objective.objects.filter(status=Objective.Status.ACTIVE, start_date__lte=today).exclude(
        source=Objective.Source.MANUAL
    )
    for objective in objectives:
        metric = metric_for(objective)
        if metric is None:
            continue
        with transaction.atomic():
            locked = _locked(objective)
            if not _computable(locked) or locked.measurements.filter(measured_on=today).exists():
                continue
            if metric.key not in readings:
                readings[metric.key] = metric.reading(today)
            added += _store_computed(locked, today, readings[metric.key]) is not None
    return added
