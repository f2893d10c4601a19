"""The dashboard charts' geometry, computed here so the templates only draw it: inline SVG, no chart library, no script.

Three SVG charts: bars (one number per row), stacked bars (rows split into segments, as open CAPAs by age and status)
and a share bar (a rate). The heat map of findings by clause is a table shaded cell by cell rather than an SVG: its
hundred-odd cells are links, and an SVG shown as an image (`role="img"`) hides what is inside it from screen readers,
while a table names each cell by its row and column and keeps every link reachable from the keyboard.

No number is told by colour alone: bars and segments print their numbers, heat-map cells print their counts. Each SVG
has a one-sentence description for screen readers, and its panel lists the same numbers as links beside it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from qms.performance.metrics import Figure, FindingsByClause, Rate

WIDTH = 380  # the viewBox width: at a phone's width the text stays about 11 px, at a desktop's about 16 px
LABEL_WIDTH = 120  # the column of row labels
VALUE_SPACE = 44  # room after the longest bar for its number
ROW = 28
BAR = 18
PAD = 4
TONES = 5  # the stacked series' colours: tone-1 … tone-5 in performance.css
DIGIT = 8  # a digit's width at the charts' font size, to tell whether a number fits in its segment
HEAT_LEVELS = 4


# --- Bars -----------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Bar:
    key: str
    label: str
    value: int
    y: float  # top of the bar
    middle: float  # where its label and number sit
    width: float
    value_x: float
    height: int = BAR


@dataclass(frozen=True)
class BarChart:
    width: int
    height: int
    left: int
    bars: tuple[Bar, ...]
    description: str


def _height(rows: int) -> int:
    return 2 * PAD + rows * ROW - (ROW - BAR)


def bar_chart(figures: Sequence[Figure]) -> BarChart | None:
    """A bar per figure, scaled to the largest, its number after it; None when all are 0 (the panel says why)."""
    largest = max((figure.value for figure in figures), default=0)
    if not largest:
        return None
    plot = WIDTH - LABEL_WIDTH - VALUE_SPACE
    bars = []
    for index, figure in enumerate(figures):
        y = PAD + index * ROW
        width = round(plot * figure.value / largest, 1)
        bars.append(Bar(figure.key, figure.label, figure.value, y, y + BAR / 2, width, LABEL_WIDTH + width + 6))
    description = "; ".join(f"{figure.label}: {figure.value}" for figure in figures) + "."
    return BarChart(WIDTH, _height(len(figures)), LABEL_WIDTH, tuple(bars), description)


# --- Stacked bars ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Segment:
    key: str
    label: str
    value: int
    tone: int
    x: float
    width: float
    middle_x: float
    labelled: bool  # wide enough to print its number inside


@dataclass(frozen=True)
class StackedRow:
    label: str
    total: int
    y: float
    middle: float
    segments: tuple[Segment, ...]  # only the segments with a count
    total_x: float
    height: int = BAR


@dataclass(frozen=True)
class LegendItem:
    key: str
    label: str
    tone: int


@dataclass(frozen=True)
class StackedChart:
    width: int
    height: int
    left: int
    rows: tuple[StackedRow, ...]
    legend: tuple[LegendItem, ...]
    description: str


def stacked_chart(rows: Sequence[tuple[str, Sequence[Figure]]]) -> StackedChart | None:
    """Rows of segments, one per figure (the same series in every row, in the same order), scaled to the largest row
    total; a row labelled "" takes no label column. None when every count is 0."""
    largest = max((sum(figure.value for figure in figures) for _, figures in rows), default=0)
    if not largest:
        return None
    left = LABEL_WIDTH if any(label for label, _ in rows) else 0
    plot = WIDTH - left - VALUE_SPACE
    laid_out = []
    for index, (label, figures) in enumerate(rows):
        y = PAD + index * ROW
        x = float(left)
        segments = []
        for tone, figure in enumerate(figures, start=1):
            if not figure.value:
                continue
            width = round(plot * figure.value / largest, 1)
            fits = width >= DIGIT * len(str(figure.value)) + 6
            tone_of = (tone - 1) % TONES + 1
            segments.append(
                Segment(
                    figure.key, figure.label, figure.value, tone_of, round(x, 1), width, round(x + width / 2, 1), fits
                )
            )
            x += width
        total = sum(figure.value for figure in figures)
        laid_out.append(StackedRow(label, total, y, y + BAR / 2, tuple(segments), round(x + 6, 1)))
    series = rows[0][1]
    legend = tuple(
        LegendItem(figure.key, figure.label, (tone - 1) % TONES + 1) for tone, figure in enumerate(series, start=1)
    )
    described = []
    for label, figures in rows:
        parts = ", ".join(f"{figure.label} {figure.value}" for figure in figures if figure.value) or "none"
        total = sum(figure.value for figure in figures)
        described.append(f"{label + ': ' if label else ''}{total} ({parts})")
    return StackedChart(WIDTH, _height(len(rows)), left, tuple(laid_out), legend, "; ".join(described) + ".")


# --- A share ----------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ShareBar:
    width: int
    height: int
    fill: float


def share_bar(rate: Rate) -> ShareBar | None:
    """A track filled to the share; None when there is nothing to share out (the panel says "no data")."""
    if not rate.denominator:
        return None
    return ShareBar(WIDTH, 12, round(WIDTH * rate.numerator / rate.denominator, 1))


# --- The heat map -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class HeatCell:
    figure: Figure
    level: int  # 0 (none) to HEAT_LEVELS (the most)


@dataclass(frozen=True)
class HeatRow:
    number: str
    title: str
    whole: bool
    cells: tuple[HeatCell, ...]
    total: Figure


@dataclass(frozen=True)
class HeatGroup:
    number: str
    title: str
    rows: tuple[HeatRow, ...]


@dataclass(frozen=True)
class Shade:
    level: int
    low: int
    high: int

    @property
    def label(self) -> str:
        return str(self.low) if self.low == self.high else f"{self.low}–{self.high}"  # noqa: RUF001 - a range, shown


@dataclass(frozen=True)
class HeatMap:
    columns: tuple[tuple[str, str, str], ...]  # value, label, short label
    groups: tuple[HeatGroup, ...]
    by_type: tuple[Figure, ...]
    total: Figure
    shades: tuple[Shade, ...]
    description: str


def heat_level(value: int, largest: int) -> int:
    """1 … HEAT_LEVELS in equal steps up to the largest cell; 0 for an empty cell."""
    return math.ceil(HEAT_LEVELS * value / largest) if value and largest else 0


def heat_map(findings: FindingsByClause) -> HeatMap | None:
    """The findings table shaded by count; None when there is no finding in the period."""
    if not findings.total.value:
        return None
    largest = max(cell.value for group in findings.groups for row in group.rows for cell in row.cells)
    groups = tuple(
        HeatGroup(
            group.number,
            group.title,
            tuple(
                HeatRow(
                    row.number,
                    row.title,
                    row.whole,
                    tuple(HeatCell(cell, heat_level(cell.value, largest)) for cell in row.cells),
                    row.total,
                )
                for row in group.rows
            ),
        )
        for group in findings.groups
    )
    shades = []
    for level in range(1, HEAT_LEVELS + 1):
        low, high = math.floor((level - 1) * largest / HEAT_LEVELS) + 1, math.floor(level * largest / HEAT_LEVELS)
        if low <= high:
            shades.append(Shade(level, low, high))
    rows = sorted(
        (row for group in findings.groups for row in group.rows if row.total.value),
        key=lambda row: (-row.total.value, row.number),
    )
    most = ", ".join(f"{row.number} {row.title} ({row.total.value})" for row in rows[:3])
    count = findings.total.value
    description = f"{count} finding{'' if count == 1 else 's'} in the period; the most against {most}."
    return HeatMap(findings.types, groups, findings.by_type, findings.total, tuple(shades), description)
