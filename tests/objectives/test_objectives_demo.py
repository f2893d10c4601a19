"""The demo objectives: six believable objectives with a year of values, one achieved, one off track, three computed
from the demo's own records; seeding again adds nothing."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from qms.objectives.metrics import METRICS
from qms.objectives.models import Measurement, Objective, Standing
from qms.objectives.selectors import latest_standing, with_latest


# Each part below checks one promise of the demo (seeded once for the session: tests/conftest.py).
def test_seed_demo_sets_objectives_with_a_year_of_values_and_adds_nothing_when_run_again(seeded_demo):
    output = seeded_demo.first_output
    assert "Demo objectives: 6 objectives" in output and "Skipped" not in output
    now = timezone.now()

    objectives = {o.title: o for o in with_latest(Objective.objects.all())}
    assert len(objectives) == 6
    by_standing = {title: latest_standing(objective) for title, objective in objectives.items()}
    assert by_standing["Halve customer complaints"] == Standing.ON_TRACK
    assert by_standing["Deliver on the promised day"] == Standing.OFF_TRACK
    achieved = objectives["Cut scrap on filling line 2 below 2 %"]
    assert achieved.status == Objective.Status.ACHIEVED and achieved.close_reason
    assert {o.status for o in objectives.values()} == {"active", "achieved"}

    # Manual objectives: twelve monthly values each, entered by their owner, with history dated when they were entered.
    for title in ("Halve customer complaints", "Deliver on the promised day", achieved.title):
        values = objectives[title].measurements.all()
        assert values.count() == 12 and {m.source for m in values} == {"manual"}
        assert {m.entered_by_id for m in values} == {objectives[title].owner_id}
    oldest = Measurement.objects.filter(source="manual").order_by("measured_on").first()
    assert oldest.history.get().history_date < now - timedelta(days=300)
    assert achieved.history.earliest().history_date < now - timedelta(days=360)

    # Computed objectives: month-end values from the records, equal to the indicator as of that day.
    computed = [o for o in objectives.values() if o.is_computed]
    assert len(computed) == 3
    for objective in computed:
        values = list(objective.measurements.order_by("measured_on"))
        assert len(values) >= 3, objective.title
        assert values[-1].measured_on == timezone.localdate()
        sample = values[len(values) // 2]
        assert METRICS[objective.source].as_of(sample.measured_on) == sample.value
        assert sample.note.endswith("%")

    # Run again: nothing is added.
    assert "objectives are already there, none added" in seeded_demo.second_output
    assert seeded_demo.unchanged_by_second_run(Objective, Measurement)
