"""The computed metrics are the maturity indicators, read as of a day: the same values, rounded the same way."""

from __future__ import annotations

from decimal import Decimal

import pytest

from qms.maturity import scores
from qms.objectives.metrics import METRICS, metric_for
from qms.objectives.models import Objective
from tests.qms.test_maturity import KNOWN, D

# The maturity page's code of each computed source.
CODES = {
    "documents_reviewed_on_time": "S1",
    "programme_coverage": "S2",
    "capas_closed_on_time": "S3a",
    "capas_found_effective": "S3b",
    "acknowledgements_up_to_date": "S4",
    "idea_rate": "C1",
    "participation": "C2",
    "ideas_reaching_act": "C3",
    "findings_followed_up": "C4",
}


def test_every_computed_source_has_its_metric_in_percent_where_higher_is_better():
    computed = set(Objective.Source.values) - {Objective.Source.MANUAL}
    assert set(METRICS) == computed == set(CODES)
    for key, metric in METRICS.items():
        assert (metric.key, metric.unit, metric.direction) == (key, "%", Objective.Direction.HIGHER)
        assert metric.label == Objective.Source(key).label


@pytest.mark.parametrize("key", list(CODES))
def test_each_metric_gives_the_maturity_indicator_value(dataset, key):
    metric = METRICS[key]
    indicator = metric.reading(D)
    assert indicator.code == CODES[key]
    assert metric.as_of(D) == Decimal(KNOWN[CODES[key]][2]) == Decimal(indicator.percent)


@pytest.mark.django_db
def test_a_metric_without_anything_to_count_has_no_value():
    assert METRICS["capas_closed_on_time"].as_of(D) is None
    assert scores.capas_closed_on_time(D).percent is None


def test_a_manual_objective_has_no_metric():
    assert metric_for(Objective(source=Objective.Source.MANUAL)) is None
    assert metric_for(Objective(source=Objective.Source.IDEA_RATE)) is METRICS["idea_rate"]
