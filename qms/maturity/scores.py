"""The maturity scores, computed from live data as of a date: one function per indicator, the two axes, the monthly
trend and the recommended next focus.

Every indicator is a share from 0 to 100 % and says how it was computed, in words (`formula`) and with its numbers
(`statement`). An indicator whose denominator is 0 has no data: it is shown as such and left out of its axis's mean.
Each function asks the database a fixed number of aggregate queries, whatever the amount of data.

Choices, written once here and shown on the page:
- Percentages are rounded half up to whole numbers before anything else uses them, so the axis means and the
  recommendation can be redone by hand from what the page shows.
- Programme coverage counts the 28 second-level clauses of ISO 9001 (4.1 … 10.3): top-level clauses are too coarse
  (7 of them), third-level ones too fine for a yearly programme. An audit covers a second-level clause when it lists
  it, one of its sub-clauses, or the whole top-level clause above it.
- CAPAs give two indicators, closed on time and found effective: they fail for different reasons (late work versus
  a wrong root cause) and call for different remedies, so averaging them would hide which one is weak.
- Ideas per employee count ideas employees and customers suggested; ideas raised from audit findings or CAPAs are
  the QMS's own output and count in "findings turned into ideas or CAPA" instead.
- A finding is judged once its 30 days are over, so the findings counted are those raised in the 12 months up to
  30 days before the date: a finding raised last week has not failed yet.

For a past date, the history on the records is used where the records keep it; `Indicator.past` says, for each
indicator, what is exact and what is today's state standing in for the past one.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, DateTimeField, Exists, ExpressionWrapper, OuterRef, Q, QuerySet
from django.utils import timezone

from audits.models import Audit, Finding
from capa.models import Capa, EffectivenessCheck
from capa.selectors import closure_counts, effectiveness_counts
from documents.models import Document, Revision, add_months
from documents.selectors import acknowledgement_counts
from improvement.models import Idea, StageChange
from improvement.selectors import active_participants
from qms.models import Clause, User
from qms.roles import Role

STRUCTURE, CULTURE = "structure", "culture"
AXIS_LABELS = {STRUCTURE: "Structure (QMS)", CULTURE: "Culture (TQM)"}

# Settings of the indicators.
IDEA_RATE_TARGET = 10  # ideas per 100 employees per month that score 100 %: about 1.2 ideas per person per year
IDEA_RATE_MONTHS = 3
PARTICIPATION_DAYS = 90  # the window of improvement.selectors.PARTICIPATION_WINDOW
FINDING_RESPONSE_DAYS = 30
YEAR = 12  # months looked back by the yearly indicators
TREND_MONTHS = 12

# Thresholds of the recommendation (scores in %).
STRUCTURE_FLOOR = 60
CULTURE_FLOOR = 50
MATURE = 75
STRUCTURE_GAP = 15  # structure trailing culture by more than this
GROWTH_LIMIT = 20  # % more employees than 12 months before
CULTURE_RISE = 5  # points culture must gain over CULTURE_RISE_MONTHS not to count as flat
CULTURE_RISE_MONTHS = 6

AUDIT_HELD = (Audit.Status.IN_PROGRESS, Audit.Status.REPORTING, Audit.Status.CLOSED)
IDEA_OUTCOMES = (Idea.Stage.ACT, Idea.Stage.STANDARDIZED, Idea.Stage.REJECTED, Idea.Stage.PARKED)
IDEA_REACHED_ACT = (Idea.Stage.ACT, Idea.Stage.STANDARDIZED)
EMPLOYEE_IDEA_SOURCES = (Idea.Source.EMPLOYEE, Idea.Source.CUSTOMER)


# --- Dates --------------------------------------------------------------------------------------------------------


def _midnight_after(day: date) -> datetime:
    """The first moment after `day` in the site's time zone: "as of a day" means up to the end of that day."""
    return timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))


def _day(day: date) -> str:
    return f"{day.day} {day:%b %Y}"


@dataclass(frozen=True)
class _Window:
    """The days after `since` up to and including `until`; as moments, the half-open range [start, end)."""

    since: date
    until: date

    @property
    def start(self) -> datetime:
        return _midnight_after(self.since)

    @property
    def end(self) -> datetime:
        return _midnight_after(self.until)

    @property
    def words(self) -> str:
        return f"between {_day(self.since + timedelta(days=1))} and {_day(self.until)}"


def _months_to(day: date, months: int) -> _Window:
    return _Window(add_months(day, -months), day)


def month_end(day: date) -> date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def trend_dates(today: date, months: int = TREND_MONTHS) -> list[date]:
    """The end of each of the last `months` months, the current one ending today."""
    return [month_end(add_months(today.replace(day=1), -back)) for back in range(months - 1, 0, -1)] + [today]


# --- Indicators -----------------------------------------------------------------------------------------------------


def percent(value: float | Decimal) -> int:
    """Rounded half up, as people round (62.5 → 63), not to the even number as Python's round() does."""
    return int(Decimal(value).quantize(Decimal(1), rounding=ROUND_HALF_UP))


@dataclass(frozen=True)
class Indicator:
    code: str
    axis: str
    name: str
    numerator: int
    denominator: int
    value: float | None  # 0 to 100; None when there is no data
    formula: str  # how it is computed, in words
    statement: str  # the computation with its numbers
    past: str  # how it is computed for a past date

    @property
    def percent(self) -> int | None:
        return None if self.value is None else percent(self.value)

    @property
    def has_data(self) -> bool:
        return self.value is not None


def _share(
    code: str,
    axis: str,
    name: str,
    numerator: int,
    denominator: int,
    *,
    formula: str,
    counted: str,
    empty: str,
    past: str,
) -> Indicator:
    """A plain share: "`numerator` of `denominator` `counted` = N %", or `empty` when there is nothing to count."""
    if denominator:
        value: float | None = 100 * numerator / denominator
        statement = f"{numerator} of {denominator} {counted} = {percent(100 * numerator / denominator)} %"
    else:
        value, statement = None, f"No data: {empty}"
    return Indicator(code, axis, name, numerator, denominator, value, formula, statement, past)


def documents_reviewed_on_time(as_of: date) -> Indicator:
    """S1: effective documents whose next periodic review is not overdue on the date, as the history tells it."""
    on_the_day = Document.history.filter(history_date__lt=_midnight_after(as_of)).latest_of_each()
    counts = (
        on_the_day.exclude(history_type="-")
        .filter(status=Document.Status.EFFECTIVE)
        .aggregate(
            effective=Count("history_id"),
            on_time=Count("history_id", filter=Q(next_review_due__gte=as_of)),
        )
    )
    return _share(
        "S1",
        STRUCTURE,
        "Controlled documents reviewed on time",
        counts["on_time"],
        counts["effective"],
        formula="effective documents whose next review is due on or after the date ÷ effective documents "
        "(a document with no review date counts as not on time)",
        counted=f"effective documents had their next review due on or after {_day(as_of)}",
        empty=f"no document was effective on {_day(as_of)}.",
        past="Exact: each document's status and review date on that day, from its history.",
    )


def programme_coverage(as_of: date) -> Indicator:
    """S2: second-level clauses 4.1 to 10.3 covered by audits held (started) with a planned start in the 12 months."""
    window = _months_to(as_of, YEAR)
    held = Audit.objects.filter(
        status__in=AUDIT_HELD, planned_start__gt=window.since, planned_start__lte=window.until
    ).values("pk")
    audited = Audit.clauses.through.objects.filter(audit_id__in=held)
    covered = Exists(
        audited.filter(
            Q(clause_id=OuterRef("pk"))
            | Q(clause__parent_id=OuterRef("pk"))
            | Q(clause__parent__parent_id=OuterRef("pk"))
            | Q(clause_id=OuterRef("parent_id"))
        )
    )
    counts = Clause.objects.filter(parent__isnull=False, parent__parent__isnull=True).aggregate(
        clauses=Count("pk"), covered=Count("pk", filter=covered)
    )
    return _share(
        "S2",
        STRUCTURE,
        "Audit programme coverage",
        counts["covered"],
        counts["clauses"],
        formula="clauses 4.1 … 10.3 covered in the 12 months ÷ all of them; a clause is covered when an audit held "
        "(in progress, reporting or closed) lists it, one of its sub-clauses, or its whole top-level clause",
        counted=f"ISO 9001 clauses 4.1 … 10.3 were covered by audits planned to start {window.words}",
        empty="the ISO 9001 clause catalogue is not loaded.",
        past="Planned start dates decide the 12 months; whether an audit was held is today's status.",
    )


def capas_closed_on_time(as_of: date) -> Indicator:
    """S3a: CAPAs closed in the 12 months whose closing day was on or before their due date."""
    window = _months_to(as_of, YEAR)
    counts = closure_counts(Capa.objects.all(), start=window.start, end=window.end)
    return _share(
        "S3a",
        STRUCTURE,
        "CAPAs closed on time",
        counts["on_time"],
        counts["closed"],
        formula="CAPAs closed in the 12 months on or before their due date ÷ CAPAs closed in the 12 months",
        counted=f"CAPAs closed {window.words} were closed by their due date",
        empty=f"no CAPA was closed {window.words}.",
        past="Exact: closing and due dates are on the CAPAs.",
    )


def capas_found_effective(as_of: date) -> Indicator:
    """S3b: signed effectiveness checks of the 12 months that found the CAPA effective."""
    window = _months_to(as_of, YEAR)
    counts = effectiveness_counts(EffectivenessCheck.objects.all(), start=window.start, end=window.end)
    return _share(
        "S3b",
        STRUCTURE,
        "CAPAs found effective",
        counts["effective"],
        counts["signed"],
        formula="effectiveness checks signed effective in the 12 months ÷ all checks signed in the 12 months",
        counted=f"effectiveness checks signed {window.words} found the CAPA effective",
        empty=f"no effectiveness check was signed {window.words}.",
        past="Exact: each check keeps its signing date and result.",
    )


def acknowledgements_up_to_date(as_of: date) -> Indicator:
    """S4: of the acknowledgements due for the revisions in force on the date, the share done by then
    (documents.selectors.acknowledgement_counts: two queries)."""
    done, required = acknowledgement_counts(Revision.objects.all(), at=_midnight_after(as_of))
    return _share(
        "S4",
        STRUCTURE,
        "Acknowledgements up to date",
        done,
        required,
        formula="acknowledgements done of the revisions in force ÷ people who must read them (their distribution "
        "departments and roles), summed over the revisions",
        counted=f"required acknowledgements of the revisions in force on {_day(as_of)} were done",
        empty=f"no revision in force on {_day(as_of)} names anyone who must read it.",
        past="Revisions in force and acknowledgements are exact by their dates; who must read is today's "
        "distribution, departments and roles, for people whose account existed on that day.",
    )


def _employees(end: datetime) -> QuerySet[User]:
    """Active holders of the employee role whose account existed before `end`."""
    return User.objects.filter(is_active=True, date_joined__lt=end, groups__name=Role.EMPLOYEE)


EMPLOYEES_PAST = (
    "People are today's active employees whose account existed on that day: when someone left is not recorded."
)


def idea_rate(as_of: date) -> Indicator:
    """C1: ideas suggested per 100 employees per month over 3 months, scored against IDEA_RATE_TARGET (capped)."""
    window = _months_to(as_of, IDEA_RATE_MONTHS)
    ideas = Idea.objects.filter(
        source__in=EMPLOYEE_IDEA_SOURCES, created_at__gte=window.start, created_at__lt=window.end
    ).count()
    people = _employees(window.end).count()
    formula = (
        # The multiplication sign is meant: the formula is shown on the page.
        f"ideas from employees and customers in {IDEA_RATE_MONTHS} months ÷ employees × 100 ÷ {IDEA_RATE_MONTHS} = "  # noqa: RUF001
        f"ideas per 100 employees per month; ÷ the target of {IDEA_RATE_TARGET}, capped at 100 %"
    )
    past = "Idea dates are exact. " + EMPLOYEES_PAST
    name = "Ideas per 100 employees per month"
    if not people:
        return Indicator("C1", CULTURE, name, ideas, 0, None, formula, f"No data: no employee on {_day(as_of)}.", past)
    rate = ideas * 100 / people / IDEA_RATE_MONTHS
    value = min(100.0, 100 * rate / IDEA_RATE_TARGET)
    statement = (
        f"{ideas} ideas {window.words} from {people} employees = {rate:.1f} ideas per 100 employees per month; "
        f"target {IDEA_RATE_TARGET} → {percent(value)} %"
    )
    return Indicator("C1", CULTURE, name, ideas, people, value, formula, statement, past)


def _participants(window: _Window) -> QuerySet[User]:
    """improvement.selectors.active_participants (submitted by name, voted or commented), bounded on both sides: a
    past month must not count what came after it."""
    return active_participants(since=window.start, until=window.end)


def participation(as_of: date) -> Indicator:
    """C2: employees who submitted an idea by name, voted or commented in the last 90 days."""
    window = _Window(as_of - timedelta(days=PARTICIPATION_DAYS), as_of)
    counts = _employees(window.end).aggregate(
        people=Count("pk", distinct=True),
        taking_part=Count("pk", distinct=True, filter=Q(pk__in=_participants(window).values("pk"))),
    )
    return _share(
        "C2",
        CULTURE,
        "Participation in improvement",
        counts["taking_part"],
        counts["people"],
        formula=f"employees who submitted an idea by name, voted or commented in {PARTICIPATION_DAYS} days ÷ "
        "employees (anonymous ideas count for nobody)",
        counted=f"employees submitted, voted or commented {window.words}",
        empty=f"no employee on {_day(as_of)}.",
        past="Activity dates are exact. " + EMPLOYEES_PAST,
    )


def ideas_reaching_act(as_of: date) -> Indicator:
    """C3: of the ideas decided in the 12 months (moved to act, standardized, rejected or parked), those that reached
    act or standardized."""
    window = _months_to(as_of, YEAR)
    counts = StageChange.objects.filter(to_stage__in=IDEA_OUTCOMES, at__gte=window.start, at__lt=window.end).aggregate(
        decided=Count("idea", distinct=True),
        reached=Count("idea", distinct=True, filter=Q(to_stage__in=IDEA_REACHED_ACT)),
    )
    return _share(
        "C3",
        CULTURE,
        "Ideas reaching Act",
        counts["reached"],
        counts["decided"],
        formula="ideas moved to act or standardized in the 12 months ÷ ideas moved to act, standardized, rejected "
        "or parked in the 12 months (each idea once)",
        counted=f"ideas decided {window.words} reached Act",
        empty=f"no idea reached act, standardized, rejected or parked {window.words}.",
        past="Exact: every move of an idea is kept with its date.",
    )


def findings_followed_up(as_of: date) -> Indicator:
    """C4: audit findings that got their CAPA (nonconformities) or their idea or CAPA (observations and
    opportunities for improvement) within 30 days."""
    window = _months_to(as_of - timedelta(days=FINDING_RESPONSE_DAYS), YEAR)
    deadline = ExpressionWrapper(
        OuterRef("created_at") + timedelta(days=FINDING_RESPONSE_DAYS), output_field=DateTimeField()
    )
    with_capa = Exists(Capa.findings.through.objects.filter(finding_id=OuterRef("pk"), capa__created_at__lte=deadline))
    with_idea = Exists(Idea.objects.filter(finding_id=OuterRef("pk"), created_at__lte=deadline))
    nonconformity = Q(type__in=Finding.NONCONFORMITIES)
    counts = Finding.objects.filter(created_at__gte=window.start, created_at__lt=window.end).aggregate(
        raised=Count("pk"),
        answered=Count("pk", filter=(nonconformity & with_capa) | (~nonconformity & (with_capa | with_idea))),
    )
    return _share(
        "C4",
        CULTURE,
        "Findings turned into CAPA or ideas",
        counts["answered"],
        counts["raised"],
        formula=f"findings that got their CAPA (nonconformities) or their idea or CAPA (observations, OFIs) within "
        f"{FINDING_RESPONSE_DAYS} days ÷ findings raised in the 12 months up to {FINDING_RESPONSE_DAYS} days before "
        "the date",
        counted=f"findings raised {window.words} got their CAPA or idea within {FINDING_RESPONSE_DAYS} days",
        empty=f"no audit finding was raised {window.words}.",
        past="Exact by the findings', CAPAs' and ideas' dates (links between them as they are today).",
    )


IndicatorFunction = Callable[[date], Indicator]
STRUCTURE_INDICATORS: tuple[IndicatorFunction, ...] = (
    documents_reviewed_on_time,
    programme_coverage,
    capas_closed_on_time,
    capas_found_effective,
    acknowledgements_up_to_date,
)
CULTURE_INDICATORS: tuple[IndicatorFunction, ...] = (
    idea_rate,
    participation,
    ideas_reaching_act,
    findings_followed_up,
)


# --- Axes, trend, growth --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AxisScore:
    """An axis: the mean of its indicators that have data (rounded percentages), the others left out."""

    axis: str
    indicators: tuple[Indicator, ...]

    @property
    def label(self) -> str:
        return AXIS_LABELS[self.axis]

    @property
    def counted(self) -> list[Indicator]:
        return [indicator for indicator in self.indicators if indicator.has_data]

    @property
    def left_out(self) -> list[Indicator]:
        return [indicator for indicator in self.indicators if not indicator.has_data]

    @property
    def mean(self) -> Decimal | None:
        counted = [indicator.percent for indicator in self.counted if indicator.percent is not None]
        return Decimal(sum(counted)) / len(counted) if counted else None

    @property
    def score(self) -> int | None:
        return None if self.mean is None else percent(self.mean)

    @property
    def statement(self) -> str:
        """ "(75 + 32 + 67) ÷ 3 = 58.0 → 58 %", or why there is no score."""
        if self.mean is None:
            return "No data: none of its indicators has data."
        terms = " + ".join(str(indicator.percent) for indicator in self.counted)
        mean = self.mean.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
        return f"({terms}) ÷ {len(self.counted)} = {mean} → {self.score} %"


@dataclass(frozen=True)
class Scorecard:
    as_of: date
    structure: AxisScore
    culture: AxisScore

    @property
    def axes(self) -> tuple[AxisScore, AxisScore]:
        return self.structure, self.culture


def scorecard(as_of: date) -> Scorecard:
    return Scorecard(
        as_of,
        AxisScore(STRUCTURE, tuple(function(as_of) for function in STRUCTURE_INDICATORS)),
        AxisScore(CULTURE, tuple(function(as_of) for function in CULTURE_INDICATORS)),
    )


@dataclass(frozen=True)
class TrendPoint:
    as_of: date
    structure: int | None
    culture: int | None

    @property
    def label(self) -> str:
        return f"{self.as_of:%b %Y}"


def trend(cards: list[Scorecard]) -> list[TrendPoint]:
    return [TrendPoint(card.as_of, card.structure.score, card.culture.score) for card in cards]


@dataclass(frozen=True)
class Headcount:
    """Employees on a day and 12 months before, for the growth rule."""

    as_of: date
    now: int
    before: int

    @property
    def since(self) -> date:
        return add_months(self.as_of, -YEAR)

    @property
    def growth(self) -> float | None:
        return 100 * (self.now - self.before) / self.before if self.before else None

    @property
    def statement(self) -> str:
        if self.growth is None:
            return f"{self.now} employees on {_day(self.as_of)}, none with an account on {_day(self.since)}: no rate."
        return (
            f"{self.now} employees on {_day(self.as_of)} against {self.before} on {_day(self.since)} "
            f"= {self.growth:+.0f} %"
        )


def headcount(as_of: date) -> Headcount:
    before = _midnight_after(add_months(as_of, -YEAR))
    counts = _employees(_midnight_after(as_of)).aggregate(
        now=Count("pk", distinct=True), before=Count("pk", distinct=True, filter=Q(date_joined__lt=before))
    )
    return Headcount(as_of, counts["now"], counts["before"])


# --- Recommendation -------------------------------------------------------------------------------------------------

FOCUS_LABELS = {STRUCTURE: "Structure first", CULTURE: "Culture first", "both": "Both, in balance"}


@dataclass(frozen=True)
class Rule:
    code: str
    focus: str  # structure, culture, both, or "lower" (the lower of the two axes)
    text: str


RULES: tuple[Rule, ...] = (
    Rule(
        "structure-floor",
        STRUCTURE,
        f"Structure first when structure is below {STRUCTURE_FLOOR} % or has no data: processes are not consistent "
        "yet and the organisation is not audit-ready.",
    ),
    Rule(
        "growth",
        STRUCTURE,
        f"Structure first when the number of employees grew by more than {GROWTH_LIMIT} % in 12 months: newcomers "
        "need documented, acknowledged ways of working.",
    ),
    Rule(
        "structure-gap",
        STRUCTURE,
        f"Structure first when structure trails culture by more than {STRUCTURE_GAP} points: ideas need a system to "
        "be standardised into.",
    ),
    Rule("mature", "both", f"Both, in balance, when structure and culture are both {MATURE} % or more: mature."),
    Rule(
        "culture-floor",
        CULTURE,
        f"Culture first when culture is below {CULTURE_FLOOR} % or has no data: engagement is low.",
    ),
    Rule(
        "culture-flat",
        CULTURE,
        f"Culture first when culture gained less than {CULTURE_RISE} points in {CULTURE_RISE_MONTHS} months: "
        "processes exist but improvement stagnates.",
    ),
    Rule(
        "lower",
        "lower",
        f"Otherwise (neither axis at {MATURE} % yet, culture rising): bring up the lower axis.",
    ),
)
_RULES = {rule.code: rule for rule in RULES}


@dataclass(frozen=True)
class Recommendation:
    focus: str  # structure, culture or both
    rule: Rule
    reason: str

    @property
    def label(self) -> str:
        return FOCUS_LABELS[self.focus]


def recommend(
    *, structure: int | None, culture: int | None, culture_before: int | None, growth: float | None
) -> Recommendation:
    """The next focus: the first of RULES that applies, in their order, with the numbers that made it apply.

    `culture_before` is the culture score CULTURE_RISE_MONTHS months earlier; `growth` the headcount growth in % over
    12 months (None when there was nobody to compare with). Scores are whole percentages, as the page shows them.
    """

    def fired(code: str, reason: str, focus: str | None = None) -> Recommendation:
        rule = _RULES[code]
        return Recommendation(focus or rule.focus, rule, reason)

    if structure is None:
        return fired("structure-floor", "Structure has no data: none of its indicators has anything to count yet.")
    if structure < STRUCTURE_FLOOR:
        return fired("structure-floor", f"Structure is {structure} %, below {STRUCTURE_FLOOR} %.")
    if growth is not None and growth > GROWTH_LIMIT:
        return fired("growth", f"Employees grew by {growth:.0f} % in 12 months, more than {GROWTH_LIMIT} %.")
    if culture is not None and structure < culture - STRUCTURE_GAP:
        return fired(
            "structure-gap",
            f"Structure ({structure} %) trails culture ({culture} %) by {culture - structure} points, more than "
            f"{STRUCTURE_GAP}.",
        )
    if culture is not None and structure >= MATURE and culture >= MATURE:
        return fired("mature", f"Structure is {structure} % and culture {culture} %, both {MATURE} % or more.")
    if culture is None:
        return fired("culture-floor", f"Structure is {structure} %, but culture has no data yet.")
    if culture < CULTURE_FLOOR:
        return fired(
            "culture-floor",
            f"Structure is {structure} % (at least {STRUCTURE_FLOOR} %), culture {culture} %, below {CULTURE_FLOOR} %.",
        )
    if culture_before is not None and culture - culture_before < CULTURE_RISE:
        return fired(
            "culture-flat",
            f"Culture went from {culture_before} % to {culture} % in {CULTURE_RISE_MONTHS} months "
            f"({culture - culture_before:+d} points, less than +{CULTURE_RISE}).",
        )
    lower = STRUCTURE if structure <= culture else CULTURE
    rising = (
        f"rose from {culture_before} %"
        if culture_before is not None
        else f"has no score {CULTURE_RISE_MONTHS} months ago to compare with"
    )
    return fired(
        "lower",
        f"Structure is {structure} % and culture {culture} % (culture {rising}); {lower} is the lower axis.",
        focus=lower,
    )


# --- The page's whole computation -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Balance:
    current: Scorecard
    trend: list[TrendPoint]
    culture_before: TrendPoint
    headcount: Headcount
    recommendation: Recommendation


def balance(today: date) -> Balance:
    """Scores as of today, the trend of the last 12 month-ends (each computed as of its day), and the next focus.

    About 11 aggregate queries per month: 12 months ask some 130 small queries, whatever the amount of data.
    """
    cards = [scorecard(day) for day in trend_dates(today)]
    points = trend(cards)
    current, before = cards[-1], points[-1 - CULTURE_RISE_MONTHS]
    people = headcount(today)
    recommendation = recommend(
        structure=current.structure.score,
        culture=current.culture.score,
        culture_before=before.culture,
        growth=people.growth,
    )
    return Balance(current, points, before, people, recommendation)
