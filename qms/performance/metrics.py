"""Every number of the performance dashboard, computed for a period and a user.

Each number is a `Figure`: a count, the records it counts in words, and a link to the register filtered to exactly
those records. Counts start from the apps' `visible_to(user)` querysets, so a number equals what its link lists.

Two kinds of numbers, and each panel says which it shows:
- states, as they are now (today): documents by status and reviews due, acknowledgements, open CAPAs by age and
  status. The registers show the present, and a number must equal what its link lists; a state at a past day would
  need the history, which the registers do not read.
- flows, within the period (both days included, days in the site's time zone): audits planned to start, findings
  raised, CAPAs closed and effectiveness checks signed, nonconformities reported, ideas submitted, people taking part.

The rules are the apps', shared with the maturity balance and the registers' filters, so each is written once:
`capa.selectors` (closed on time, effectiveness, repeat nonconformities), `documents.selectors` (acknowledgements due)
and `improvement.selectors` (taking part). `dashboard` asks 12 aggregate queries, whatever the amount of data.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.http import urlencode

from audits.models import Audit, Finding
from capa.models import Capa, EffectivenessCheck, Nonconformity
from capa.selectors import closure_counts, effectiveness_counts, is_repeat
from documents.models import Document, Revision
from documents.selectors import REVIEW_WARNING_DAYS, acknowledgement_counts
from improvement.models import Idea
from improvement.selectors import participation_by_department
from qms.maturity.scores import percent
from qms.models import Clause
from qms.periods import Period

# --- Numbers and their links --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Figure:
    """A count with the records it counts, in words (`what`, for the link's name), and the register that lists them."""

    key: str
    label: str
    value: int
    what: str
    url: str


@dataclass(frozen=True)
class Rate:
    """`numerator` of `denominator`, as a whole percentage rounded half up (as the maturity balance rounds)."""

    numerator: int
    denominator: int

    @property
    def percent(self) -> int | None:
        return percent(100 * self.numerator / self.denominator) if self.denominator else None


def _link(name: str, **params: Any) -> str:
    """The page `name` filtered by `params`; empty and None values are left out."""
    query = {key: str(value) for key, value in params.items() if value not in ("", None)}
    return reverse(name) + (f"?{urlencode(query)}" if query else "")


def _days(period: Period) -> dict[str, str]:
    return {"from": period.start.isoformat(), "to": period.end.isoformat()}


def _in(period: Period, name: str) -> Q:
    """`name` (a moment) falls within the period."""
    return Q(**{f"{name}__gte": period.starts_at, f"{name}__lt": period.ends_before})


# --- Controlled documents, now --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Documents:
    by_status: tuple[Figure, ...]
    total: Figure
    review_overdue: Figure
    review_soon: Figure


def documents(user: Any, today: date) -> Documents:
    """Documents by status now, and effective ones whose periodic review is overdue (due before today) or due within
    the next 30 days: the register's "review overdue" and "review soon". One query."""
    effective = Q(status=Document.Status.EFFECTIVE)
    soon = today + timedelta(days=REVIEW_WARNING_DAYS)
    counts = Document.objects.visible_to(user).aggregate(
        total=Count("pk"),
        overdue=Count("pk", filter=effective & Q(next_review_due__lt=today)),
        soon=Count("pk", filter=effective & Q(next_review_due__gte=today, next_review_due__lte=soon)),
        **{f"status_{value}": Count("pk", filter=Q(status=value)) for value in Document.Status.values},
    )
    return Documents(
        by_status=tuple(
            Figure(
                value,
                label,
                counts[f"status_{value}"],
                f"{label.lower()} documents",
                _link("documents:index", status=value),
            )
            for value, label in Document.Status.choices
        ),
        total=Figure("total", "All documents", counts["total"], "documents", _link("documents:index")),
        review_overdue=Figure(
            "overdue",
            "Review overdue",
            counts["overdue"],
            "effective documents whose periodic review is overdue",
            _link("documents:index", review="overdue"),
        ),
        review_soon=Figure(
            "soon",
            f"Review due within {REVIEW_WARNING_DAYS} days",
            counts["soon"],
            f"effective documents whose periodic review is due within {REVIEW_WARNING_DAYS} days",
            _link("documents:index", review="soon"),
        ),
    )


# --- Acknowledgements, now ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Acknowledgements:
    done: Figure
    pending: Figure
    rate: Rate


def acknowledgements(user: Any, today: date) -> Acknowledgements:
    """Of the acknowledgements required for the revisions in force today (each person who must read a revision, by
    its document's distribution departments and roles), those done. Both link to the training matrix, which lists
    every reader of every effective document and whether they read it. Two queries."""
    done, required = acknowledgement_counts(Revision.objects.visible_to(user), at=Period(today, today).ends_before)
    matrix = _link("documents:training")
    return Acknowledgements(
        done=Figure("done", "Done", done, "acknowledgements done", matrix),
        pending=Figure("pending", "Still to read", required - done, "acknowledgements still to do", matrix),
        rate=Rate(done, required),
    )


# --- Audit programme, in the period ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class AuditProgramme:
    by_status: tuple[Figure, ...]
    total: Figure
    completion: Rate  # closed, of the audits not cancelled


def audit_programme(user: Any, period: Period) -> AuditProgramme:
    """Audits planned to start in the period, by their status now. One query."""
    audits = Audit.objects.visible_to(user).filter(planned_start__gte=period.start, planned_start__lte=period.end)
    counts = audits.aggregate(
        total=Count("pk"), **{f"status_{value}": Count("pk", filter=Q(status=value)) for value in Audit.Status.values}
    )
    dates = {"planned_from": period.start.isoformat(), "planned_to": period.end.isoformat()}
    by_status = tuple(
        Figure(
            value,
            label,
            counts[f"status_{value}"],
            f"audits planned to start in the period, {label.lower()}",
            _link("audits:index", status=value, **dates),
        )
        for value, label in Audit.Status.choices
    )
    cancelled = counts[f"status_{Audit.Status.CANCELLED}"]
    return AuditProgramme(
        by_status=by_status,
        total=Figure(
            "total",
            "Planned to start",
            counts["total"],
            "audits planned to start in the period",
            _link("audits:index", **dates),
        ),
        completion=Rate(counts[f"status_{Audit.Status.CLOSED}"], counts["total"] - cancelled),
    )


# --- Findings by clause, in the period ------------------------------------------------------------------------------

# Column heads of the heat map, short enough for four columns on a phone; the page spells each out under the table.
FINDING_TYPE_SHORT: dict[str, str] = {
    Finding.Type.MAJOR_NC: "Major NC",
    Finding.Type.MINOR_NC: "Minor NC",
    Finding.Type.OBSERVATION: "Obs.",
    Finding.Type.OFI: "OFI",
}


@dataclass(frozen=True)
class ClauseRow:
    """Findings against a second-level clause (4.1 … 10.3) and its sub-clauses; or, `whole`, against a top-level
    clause as a whole (an audit may list "8" as its criterion)."""

    number: str
    title: str
    whole: bool
    cells: tuple[Figure, ...]  # one per finding type, in FINDING_TYPE_SHORT's order
    total: Figure


@dataclass(frozen=True)
class ClauseGroup:
    number: str
    title: str
    rows: tuple[ClauseRow, ...]


@dataclass(frozen=True)
class FindingsByClause:
    types: tuple[tuple[str, str, str], ...]  # value, label, short label
    groups: tuple[ClauseGroup, ...]
    by_type: tuple[Figure, ...]
    total: Figure


def _second_level(number: str) -> str:
    """7.1.5 → 7.1; 7.1 → 7.1; 7 → 7."""
    return ".".join(number.split(".")[:2])


def findings_by_clause(user: Any, period: Period) -> FindingsByClause:
    """Findings raised in the period on the audits the user sees, by clause (the 28 second-level clauses of ISO 9001,
    each with its sub-clauses) and type. Two queries: the clauses, and the counts grouped by clause and type."""
    findings = Finding.objects.filter(audit__in=Audit.objects.visible_to(user)).filter(_in(period, "created_at"))
    grouped = findings.values_list("clause__number", "type").annotate(found=Count("pk")).order_by()
    counts: dict[tuple[str, str], int] = {}
    for number, kind, found in grouped:
        key = (_second_level(number), kind)
        counts[key] = counts.get(key, 0) + found
    dates = {"raised_from": period.start.isoformat(), "raised_to": period.end.isoformat()}
    types = tuple((value, label, FINDING_TYPE_SHORT[value]) for value, label in Finding.Type.choices)

    def row(clause: Clause, *, whole: bool) -> ClauseRow:
        # A top-level clause as a whole is the clause exactly; a second-level one takes its sub-clauses with it.
        where = {"clause": clause.number} if whole else {"within": clause.number}
        name = f"{clause.number} {clause.title}" + (" (the clause as a whole)" if whole else "")
        cells = tuple(
            Figure(
                value,
                short,
                counts.get((clause.number, value), 0),
                f"{label.lower()} findings against {name}",
                _link("audits:findings", type=value, **where, **dates),
            )
            for value, label, short in types
        )
        total = sum(cell.value for cell in cells)
        return ClauseRow(
            clause.number,
            clause.title,
            whole,
            cells,
            Figure("total", "All types", total, f"findings against {name}", _link("audits:findings", **where, **dates)),
        )

    clauses = list(Clause.objects.filter(Q(parent__isnull=True) | Q(parent__parent__isnull=True)).order_by("sort_key"))
    groups = []
    for top in (clause for clause in clauses if clause.parent_id is None):
        whole = row(top, whole=True)
        rows = [row(clause, whole=False) for clause in clauses if clause.parent_id == top.pk]
        groups.append(ClauseGroup(top.number, top.title, tuple([whole, *rows] if whole.total.value else rows)))
    by_type = tuple(
        Figure(
            value,
            short,
            sum(found for (_, kind), found in counts.items() if kind == value),
            f"{label.lower()} findings raised in the period",
            _link("audits:findings", type=value, **dates),
        )
        for value, label, short in types
    )
    return FindingsByClause(
        types=types,
        groups=tuple(groups),
        by_type=by_type,
        total=Figure(
            "total",
            "All findings",
            sum(counts.values()),
            "findings raised in the period",
            _link("audits:findings", **dates),
        ),
    )


# --- Open CAPAs by age and status, now ------------------------------------------------------------------------------


@dataclass(frozen=True)
class AgeBucket:
    label: str
    short: str  # a table's column head, under "days since opened"
    low: int  # days since the CAPA was opened, both ends included
    high: int | None


# The en dash of a range is meant: the labels are shown on the page.
AGE_BUCKETS = (
    AgeBucket("0–30 days", "0–30", 0, 30),  # noqa: RUF001
    AgeBucket("31–90 days", "31–90", 31, 90),  # noqa: RUF001
    AgeBucket("91–180 days", "91–180", 91, 180),  # noqa: RUF001
    AgeBucket("Over 180 days", "Over 180", 181, None),
)
OPEN_STATUSES = tuple((value, label) for value, label in Capa.Status.choices if value not in Capa.ENDED)


@dataclass(frozen=True)
class AgeRow:
    label: str
    short: str
    cells: tuple[Figure, ...]  # one per open status, in OPEN_STATUSES' order
    total: Figure


@dataclass(frozen=True)
class StatusRow:
    total: Figure
    cells: tuple[Figure, ...]  # one per age bucket, in AGE_BUCKETS' order


@dataclass(frozen=True)
class OpenCapas:
    statuses: tuple[tuple[str, str], ...]
    rows: tuple[AgeRow, ...]
    by_status: tuple[Figure, ...]
    total: Figure
    overdue: Figure

    @property
    def status_rows(self) -> tuple[StatusRow, ...]:
        """The same counts a status to a row, the ages across: the table's shape, narrow enough for a phone."""
        return tuple(
            StatusRow(total, tuple(row.cells[position] for row in self.rows))
            for position, total in enumerate(self.by_status)
        )


def open_capas(user: Any, today: date) -> OpenCapas:
    """CAPAs not closed or cancelled, by age (today less the day each was opened, in days) and status; and those
    past their due date. One query."""

    def opened(bucket: AgeBucket) -> tuple[Q, dict[str, str]]:
        newest = today - timedelta(days=bucket.low)
        oldest = None if bucket.high is None else today - timedelta(days=bucket.high)
        moments = Q(created_at__lt=Period(newest, newest).ends_before)
        if oldest is not None:
            moments &= Q(created_at__gte=Period(oldest, oldest).starts_at)
        return moments, {"opened_from": oldest.isoformat() if oldest else "", "opened_to": newest.isoformat()}

    buckets = [(bucket, *opened(bucket)) for bucket in AGE_BUCKETS]
    running = Capa.objects.visible_to(user).exclude(status__in=list(Capa.ENDED))
    counts = running.aggregate(
        overdue=Count("pk", filter=Q(due_date__lt=today)),
        **{
            f"{index}_{value}": Count("pk", filter=moments & Q(status=value))
            for index, (_bucket, moments, _dates) in enumerate(buckets)
            for value, _label in OPEN_STATUSES
        },
    )
    rows = []
    for index, (bucket, _moments, dates) in enumerate(buckets):
        age = bucket.label.lower()
        cells = tuple(
            Figure(
                value,
                label,
                counts[f"{index}_{value}"],
                f"CAPAs open {age}, {label.lower()}",
                _link("capa:index", ended="no", status=value, **dates),
            )
            for value, label in OPEN_STATUSES
        )
        total = sum(cell.value for cell in cells)
        rows.append(
            AgeRow(
                bucket.label,
                bucket.short,
                cells,
                Figure("total", "All", total, f"CAPAs open {age}", _link("capa:index", ended="no", **dates)),
            )
        )
    by_status = tuple(
        Figure(
            value,
            label,
            sum(row.cells[position].value for row in rows),
            f"open CAPAs, {label.lower()}",
            _link("capa:index", ended="no", status=value),
        )
        for position, (value, label) in enumerate(OPEN_STATUSES)
    )
    return OpenCapas(
        statuses=OPEN_STATUSES,
        rows=tuple(rows),
        by_status=by_status,
        total=Figure(
            "total",
            "Open CAPAs",
            sum(row.total.value for row in rows),
            "CAPAs not closed or cancelled",
            _link("capa:index", ended="no"),
        ),
        overdue=Figure(
            "overdue",
            "Past their due date",
            counts["overdue"],
            "open CAPAs past their due date",
            _link("capa:index", overdue="1"),
        ),
    )


# --- CAPA closure and effectiveness, in the period ------------------------------------------------------------------


@dataclass(frozen=True)
class CapaOutcomes:
    closed: Figure
    on_time: Figure
    late: Figure
    on_time_rate: Rate
    effective: Figure
    failed: Figure  # CAPAs whose check failed in the period (a CAPA failing twice is one CAPA, two checks)
    checks_signed: int
    checks_not_effective: int
    effectiveness_rate: Rate  # effective checks of the checks signed, as the maturity balance's S3b


def capa_outcomes(user: Any, period: Period) -> CapaOutcomes:
    """CAPAs closed in the period, and those of them closed by their due date (`capa.selectors.closure_counts`);
    effectiveness checks signed in the period, and those that found the CAPA effective
    (`capa.selectors.effectiveness_counts`). Two queries."""
    capas = Capa.objects.visible_to(user)
    closure = closure_counts(capas, start=period.starts_at, end=period.ends_before)
    checks = effectiveness_counts(
        EffectivenessCheck.objects.filter(capa__in=capas), start=period.starts_at, end=period.ends_before
    )
    closed = {
        "status": Capa.Status.CLOSED,
        "closed_from": period.start.isoformat(),
        "closed_to": period.end.isoformat(),
    }
    signed = {"verified_from": period.start.isoformat(), "verified_to": period.end.isoformat()}
    return CapaOutcomes(
        closed=Figure(
            "closed", "Closed", closure["closed"], "CAPAs closed in the period", _link("capa:index", **closed)
        ),
        on_time=Figure(
            "on_time",
            "By their due date",
            closure["on_time"],
            "CAPAs closed in the period by their due date",
            _link("capa:index", on_time="yes", **closed),
        ),
        late=Figure(
            "late",
            "After their due date",
            closure["closed"] - closure["on_time"],
            "CAPAs closed in the period after their due date",
            _link("capa:index", on_time="no", **closed),
        ),
        on_time_rate=Rate(closure["on_time"], closure["closed"]),
        effective=Figure(
            "effective",
            "Found effective",
            checks["effective"],
            "CAPAs whose effectiveness check was signed effective in the period",
            _link("capa:index", verified=EffectivenessCheck.Result.EFFECTIVE, **signed),
        ),
        failed=Figure(
            "failed",
            "Failed a check",
            checks["failed_capas"],
            "CAPAs whose effectiveness check was signed not effective in the period",
            _link("capa:index", verified=EffectivenessCheck.Result.NOT_EFFECTIVE, **signed),
        ),
        checks_signed=checks["signed"],
        checks_not_effective=checks["not_effective"],
        effectiveness_rate=Rate(checks["effective"], checks["signed"]),
    )


# --- Repeat nonconformities, in the period --------------------------------------------------------------------------


@dataclass(frozen=True)
class Repeats:
    reported: Figure
    repeats: Figure
    rate: Rate


def repeat_nonconformities(user: Any, period: Period) -> Repeats:
    """Nonconformities reported in the period, and those that repeat an earlier one (`capa.selectors.is_repeat`: the
    same clause, or the same place in the same department, within the year before). One query."""
    reported = Nonconformity.objects.visible_to(user).filter(_in(period, "reported_at"))
    counts = reported.aggregate(reported=Count("pk"), repeats=Count("pk", filter=is_repeat()))
    dates = {"reported_from": period.start.isoformat(), "reported_to": period.end.isoformat()}
    return Repeats(
        reported=Figure(
            "reported",
            "Reported",
            counts["reported"],
            "nonconformities reported in the period",
            _link("capa:nonconformities", **dates),
        ),
        repeats=Figure(
            "repeats",
            "Repeats",
            counts["repeats"],
            "nonconformities reported in the period that repeat an earlier one",
            _link("capa:nonconformities", repeat="yes", **dates),
        ),
        rate=Rate(counts["repeats"], counts["reported"]),
    )


# --- Ideas and participation, in the period -------------------------------------------------------------------------

IDEA_STAGES = tuple(Idea.Stage.choices)  # the pipeline in its order, then rejected and parked


@dataclass(frozen=True)
class Ideas:
    by_stage: tuple[Figure, ...]
    total: Figure


def ideas(user: Any, period: Period) -> Ideas:
    """Ideas submitted in the period, by the PDCA stage they are in now. One query."""
    submitted = Idea.objects.visible_to(user).filter(_in(period, "created_at"))
    counts = submitted.aggregate(
        total=Count("pk"), **{f"stage_{value}": Count("pk", filter=Q(stage=value)) for value, _ in IDEA_STAGES}
    )
    dates = {"submitted_from": period.start.isoformat(), "submitted_to": period.end.isoformat()}
    return Ideas(
        by_stage=tuple(
            Figure(
                value,
                label,
                counts[f"stage_{value}"],
                f"ideas submitted in the period, now {label.lower()}",
                _link("improvement:list", stage=value, **dates),
            )
            for value, label in IDEA_STAGES
        ),
        total=Figure(
            "total", "Submitted", counts["total"], "ideas submitted in the period", _link("improvement:list", **dates)
        ),
    )


@dataclass(frozen=True)
class Participation:
    taking_part: Figure
    people: Figure
    rate: Rate


def participation(period: Period) -> Participation:
    """People who submitted an idea by name, voted or commented in the period, of the active people of the
    departments: `improvement.selectors.participation_by_department`, summed, as its page sums it. It counts people,
    not records, so no `visible_to` applies. One query."""
    rows = participation_by_department(since=period.starts_at, until=period.ends_before)
    people = sum(row.people for row in rows)
    taking_part = sum(row.taking_part for row in rows)
    page = _link("improvement:participation", **_days(period))
    return Participation(
        taking_part=Figure("taking_part", "Took part", taking_part, "people who took part in the period", page),
        people=Figure("people", "People", people, "people in the departments", page),
        rate=Rate(taking_part, people),
    )


# --- The page's whole computation -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Dashboard:
    period: Period
    today: date
    documents: Documents
    acknowledgements: Acknowledgements
    audits: AuditProgramme
    findings: FindingsByClause
    open_capas: OpenCapas
    capa_outcomes: CapaOutcomes
    repeats: Repeats
    ideas: Ideas
    participation: Participation

    @property
    def is_empty(self) -> bool:
        """Nothing recorded at all yet (a fresh install), whatever the period."""
        return not (
            self.documents.total.value
            or self.acknowledgements.rate.denominator
            or self.audits.total.value
            or self.findings.total.value
            or self.open_capas.total.value
            or self.capa_outcomes.closed.value
            or self.capa_outcomes.checks_signed
            or self.repeats.reported.value
            or self.ideas.total.value
            or self.participation.taking_part.value
        )


def dashboard(user: Any, period: Period, *, today: date) -> Dashboard:
    """Every panel's numbers: 12 aggregate queries, whatever the amount of data."""
    return Dashboard(
        period=period,
        today=today,
        documents=documents(user, today),
        acknowledgements=acknowledgements(user, today),
        audits=audit_programme(user, period),
        findings=findings_by_clause(user, period),
        open_capas=open_capas(user, today),
        capa_outcomes=capa_outcomes(user, period),
        repeats=repeat_nonconformities(user, period),
        ideas=ideas(user, period),
        participation=participation(period),
    )
