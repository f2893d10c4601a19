"""The metrics an objective can have computed from the records, instead of entered by hand.

Each is one of the quality maturity indicators (`qms.maturity.scores`), read as of a day: the same computation, the same
rounding (whole percentages, half up), so an objective's value and the maturity page never disagree. The registry is
keyed by `Objective.Source`; the daily task and the backfill in `services.py` are the only callers, never a request.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from qms.maturity import scores
from qms.objectives.models import PERCENT, Objective

Source = Objective.Source


@dataclass(frozen=True)
class Metric:
    key: str
    label: str
    unit: str
    indicator: scores.IndicatorFunction

    # Every indicator is a share where more is better.
    direction = Objective.Direction.HIGHER

    def reading(self, day: date) -> scores.Indicator:
        """The indicator as of the day, with the statement of how it was computed."""
        return self.indicator(day)

    def as_of(self, day: date) -> Decimal | None:
        """The value on the day, or None when the indicator has nothing to count."""
        return value_of(self.reading(day))


def value_of(indicator: scores.Indicator) -> Decimal | None:
    return None if indicator.percent is None else Decimal(indicator.percent)


def _metric(source: Source, indicator: scores.IndicatorFunction) -> tuple[str, Metric]:
    return source.value, Metric(source.value, source.label, PERCENT, indicator)


METRICS: dict[str, Metric] = dict(
    [
        _metric(Source.DOCUMENTS_REVIEWED_ON_TIME, scores.documents_reviewed_on_time),
        _metric(Source.CAPAS_CLOSED_ON_TIME, scores.capas_closed_on_time),
        _metric(Source.CAPAS_FOUND_EFFECTIVE, scores.capas_found_effective),
        _metric(Source.ACKNOWLEDGEMENTS_UP_TO_DATE, scores.acknowledgements_up_to_date),
        _metric(Source.PROGRAMME_COVERAGE, scores.programme_coverage),
        _metric(Source.FINDINGS_FOLLOWED_UP, scores.findings_followed_up),
        _metric(Source.IDEA_RATE, scores.idea_rate),
        _metric(Source.PARTICIPATION, scores.participation),
        _metric(Source.IDEAS_REACHING_ACT, scores.ideas_reaching_act),
    ]
)


def metric_for(objective: Objective) -> Metric | None:
    """The computation behind a computed objective; None for one measured by hand."""
    return METRICS.get(objective.source)
