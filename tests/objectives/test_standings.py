"""`objective_standings(user, period)`: the contract management review codes against, and its fixed query count."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from qms.objectives import services
from qms.objectives.models import Measurement, Objective
from qms.objectives.selectors import ObjectiveStanding, objective_standings
from qms.periods import Period
from tests.objectives.conftest import days_from_today, record, set_objective

pytestmark = pytest.mark.django_db

STANDINGS_QUERIES = 4


def _period(start_days_ago: int, end_days_ago: int) -> Period:
    return Period(days_from_today(-start_days_ago), days_from_today(-end_days_ago))


def test_the_standing_has_the_agreed_fields():
    assert [field.name for field in dataclasses.fields(ObjectiveStanding)] == [
        "objective",
        "latest",
        "met",
        "measurements",
    ]
    assert ObjectiveStanding.__dataclass_params__.frozen


def test_latest_is_the_last_value_up_to_the_periods_end_and_measurements_those_within_it(
    objective, employee, quality_manager
):
    before = record(objective, employee, 120, "9")
    first = record(objective, employee, 80, "7")
    second = record(objective, employee, 50, "3")
    record(objective, employee, 10, "5")  # after the period: not the latest, not in the list
    [standing] = objective_standings(quality_manager, _period(90, 40))
    assert standing.objective == objective
    assert standing.latest == second
    assert standing.met is True  # 3 complaints against a target of 4, lower is better
    assert standing.measurements == [first, second]
    # A period with no value of its own still has the latest before it.
    [earlier] = objective_standings(quality_manager, _period(100, 90))
    assert (earlier.latest, earlier.met, earlier.measurements) == (before, False, [])


def test_met_follows_the_direction_and_is_none_without_a_value(objective, quality_manager, employee):
    on_time = set_objective(
        quality_manager, employee, unit="%", direction="higher", target=Decimal("95"), baseline=None
    )
    empty = set_objective(quality_manager, employee, title="Nothing measured yet")
    record(on_time, employee, 3, "94.5")
    record(objective, employee, 3, "4")
    standings = {s.objective.pk: s for s in objective_standings(employee, _period(30, 0))}
    assert standings[on_time.pk].met is False
    assert standings[objective.pk].met is True
    assert (standings[empty.pk].latest, standings[empty.pk].met, standings[empty.pk].measurements) == (None, None, [])


def test_objectives_closed_before_the_period_are_left_out(objective, quality_manager, employee):
    record(objective, employee, 5, "3")
    services.objective_close(actor=quality_manager, objective=objective, outcome="achieved", reason="Three")
    assert [s.objective for s in objective_standings(quality_manager, _period(30, 0))] == [objective]
    tomorrow = timezone.localdate() + timedelta(days=1)
    assert objective_standings(quality_manager, Period(tomorrow, tomorrow + timedelta(days=30))) == []


def test_every_role_reads_the_standings_and_an_account_without_one_none(objective, personas):
    for name, user in personas.items():
        assert len(objective_standings(user, _period(30, 0))) == (0 if name == "outsider" else 1), name


def test_computed_values_count_like_entered_ones(computed, quality_manager):
    # A computed row, as the daily task writes it (the task itself is tested in test_objective_tasks).
    Measurement.objects.create(
        objective=computed, measured_on=days_from_today(-1), value=Decimal("85"), source="computed", note="17 of 20"
    )
    [standing] = objective_standings(quality_manager, _period(7, 0))
    assert standing.met is True and standing.latest.entered_by is None


def _objectives_with_values(quality_manager, owner, count: int) -> None:
    for number in range(count):
        objective = set_objective(quality_manager, owner, title=f"Objective {number}")
        for days_ago in (100, 60, 20):  # one before the period, two within it
            record(objective, owner, days_ago, str(5 + number % 3))


def test_the_number_of_queries_does_not_grow_with_objectives_or_values(quality_manager, employee):
    period = _period(90, 0)
    _objectives_with_values(quality_manager, employee, 1)
    with CaptureQueriesContext(connection) as one:
        standings = objective_standings(quality_manager, period)
        # What a caller reads asks nothing more: owner, department, clauses, the values and who entered them.
        _read_everything(standings)
    _objectives_with_values(quality_manager, employee, 9)
    with CaptureQueriesContext(connection) as ten:
        standings = objective_standings(quality_manager, period)
        _read_everything(standings)
    assert len(standings) == 10
    assert len(one) == len(ten) == STANDINGS_QUERIES, [q["sql"] for q in ten.captured_queries]


def test_a_latest_value_before_the_period_costs_the_same_query_count(objective, quality_manager, employee):
    record(objective, employee, 200 - 30, "6")  # before the period, which holds no value
    with CaptureQueriesContext(connection) as queries:
        [standing] = objective_standings(quality_manager, Period(days_from_today(-60), days_from_today(0)))
        _read_everything([standing])
    assert standing.latest is not None and standing.measurements == []
    assert len(queries) == STANDINGS_QUERIES


def _read_everything(standings: list[ObjectiveStanding]) -> None:
    for standing in standings:
        objective = standing.objective
        _ = (objective.owner.display_name, objective.department, [c.number for c in objective.clauses.all()])
        for measurement in [*standing.measurements, *([standing.latest] if standing.latest else [])]:
            _ = (measurement.objective.reference, measurement.entered_by, measurement.value)


def test_a_period_of_one_day_holds_that_days_value(objective, quality_manager, employee):
    value = record(objective, employee, 3, "5")
    day: date = value.measured_on
    [standing] = objective_standings(quality_manager, Period(day, day))
    assert standing.measurements == [value] and standing.latest == value


def test_standings_come_in_the_registers_order(quality_manager, employee):
    later = set_objective(quality_manager, employee, title="Later", due_date=days_from_today(300))
    sooner = set_objective(quality_manager, employee, title="Sooner", due_date=days_from_today(30))
    assert [s.objective for s in objective_standings(quality_manager, _period(10, 0))] == [sooner, later]
    assert Objective.objects.count() == 2
