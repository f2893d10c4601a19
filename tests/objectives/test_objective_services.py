"""The rules of quality objectives: who sets and changes them, what a measurement may be, how an objective closes,
and that nothing of a closed objective changes afterwards."""

from __future__ import annotations

from decimal import Decimal

import pytest

from qms.errors import DomainError, NotAllowed
from qms.models import Clause, Notification
from qms.objectives import services
from qms.objectives.models import Measurement, Objective, Standing
from tests.conftest import PASSWORD
from tests.objectives.conftest import days_from_today, record, set_objective
from tests.qms.factories import UserFactory

pytestmark = pytest.mark.django_db


def _refusal(call, field):
    with pytest.raises(DomainError) as refused:
        call()
    assert refused.value.field == field, refused.value.message
    return refused.value.message


# --- Setting an objective -------------------------------------------------------------------------------------------


def test_a_quality_manager_sets_a_numbered_objective_for_clause_6_2_and_its_owner_is_told(objective, employee):
    assert objective.reference == "OBJ-0001"
    assert objective.status == Objective.Status.ACTIVE
    assert [clause.number for clause in objective.clauses.all()] == ["6.2"]
    note = Notification.objects.get(recipient=employee)
    assert note.subject == "You own OBJ-0001: Fewer customer complaints"
    assert "target 4 complaints (lower is better)" in note.body
    created = objective.history.earliest()
    assert created.history_change_reason == "Objective set"
    assert created.history_user.username == "quality.manager"


def test_references_count_up_and_are_never_reused(quality_manager, employee):
    first = set_objective(quality_manager, employee)
    with pytest.raises(DomainError):
        set_objective(quality_manager, employee, due_date=days_from_today(-1))
    second = set_objective(quality_manager, employee, clauses=Clause.objects.filter(number__in=["9.1.3", "9.1.2"]))
    assert (first.reference, second.reference) == ("OBJ-0001", "OBJ-0002")
    assert sorted(c.number for c in second.clauses.all()) == ["9.1.2", "9.1.3"]


@pytest.mark.parametrize("persona", ["auditor", "employee", "external_auditor"])
def test_only_quality_managers_set_objectives(request, persona, employee):
    with pytest.raises(NotAllowed):
        set_objective(request.getfixturevalue(persona), employee)


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"title": "  "}, "title"),
        ({"metric": ""}, "metric"),
        ({"unit": " "}, "unit"),
        ({"direction": ""}, "direction"),
        ({"source": "weather"}, "source"),
        ({"due_date": days_from_today(-181), "start_date": days_from_today(-180)}, "due_date"),
        ({"start_date": days_from_today(200)}, "due_date"),
        ({"due_date": days_from_today(-1)}, "due_date"),
    ],
)
def test_a_manual_objective_needs_its_metric_unit_direction_and_sensible_dates(
    quality_manager, employee, fields, field
):
    _refusal(lambda: set_objective(quality_manager, employee, **fields), field)
    assert not Objective.objects.exists()


def test_the_owner_must_be_able_to_enter_values(quality_manager, external_auditor, outsider):
    gone = UserFactory(username="gone", password=PASSWORD, roles=["employee"], is_active=False)
    for owner in (external_auditor, outsider, gone):
        _refusal(lambda owner=owner: set_objective(quality_manager, owner), "owner")


def test_a_computed_objective_takes_its_name_unit_and_direction_from_its_metric(computed):
    assert (computed.metric, computed.unit, computed.direction) == (
        "CAPAs closed on time",
        "%",
        Objective.Direction.HIGHER,
    )
    assert computed.is_computed


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"unit": "complaints"}, "unit"),
        ({"direction": "lower"}, "direction"),
        ({"metric": "Something else"}, "metric"),
        ({"target": Decimal("120")}, "target"),
        ({"baseline": Decimal("-5")}, "baseline"),
    ],
)
def test_a_computed_objective_refuses_what_contradicts_its_metric(quality_manager, employee, fields, field):
    values = {"source": Objective.Source.PARTICIPATION, "metric": "", "unit": "", "direction": ""} | fields
    values.setdefault("target", Decimal("60"))
    _refusal(lambda: set_objective(quality_manager, employee, **values), field)


# --- Changing it ----------------------------------------------------------------------------------------------------


def test_a_change_keeps_its_reason_in_the_history(objective, quality_manager, auditor):
    changed = services.objective_update(
        actor=quality_manager,
        objective=objective,
        reason="Management review raised the bar",
        target=Decimal("3"),
        owner=auditor,
    )
    assert changed.target == Decimal("3") and changed.owner == auditor
    row = changed.history.latest()
    assert row.history_change_reason == "Management review raised the bar"
    assert Notification.objects.filter(recipient=auditor, subject__startswith="You now own OBJ-0001").exists()


def test_nothing_changed_writes_no_history(objective, quality_manager):
    rows = objective.history.count()
    services.objective_update(
        actor=quality_manager, objective=objective, target=objective.target, title=objective.title
    )
    assert objective.history.count() == rows


def test_the_clauses_change_and_default_back_to_6_2(objective, quality_manager):
    services.objective_update(actor=quality_manager, objective=objective, clauses=Clause.objects.filter(number="8.2.1"))
    assert [c.number for c in objective.clauses.all()] == ["8.2.1"]
    services.objective_update(actor=quality_manager, objective=objective, clauses=[])
    assert [c.number for c in objective.clauses.all()] == ["6.2"]


def test_only_quality_managers_change_objectives(objective, employee):
    with pytest.raises(NotAllowed):
        services.objective_update(actor=employee, objective=objective, title="Mine now")


def test_how_an_objective_is_measured_stays_once_values_exist(objective, quality_manager, employee):
    services.objective_update(actor=quality_manager, objective=objective, unit="complaints per month")
    record(objective, employee, 30, "7")
    message = _refusal(
        lambda: services.objective_update(actor=quality_manager, objective=objective, direction="higher"), "direction"
    )
    assert "set a new objective" in message
    _refusal(
        lambda: services.objective_update(actor=quality_manager, objective=objective, source="idea_rate"), "source"
    )
    _refusal(
        lambda: services.objective_update(actor=quality_manager, objective=objective, start_date=days_from_today(-10)),
        "start_date",
    )


# --- Measurements ---------------------------------------------------------------------------------------------------


def test_the_owner_and_quality_managers_enter_values(objective, employee, quality_manager):
    mine = record(objective, employee, 60, "8", note="From the complaints log")
    theirs = record(objective, quality_manager, 30, "6.5")
    assert (mine.source, mine.entered_by, mine.note) == (Measurement.Source.MANUAL, employee, "From the complaints log")
    assert theirs.value == Decimal("6.5")
    assert mine.history.get().history_change_reason == f"Value for {days_from_today(-60):%Y-%m-%d} entered"


@pytest.mark.parametrize("persona", ["auditor", "external_auditor", "outsider"])
def test_nobody_else_enters_values(request, objective, persona):
    with pytest.raises(NotAllowed):
        record(objective, request.getfixturevalue(persona), 10, "5")


def test_a_value_is_not_dated_in_the_future_nor_before_the_start(objective, employee):
    assert "future" in _refusal(lambda: record(objective, employee, -1, "5"), "measured_on")
    assert "starts on" in _refusal(lambda: record(objective, employee, 181, "5"), "measured_on")
    assert record(objective, employee, 180, "9").measured_on == objective.start_date
    assert record(objective, employee, 0, "5").measured_on == days_from_today(0)


def test_a_second_value_for_the_same_day_is_a_field_error(objective, employee, quality_manager):
    record(objective, employee, 5, "6")
    message = _refusal(lambda: record(objective, quality_manager, 5, "7"), "measured_on")
    assert message == f"There is already a value for {days_from_today(-5):%Y-%m-%d} (6)."
    assert objective.measurements.count() == 1


def test_a_percentage_stays_between_0_and_100(quality_manager, employee):
    on_time = set_objective(
        quality_manager, employee, unit="%", direction="higher", target=Decimal("95"), baseline=None
    )
    _refusal(lambda: record(on_time, employee, 1, "101"), "value")
    assert record(on_time, employee, 1, "100").value == Decimal("100")
    _refusal(lambda: set_objective(quality_manager, employee, unit="%", target=Decimal("120")), "target")
    _refusal(
        lambda: services.objective_update(actor=quality_manager, objective=on_time, baseline=Decimal("-1")), "baseline"
    )


def test_values_of_a_computed_objective_are_not_entered_by_hand(computed, quality_manager):
    with pytest.raises(DomainError) as refused:
        record(computed, quality_manager, 1, "50")
    assert "computed from the records" in refused.value.message


# --- Where it stands ------------------------------------------------------------------------------------------------


def test_meeting_the_target_depends_on_the_direction(objective, quality_manager, employee):
    assert objective.meets(Decimal("4")) and objective.meets(Decimal("3.5")) and not objective.meets(Decimal("4.1"))
    higher = set_objective(quality_manager, employee, direction="higher", target=Decimal("95"), unit="%")
    assert higher.meets(Decimal("95")) and not higher.meets(Decimal("94.9"))


def test_on_track_means_at_or_better_than_the_planned_path(objective):
    # From 10 (180 days ago) to 4 (in 185 days): today the plan says 10 - 6 * 180 / 365, about 7.04.
    today = days_from_today(0)
    assert objective.planned_value(today).quantize(Decimal("0.01")) == Decimal("7.04")
    assert objective.standing(Decimal("7"), today) == Standing.ON_TRACK
    assert objective.standing(Decimal("7.1"), today) == Standing.OFF_TRACK
    assert objective.standing(Decimal("4"), today) == Standing.MET
    assert objective.standing(None, None) == Standing.NO_DATA
    objective.baseline = None
    assert objective.standing(Decimal("5"), today) == Standing.OFF_TRACK


# --- Closing --------------------------------------------------------------------------------------------------------


def test_achieved_needs_a_value_that_meets_the_target(objective, quality_manager, employee):
    close = lambda: services.objective_close(  # noqa: E731
        actor=quality_manager, objective=objective, outcome="achieved", reason="Done"
    )
    assert "without any measurement" in _refusal(close, "outcome")
    record(objective, employee, 20, "5")
    assert "does not meet the target" in _refusal(close, "outcome")
    record(objective, employee, 10, "4")
    closed = close()
    assert closed.status == Objective.Status.ACHIEVED
    assert closed.closed_by == quality_manager and closed.closed_at is not None
    assert closed.history.latest().history_change_reason == "Closed as achieved: Done"
    assert Notification.objects.filter(recipient=employee, subject="OBJ-0001 closed as achieved").exists()


def test_closing_needs_an_outcome_and_a_reason(objective, quality_manager, employee):
    _refusal(
        lambda: services.objective_close(actor=quality_manager, objective=objective, outcome="missed", reason=" "),
        "reason",
    )
    _refusal(
        lambda: services.objective_close(actor=quality_manager, objective=objective, outcome="active", reason="x"),
        "outcome",
    )
    with pytest.raises(NotAllowed):
        services.objective_close(actor=employee, objective=objective, outcome="withdrawn", reason="Not mine to say")


def test_missed_and_withdrawn_need_only_their_reason(objective, quality_manager, employee):
    other = set_objective(quality_manager, employee)
    missed = services.objective_close(
        actor=quality_manager, objective=objective, outcome="missed", reason="Supplier change came too late"
    )
    withdrawn = services.objective_close(
        actor=quality_manager, objective=other, outcome="withdrawn", reason="Product line discontinued"
    )
    assert (missed.status, withdrawn.status) == ("missed", "withdrawn")


def test_nothing_of_a_closed_objective_changes(objective, quality_manager, employee):
    record(objective, employee, 10, "4")
    services.objective_close(actor=quality_manager, objective=objective, outcome="achieved", reason="Four in October")
    for change in (
        lambda: services.objective_update(actor=quality_manager, objective=objective, title="Reworded"),
        lambda: services.objective_close(actor=quality_manager, objective=objective, outcome="missed", reason="x"),
        lambda: record(objective, employee, 1, "3"),
        lambda: record(objective, quality_manager, 2, "3"),
    ):
        with pytest.raises(DomainError):
            change()
    objective.refresh_from_db()
    assert (objective.title, objective.status, objective.measurements.count()) == (
        "Fewer customer complaints",
        "achieved",
        1,
    )
