"""An objective's trend chart, computed here so the template only draws it: an inline SVG, no chart library (as the
maturity chart, `qms/maturity/chart.py`).

Time runs left to right in proportion, from the start date to the due date (or the last value, if later), so the part
still to come shows the way left to the target. The measured values are one line, the target another; with a
baseline, a third line is the planned path from the baseline to the target. The page also gives every value as a
table, so the chart's text alternative is a summary.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from qms.objectives.models import PERCENT, Measurement, Objective

WIDTH, HEIGHT = 720, 300
LEFT, RIGHT, TOP, BOTTOM = 56, 20, 16, 44
MAX_MARKERS = 60  # beyond this (a computed objective's daily values) only the latest point is marked
MAX_X_TICKS = 7
Y_TICKS = 5


@dataclass(frozen=True)
class Marker:
    x: float
    y: float
    text: str  # "12 Mar 2026: 4 complaints"


@dataclass(frozen=True)
class Tick:
    position: float
    label: str


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    left: int
    right: int
    top: int
    bottom: int
    path: str
    markers: list[Marker]
    target_y: float
    target_label: str
    planned_path: str
    y_ticks: list[Tick]
    x_ticks: list[Tick]
    today_x: float | None
    description: str


def plain(value: Decimal) -> str:
    return f"{value.normalize():f}"


def with_unit(value: Decimal, unit: str) -> str:
    return f"{plain(value)} {unit}".strip()


def _day(day: date) -> str:
    return f"{day.day} {day:%b %Y}"


def _nice_step(span: float) -> float:
    """A round step (1, 2, 2.5 or 5 times a power of ten) that cuts `span` into about Y_TICKS - 1 parts."""
    raw = span / (Y_TICKS - 1)
    power = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        if raw <= factor * power:
            return factor * power
    return 10 * power


def _y_range(values: list[float], unit: str) -> tuple[float, float, float]:
    low, high = min(values), max(values)
    if high == low:
        pad = abs(high) * 0.1 or 1.0
        low, high = low - pad, high + pad
    # Counts and shares start at zero when the data are not far from it, so the slope is not exaggerated.
    if low >= 0 and low <= (high - low):
        low = 0.0
    step = _nice_step(high - low)
    bottom, top = math.floor(low / step) * step, math.ceil(high / step) * step
    if unit == PERCENT:
        bottom, top = max(bottom, 0.0), min(top, 100.0) if high <= 100 else top
    if top == bottom:
        top = bottom + step
    return bottom, top, step


def _month_starts(start: date, end: date) -> list[date]:
    months = []
    month = date(start.year, start.month, 1)
    while month <= end:
        if month >= start:
            months.append(month)
        month = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    every = max(1, math.ceil(len(months) / MAX_X_TICKS))
    return months[::every]


def trend_chart(objective: Objective, measurements: list[Measurement], today: date) -> Chart:
    """The chart of an objective's measurements (oldest first) against its target."""
    first = measurements[0].measured_on if measurements else objective.start_date
    last = measurements[-1].measured_on if measurements else objective.start_date
    start, end = min(objective.start_date, first), max(objective.due_date, last)
    days = max((end - start).days, 1)
    plot_width, plot_height = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(day: date) -> float:
        return round(LEFT + (day - start).days / days * plot_width, 1)

    numbers = [float(m.value) for m in measurements] + [float(objective.target)]
    if objective.baseline is not None:
        numbers.append(float(objective.baseline))
    low, high, step = _y_range(numbers, objective.unit)

    def y(value: Decimal | float) -> float:
        return round(TOP + (high - float(value)) / (high - low) * plot_height, 1)

    path = " ".join(
        f"{'M' if index == 0 else 'L'}{x(m.measured_on)} {y(m.value)}" for index, m in enumerate(measurements)
    )
    shown = measurements if len(measurements) <= MAX_MARKERS else measurements[-1:]
    markers = [
        Marker(x(m.measured_on), y(m.value), f"{_day(m.measured_on)}: {with_unit(m.value, objective.unit)}")
        for m in shown
    ]
    planned = ""
    if objective.baseline is not None:
        planned = f"M{x(objective.start_date)} {y(objective.baseline)} L{x(objective.due_date)} {y(objective.target)}"
    ticks = []
    value = low
    while value <= high + step / 1000:
        ticks.append(Tick(y(value), f"{value:g}"))
        value += step
    x_ticks = [Tick(x(month), f"{month:%b %Y}" if month.month == 1 or index == 0 else f"{month:%b}")
               for index, month in enumerate(_month_starts(start, end))]  # fmt: skip
    return Chart(
        width=WIDTH,
        height=HEIGHT,
        left=LEFT,
        right=WIDTH - RIGHT,
        top=TOP,
        bottom=HEIGHT - BOTTOM,
        path=path,
        markers=markers,
        target_y=y(objective.target),
        target_label=f"Target {with_unit(objective.target, objective.unit)}",
        planned_path=planned,
        y_ticks=ticks,
        x_ticks=x_ticks,
        today_x=x(today) if start <= today <= end else None,
        description=_description(objective, measurements),
    )


def _description(objective: Objective, measurements: list[Measurement]) -> str:
    unit = objective.unit
    target = (
        f"The target is {with_unit(objective.target, unit)} by {_day(objective.due_date)} "
        f"({objective.get_direction_display().lower()})."
    )
    if not measurements:
        return f"No value recorded yet. {target}"
    first, last = measurements[0], measurements[-1]
    if len(measurements) == 1:
        values = f"One value: {with_unit(last.value, unit)} on {_day(last.measured_on)}."
    else:
        values = (
            f"{len(measurements)} values, from {with_unit(first.value, unit)} on {_day(first.measured_on)} to "
            f"{with_unit(last.value, unit)} on {_day(last.measured_on)}."
        )
    standing = objective.standing(last.value, last.measured_on)
    return f"{values} {target} Latest: {standing.label.lower()}."
