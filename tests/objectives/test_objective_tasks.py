"""Computed values are taken in the background: every day for every active computed objective, and month by month
back to the start when a computed objective is set. Both are safe to run twice."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from unittest import mock

import pytest
from django.conf import settings
from django.utils import timezone

from qms.objectives import services, tasks
from qms.objectives.models import Measurement, Objective
from tests.objectives.conftest import days_from_today, set_objective

pytestmark = pytest.mark.django_db


@pytest.fixture
def fixed_value():
    """Every indicator reads 75 %, so the tests count rows, not indicator arithmetic (test_metrics covers that)."""
    from qms.maturity.scores import Indicator

    reading = Indicator("X", "structure", "Test", 3, 4, 75.0, "formula", "3 of 4 things = 75 %", "past")
    with mock.patch("qms.objectives.metrics.Metric.reading", return_value=reading) as patched:
        yield patched


def test_the_daily_task_is_in_the_beat_schedule():
    entry = settings.CELERY_BEAT_SCHEDULE["record-objective-measurements"]
    assert entry == {"task": "qms.objectives.tasks.record_computed_measurements", "schedule": timedelta(days=1)}


def test_the_daily_run_records_todays_value_once(computed, objective, fixed_value):
    assert tasks.record_computed_measurements() == 1
    assert tasks.record_computed_measurements() == 0
    today = computed.measurements.get()
    assert (today.measured_on, today.value, today.source) == (timezone.localdate(), Decimal("75"), "computed")
    assert today.entered_by is None and today.note == "3 of 4 things = 75 %"
    assert today.history.get().history_change_reason == f"Computed from the records as of {timezone.localdate()}"
    assert not objective.measurements.exists()  # measured by hand: left alone


def test_the_daily_run_computes_each_indicator_once_for_all_its_objectives(
    computed, quality_manager, employee, fixed_value
):
    services.objective_create(
        actor=quality_manager,
        owner=employee,
        title="Second view on the same metric",
        source=computed.source,
        target=Decimal("90"),
        start_date=days_from_today(-5),
        due_date=days_from_today(100),
    )
    assert tasks.record_computed_measurements() == 2
    assert fixed_value.call_count == 1


def test_the_daily_run_skips_closed_objectives_and_those_not_started(computed, quality_manager, employee, fixed_value):
    services.objective_close(actor=quality_manager, objective=computed, outcome="withdrawn", reason="Merged")
    services.objective_create(
        actor=quality_manager,
        owner=employee,
        title="Starts next month",
        source=Objective.Source.PARTICIPATION,
        target=Decimal("50"),
        start_date=days_from_today(30),
        due_date=days_from_today(300),
    )
    assert tasks.record_computed_measurements() == 0
    assert not Measurement.objects.exists()


def test_an_indicator_without_data_records_nothing(computed):
    assert tasks.record_computed_measurements() == 0  # no CAPA was ever closed
    assert not computed.measurements.exists()


def test_month_ends_run_from_the_start_month_to_last_month_then_today():
    assert services.month_ends_since(date(2026, 1, 15), date(2026, 4, 10)) == [
        date(2026, 1, 31),
        date(2026, 2, 28),
        date(2026, 3, 31),
        date(2026, 4, 10),
    ]
    # A start on the last day of a month counts that day; a start in the current month gives only today.
    assert services.month_ends_since(date(2026, 3, 31), date(2026, 4, 30)) == [date(2026, 3, 31), date(2026, 4, 30)]
    assert services.month_ends_since(date(2026, 4, 2), date(2026, 4, 10)) == [date(2026, 4, 10)]


def test_the_backfill_goes_back_at_most_24_months():
    ends = services.month_ends_since(date(2020, 1, 1), date(2026, 4, 10))
    assert len(ends) == 25 and ends[0] == date(2024, 4, 30) and ends[-2] == date(2026, 3, 31)


def test_setting_a_computed_objective_enqueues_its_backfill_on_commit(
    quality_manager, employee, fixed_value, django_capture_on_commit_callbacks
):
    start = days_from_today(-70)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        objective = services.objective_create(
            actor=quality_manager,
            owner=employee,
            title="Acknowledgements up to date",
            source=Objective.Source.ACKNOWLEDGEMENTS_UP_TO_DATE,
            target=Decimal("95"),
            start_date=start,
            due_date=days_from_today(200),
        )
    assert callbacks  # the task ran after the objective was saved, not inside its transaction
    days = list(objective.measurements.values_list("measured_on", flat=True))
    assert days == services.month_ends_since(start, timezone.localdate())
    assert days[-1] == timezone.localdate() and len(days) in {3, 4}
    # Again, and then the daily run the same day: nothing twice.
    assert tasks.backfill_measurements(objective.pk) == 0
    assert tasks.record_computed_measurements() == 0


def test_a_manual_objective_enqueues_nothing(quality_manager, employee, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        set_objective(quality_manager, employee)
    assert all("backfill" not in repr(callback) for callback in callbacks)


def test_the_backfill_is_quiet_when_the_objective_is_gone_or_closed(computed, quality_manager, fixed_value):
    assert tasks.backfill_measurements(999_999) == 0
    services.objective_close(actor=quality_manager, objective=computed, outcome="withdrawn", reason="Not needed")
    assert tasks.backfill_measurements(computed.pk) == 0
