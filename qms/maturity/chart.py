"""The trend chart's geometry, computed here so the template only draws it: an inline SVG, no chart library.

The chart is one picture of numbers that the page also gives as a table, so its text alternative is a summary
(first and last value of each line) rather than every point again.
"""

from __future__ import annotations

from dataclasses import dataclass

from qms.maturity.scores import MATURE, TrendPoint

WIDTH, HEIGHT = 720, 280
LEFT, RIGHT, TOP, BOTTOM = 44, 16, 14, 40
Y_TICKS = (0, 25, 50, 75, 100)


@dataclass(frozen=True)
class Marker:
    x: float
    y: float
    value: int
    label: str  # the month


@dataclass(frozen=True)
class Series:
    key: str  # structure or culture: the CSS class of its line
    label: str
    path: str  # an SVG path; a month without a score breaks the line
    markers: list[Marker]


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
    series: list[Series]
    y_ticks: list[Tick]
    x_ticks: list[Tick]
    mature_y: float
    mature_label: str
    description: str


def _y(value: float) -> float:
    return round(TOP + (100 - value) / 100 * (HEIGHT - TOP - BOTTOM), 1)


def _series(key: str, label: str, values: list[int | None], xs: list[float], months: list[str]) -> Series:
    path: list[str] = []
    markers: list[Marker] = []
    pen_down = False
    for x, value, month in zip(xs, values, months, strict=True):
        if value is None:
            pen_down = False
            continue
        path.append(f"{'L' if pen_down else 'M'}{x} {_y(value)}")
        markers.append(Marker(x, _y(value), value, month))
        pen_down = True
    return Series(key, label, " ".join(path), markers)


def _summary(label: str, values: list[int | None], months: list[str]) -> str:
    known = [(month, value) for month, value in zip(months, values, strict=True) if value is not None]
    if not known:
        return f"{label}: no data in these months."
    (first_month, first), (last_month, last) = known[0], known[-1]
    if len(known) == 1:
        return f"{label}: {last} % in {last_month} only."
    return f"{label} went from {first} % in {first_month} to {last} % in {last_month}."


def trend_chart(points: list[TrendPoint]) -> Chart:
    plot_width = WIDTH - LEFT - RIGHT
    step = plot_width / max(len(points) - 1, 1)
    xs = [round(LEFT + index * step, 1) for index in range(len(points))]
    months = [point.label for point in points]
    structure = [point.structure for point in points]
    culture = [point.culture for point in points]
    return Chart(
        width=WIDTH,
        height=HEIGHT,
        left=LEFT,
        right=WIDTH - RIGHT,
        top=TOP,
        bottom=HEIGHT - BOTTOM,
        series=[
            _series("structure", "Structure", structure, xs, months),
            _series("culture", "Culture", culture, xs, months),
        ],
        y_ticks=[Tick(_y(value), f"{value} %") for value in Y_TICKS],
        x_ticks=[Tick(x, f"{point.as_of:%b}") for x, point in zip(xs, points, strict=True)],
        mature_y=_y(MATURE),
        mature_label=f"{MATURE} %",
        description=" ".join([_summary("Structure", structure, months), _summary("Culture", culture, months)]),
    )
