"""The inputs of a management review (ISO 9001 9.3.2), assembled from live data for the review's period.

One function per input, in the order of the standard, each returning a `Section`: its counts (with the count of the
period before, where a trend says something), its tables, and the records behind the counts, with links, so the
review page leads to them. `assemble` runs them all for a review and returns the snapshot that the review keeps;
the three inputs no data holds (b, d, e) are texts the quality manager writes on the review itself, and
`sections_for` puts everything back in the standard's order for the page and the PDF.

Every read goes through the apps' `visible_to(user)` with the acting quality manager. The rates come from the
maturity indicators of `qms.maturity.scores`, as of the period's end (or today, for a period not over yet); they
cover the 12 months up to that day, as their statements say, not the review's period.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone

from audits.models import Audit, Finding
from capa.models import Capa, Nonconformity, Severity, Source
from documents.models import add_months
from improvement.models import Idea
from qms.maturity import scores
from qms.models import User
from qms.objectives.selectors import objective_standings
from qms.periods import Period
from qms.reviews.models import ManagementReview, ReviewAction

SNAPSHOT_VERSION = 1
# A section lists at most this many records of a kind; its counts stay exact, and a note says how many are left out.
RECORDS_LIMIT = 50


# --- The shape of a section -----------------------------------------------------------------------------------------


@dataclass
class Fact:
    """One number (or short text) of an input, with the same count for the period before when it shows a trend."""

    label: str
    value: int | str
    previous: int | None = None
    note: str = ""


@dataclass
class Table:
    caption: str
    columns: list[str]
    rows: list[list[Any]]  # cells: text, a number, or {"text", "url"} for a link


@dataclass
class RecordRef:
    """A record behind a count, as it was when the inputs were assembled."""

    reference: str
    title: str
    url: str
    status: str = ""


@dataclass
class Group:
    """Records of one kind (the complaints, the CAPAs opened …), at most RECORDS_LIMIT of `total`."""

    caption: str
    records: list[RecordRef]
    total: int

    @property
    def left_out(self) -> int:
        return self.total - len(self.records)


@dataclass
class Section:
    key: str
    clause: str
    title: str
    summary: str = ""
    facts: list[Fact] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    groups: list[Group] = field(default_factory=list)
    note: str = ""
    text: str = ""  # the written inputs (b, d, e)
    written: bool = False


def _link(text: str, url: str) -> dict[str, str]:
    return {"text": text, "url": url}


def _group(caption: str, records: Iterable[Any], total: int, status: Callable[[Any], str]) -> Group:
    return Group(
        caption,
        [RecordRef(r.reference, r.title, r.get_absolute_url(), status(r)) for r in records],
        total,
    )


def _as_of(period: Period) -> date:
    """The day the rates are computed for: the period's end, or today while the period is not over."""
    return min(period.end, timezone.localdate())


def previous_period(period: Period) -> Period:
    """The period of the same length just before, for the trends 9.3.2 c) asks for."""
    end = period.start - timedelta(days=1)
    return Period(end - (period.end - period.start), end)


def _in(period: Period, name: str) -> Q:
    return Q(**{f"{name}__gte": period.starts_at, f"{name}__lt": period.ends_before})


def _indicator_fact(indicator: scores.Indicator) -> Fact:
    value = f"{indicator.percent} %" if indicator.percent is not None else "no data"
    return Fact(f"{indicator.name} ({indicator.code})", value, note=indicator.statement)


def _choice_counts(queryset: QuerySet[Any], name: str, choices: list[tuple[str, str]]) -> list[list[Any]]:
    counts = dict(queryset.order_by().values_list(name).annotate(n=Count("pk")))
    return [[label, counts.get(value, 0)] for value, label in choices if counts.get(value, 0)]


# --- 9.3.2 a) Actions from earlier reviews --------------------------------------------------------------------------


def earlier_actions(user: User, period: Period, *, review: ManagementReview) -> Section:
    """The actions of the last review held before this one, all of them, and those of older reviews still open; each
    with where it stands, and for one handed over, the state of the CAPA, idea or change request it became."""
    section = Section("earlier_actions", "9.3.2 a)", "Status of actions from earlier management reviews")
    earlier = list(
        ManagementReview.objects.visible_to(user)
        .filter(status__in=[ManagementReview.Status.HELD, ManagementReview.Status.SIGNED], held_on__isnull=False)
        .exclude(pk=review.pk)
        .order_by("-held_on", "-id")
    )
    if not earlier:
        section.summary = "No earlier management review was held: this is the first."
        return section
    latest = earlier[0]
    candidates = (
        ReviewAction.objects.filter(review__in=earlier)
        .select_related(
            "review", "decision", "owner", "capa", "idea", "change_request__revision", "change_request__document"
        )
        .order_by("-review__held_on", "review_id", "number")
    )
    actions = [(a, a.follow_up()) for a in candidates]
    actions = [(a, f) for a, f in actions if a.review_id == latest.pk or not f.ended]
    today = timezone.localdate()
    done = sum(1 for _, f in actions if f.done)
    not_done = sum(1 for _, f in actions if f.ended and not f.done)
    still_open = [a for a, f in actions if not f.ended]
    overdue = sum(1 for a in still_open if a.due_date < today)
    kinds = Counter(a.record_kind for a, _ in actions if a.record_kind)
    section.summary = (
        f"{len(actions)} action{'s' if len(actions) != 1 else ''} from {latest.reference} (held "
        f"{latest.held_on:%Y-%m-%d})"
        + (" and earlier reviews" if any(a.review_id != latest.pk for a, _ in actions) else "")
        + f": {done} done, {len(still_open)} open ({overdue} overdue), {not_done} ended without being done."
    )
    section.facts = [
        Fact("Actions reviewed", len(actions)),
        Fact("Done", done),
        Fact("Still open", len(still_open)),
        Fact("Overdue", overdue),
        Fact("Cancelled or not carried out", not_done),
        Fact("Became a CAPA", kinds.get("CAPA", 0)),
        Fact("Became an improvement idea", kinds.get("idea", 0)),
        Fact("Became a document change request", kinds.get("change request", 0)),
    ]
    rows = [
        [
            _link(action.label, action.get_absolute_url()),
            action.description,
            action.owner.display_name,
            f"{action.due_date:%Y-%m-%d}" + (" (overdue)" if not follow.ended and action.due_date < today else ""),
            record_cell(action),
            follow.label,
        ]
        for action, follow in actions
    ]
    section.tables = [
        Table("Actions and where they stand", ["Action", "What", "Owner", "Due", "Became", "Status"], rows),
    ]
    section.groups = [_group("Earlier reviews", earlier, len(earlier), lambda r: r.get_status_display())]
    return section


def record_cell(action: ReviewAction) -> dict[str, str] | str:
    """The record an action became, as a link (a change request links to its document's page)."""
    if action.capa is not None:
        return _link(action.capa.reference, action.capa.get_absolute_url())
    if action.idea is not None:
        return _link(action.idea.reference, action.idea.get_absolute_url())
    if action.change_request is not None:
        change = action.change_request
        return _link(f"CR-{change.pk:04d} on {change.document.number}", change.document.get_absolute_url())
    return "—"


# --- 9.3.2 c) 1) Customer satisfaction and feedback -----------------------------------------------------------------


def customer_feedback(user: User, period: Period) -> Section:
    """Customer complaints (nonconformities from the source customer_complaint) reported in the period, and ideas
    that came from customers."""
    section = Section("customer_feedback", "9.3.2 c) 1)", "Customer satisfaction and feedback")
    complaints = Nonconformity.objects.visible_to(user).filter(source=Source.CUSTOMER_COMPLAINT)
    in_period = complaints.filter(_in(period, "reported_at"))
    before = complaints.filter(_in(previous_period(period), "reported_at")).count()
    counts = in_period.aggregate(
        total=Count("pk"),
        open=Count("pk", filter=Q(status=Nonconformity.Status.OPEN)),
        closed=Count("pk", filter=Q(status=Nonconformity.Status.CLOSED)),
        escalated=Count("pk", filter=Q(status=Nonconformity.Status.ESCALATED)),
        late=Count("pk", filter=Q(status=Nonconformity.Status.OPEN, reply_due__lt=timezone.localdate())),
        customers=Count("customer", distinct=True),
    )
    ideas = Idea.objects.visible_to(user).filter(source=Idea.Source.CUSTOMER)
    customer_ideas = ideas.filter(_in(period, "created_at"))
    idea_count = customer_ideas.count()
    section.summary = (
        f"{counts['total']} customer complaint{'s' if counts['total'] != 1 else ''} from {counts['customers']} "
        f"customer{'s' if counts['customers'] != 1 else ''} (previous period: {before}); {counts['open']} still open, "
        f"{counts['late']} past the reply date. {idea_count} idea{'s' if idea_count != 1 else ''} from customers."
    )
    section.facts = [
        Fact("Customer complaints", counts["total"], previous=before),
        Fact("Customers who complained", counts["customers"]),
        Fact("Still open", counts["open"]),
        Fact("Open past the date the customer expects an answer", counts["late"]),
        Fact("Closed with a disposition", counts["closed"]),
        Fact("Escalated to a CAPA", counts["escalated"]),
        Fact(
            "Ideas from customers",
            idea_count,
            previous=ideas.filter(_in(previous_period(period), "created_at")).count(),
        ),
    ]
    by_customer = in_period.order_by().values("customer").annotate(n=Count("pk")).order_by("-n", "customer")
    if counts["total"]:
        section.tables = [
            Table("Complaints by customer", ["Customer", "Complaints"], [[r["customer"], r["n"]] for r in by_customer])
        ]
    section.groups = [
        _group(
            "Customer complaints",
            in_period.order_by("reported_at", "id")[:RECORDS_LIMIT],
            counts["total"],
            lambda n: f"{n.get_status_display()} · {n.customer}",
        ),
        _group(
            "Ideas from customers",
            customer_ideas.order_by("created_at", "id")[:RECORDS_LIMIT],
            idea_count,
            lambda i: i.get_stage_display(),
        ),
    ]
    return section


# --- 9.3.2 c) 2) Quality objectives ---------------------------------------------------------------------------------


def quality_objectives(user: User, period: Period) -> Section:
    """The extent to which the quality objectives were met: each objective in force in the period, its latest
    measurement up to the period's end against its target (`qms.objectives.selectors.objective_standings`)."""
    section = Section("objectives", "9.3.2 c) 2)", "Extent to which quality objectives have been met")
    standings = objective_standings(user, period)
    met = sum(1 for s in standings if s.met is True)
    missed = sum(1 for s in standings if s.met is False)
    unknown = sum(1 for s in standings if s.met is None)
    measured = sum(len(s.measurements) for s in standings)
    section.summary = (
        f"{met} of {len(standings)} objective{'s' if len(standings) != 1 else ''} met at the end of the period, "
        f"{missed} not met, {unknown} without a measurement to judge by."
        if standings
        else "No quality objective was in force in the period."
    )
    section.facts = [
        Fact("Objectives in force", len(standings)),
        Fact("Target met", met),
        Fact("Target not met", missed),
        Fact("Not measured yet", unknown),
        Fact("Measurements in the period", measured),
    ]
    rows = []
    for standing in standings:
        objective, latest = standing.objective, standing.latest
        rows.append(
            [
                _link(f"{objective.reference} {objective.title}", objective.get_absolute_url()),
                f"{objective.metric}: {_amount(objective.target, objective.unit)} "
                f"({objective.get_direction_display().lower()}) by {objective.due_date:%Y-%m-%d}",
                f"{_amount(latest.value, objective.unit)} on {latest.measured_on:%Y-%m-%d}" if latest else "—",
                {True: "Met", False: "Not met", None: "No data"}[standing.met],
                objective.owner.display_name,
                objective.get_status_display(),
            ]
        )
    if rows:
        section.tables = [Table("Objectives", ["Objective", "Target", "Latest value", "Met", "Owner", "Status"], rows)]
    return section


def _amount(value: Decimal, unit: str) -> str:
    """A value as people write it (95, 2.5, not 95.000) with its unit; a percentage without a space."""
    number = f"{value.normalize():f}"
    return f"{number}{unit}" if unit == "%" else f"{number} {unit}".strip()


# --- 9.3.2 c) 3) Process performance and conformity -----------------------------------------------------------------


def process_performance(user: User, period: Period) -> Section:
    """Nonconformities logged in the period, by source and severity and by department."""
    section = Section(
        "process_performance", "9.3.2 c) 3)", "Process performance and conformity of products and services"
    )
    logged = Nonconformity.objects.visible_to(user)
    in_period = logged.filter(_in(period, "reported_at"))
    before = logged.filter(_in(previous_period(period), "reported_at")).count()
    counts = in_period.aggregate(
        total=Count("pk"),
        open=Count("pk", filter=Q(status=Nonconformity.Status.OPEN)),
        high=Count("pk", filter=Q(severity=Severity.HIGH)),
        escalated=Count("pk", filter=Q(status=Nonconformity.Status.ESCALATED)),
    )
    section.summary = (
        f"{counts['total']} nonconformit{'ies' if counts['total'] != 1 else 'y'} logged (previous period: {before}), "
        f"{counts['high']} of high severity; {counts['escalated']} escalated to a CAPA, {counts['open']} not triaged "
        "yet."
    )
    section.facts = [
        Fact("Nonconformities logged", counts["total"], previous=before),
        Fact("Of high severity", counts["high"]),
        Fact("Escalated to a CAPA", counts["escalated"]),
        Fact("Not triaged yet", counts["open"]),
    ]
    grid: dict[tuple[str, str], int] = {
        (row["source"], row["severity"]): row["n"]
        for row in in_period.order_by().values("source", "severity").annotate(n=Count("pk"))
    }
    severities = list(Severity.choices)
    rows = [
        [label, *[grid.get((value, s), 0) for s, _ in severities], sum(grid.get((value, s), 0) for s, _ in severities)]
        for value, label in Source.choices
        if any(grid.get((value, s), 0) for s, _ in severities)
    ]
    departments = (
        in_period.order_by().values("department__name").annotate(n=Count("pk")).order_by("-n", "department__name")
    )
    if rows:
        section.tables = [
            Table("By source and severity", ["Source", *[label for _, label in severities], "Total"], rows),
            Table(
                "By department",
                ["Department", "Nonconformities"],
                [[row["department__name"] or "No department", row["n"]] for row in departments],
            ),
        ]
    section.groups = [
        _group(
            "Nonconformities logged",
            in_period.order_by("reported_at", "id")[:RECORDS_LIMIT],
            counts["total"],
            lambda n: f"{n.get_source_display()} · {n.get_severity_display()} · {n.get_status_display()}",
        )
    ]
    return section


# --- 9.3.2 c) 4) Nonconformities and corrective actions -------------------------------------------------------------


def corrective_actions(user: User, period: Period) -> Section:
    """CAPAs opened, closed and cancelled in the period, open at its end, overdue today; the on-time and effectiveness
    rates of the maturity indicators."""
    section = Section("corrective_actions", "9.3.2 c) 4)", "Nonconformities and corrective actions")
    capas = Capa.objects.visible_to(user)
    opened = capas.filter(_in(period, "created_at"))
    before = capas.filter(_in(previous_period(period), "created_at")).count()
    ended = capas.filter(_in(period, "closed_at"))
    counts = {
        "opened": opened.count(),
        "closed": ended.filter(status=Capa.Status.CLOSED).count(),
        "cancelled": ended.filter(status=Capa.Status.CANCELLED).count(),
        "open_at_end": capas.filter(created_at__lt=period.ends_before)
        .filter(Q(closed_at__isnull=True) | Q(closed_at__gte=period.ends_before))
        .count(),
    }
    overdue = capas.exclude(status__in=list(Capa.ENDED)).filter(due_date__lt=timezone.localdate())
    overdue_count = overdue.count()
    as_of = _as_of(period)
    on_time, effective = scores.capas_closed_on_time(as_of), scores.capas_found_effective(as_of)
    section.summary = (
        f"{counts['opened']} CAPA{'s' if counts['opened'] != 1 else ''} opened (previous period: {before}), "
        f"{counts['closed']} closed, {counts['open_at_end']} open at the end of the period, {overdue_count} overdue "
        f"today. Closed on time: {_percent(on_time)}; found effective: {_percent(effective)}."
    )
    section.facts = [
        Fact("CAPAs opened", counts["opened"], previous=before),
        Fact("Closed (signed effective)", counts["closed"]),
        Fact("Cancelled", counts["cancelled"]),
        Fact("Open at the end of the period", counts["open_at_end"]),
        Fact("Overdue today", overdue_count),
        _indicator_fact(on_time),
        _indicator_fact(effective),
    ]
    by_source = _choice_counts(opened, "source", Source.choices)
    if by_source:
        section.tables = [
            Table("CAPAs opened by source", ["Source", "CAPAs"], by_source),
            Table(
                "CAPAs opened by severity", ["Severity", "CAPAs"], _choice_counts(opened, "severity", Severity.choices)
            ),
        ]
    section.groups = [
        _group(
            "CAPAs opened",
            opened.order_by("created_at", "id")[:RECORDS_LIMIT],
            counts["opened"],
            lambda c: c.get_status_display(),
        ),
        _group(
            "CAPAs overdue today",
            overdue.order_by("due_date", "id")[:RECORDS_LIMIT],
            overdue_count,
            lambda c: f"{c.get_status_display()} · due {c.due_date:%Y-%m-%d}",
        ),
    ]
    return section


def _percent(indicator: scores.Indicator) -> str:
    return f"{indicator.percent} %" if indicator.percent is not None else "no data"


# --- 9.3.2 c) 5) Monitoring and measurement results -----------------------------------------------------------------


def monitoring_results(user: User, period: Period) -> Section:
    """What the QMS measures of itself: documents reviewed on time and acknowledgements up to date (maturity
    indicators), and the measurements recorded against the quality objectives in the period."""
    section = Section("monitoring", "9.3.2 c) 5)", "Monitoring and measurement results")
    as_of = _as_of(period)
    reviewed, acknowledged = scores.documents_reviewed_on_time(as_of), scores.acknowledgements_up_to_date(as_of)
    section.facts = [_indicator_fact(reviewed), _indicator_fact(acknowledged)]
    measured = sum(len(standing.measurements) for standing in objective_standings(user, period))
    section.facts.append(Fact("Measurements recorded against quality objectives", measured))
    section.summary = (
        f"Documents reviewed on time: {_percent(reviewed)}; acknowledgements up to date: {_percent(acknowledged)}"
        + f"; {measured} measurement{'s' if measured != 1 else ''} recorded against the quality objectives."
    )
    return section


# --- 9.3.2 c) 6) Audit results --------------------------------------------------------------------------------------


def audit_results(user: User, period: Period) -> Section:
    """Internal audits held in the period (started on a day in it: the actual start, or the planned one), their
    findings by type and by clause; audits planned in the period that were not held; the programme's coverage."""
    section = Section("audit_results", "9.3.2 c) 6)", "Audit results")
    visible = Audit.objects.visible_to(user).annotate(held_from=Coalesce("actual_start", "planned_start"))
    held_states = list(scores.AUDIT_HELD)

    def held_in(window: Period) -> QuerySet[Audit]:
        return visible.filter(status__in=held_states, held_from__gte=window.start, held_from__lte=window.end)

    held = held_in(period)
    held_count = held.count()
    before = held_in(previous_period(period)).count()
    not_held = visible.filter(planned_start__gte=period.start, planned_start__lte=period.end).filter(
        Q(status=Audit.Status.CANCELLED)
        | Q(status=Audit.Status.PLANNED, planned_end__lt=min(period.end + timedelta(days=1), timezone.localdate()))
    )
    findings = Finding.objects.filter(audit__in=held.values("pk"))
    counts = findings.aggregate(
        # Distinct: the CAPA join repeats a finding that has two CAPAs.
        total=Count("pk", distinct=True),
        major=Count("pk", distinct=True, filter=Q(type=Finding.Type.MAJOR_NC)),
        minor=Count("pk", distinct=True, filter=Q(type=Finding.Type.MINOR_NC)),
        observations=Count("pk", distinct=True, filter=Q(type=Finding.Type.OBSERVATION)),
        ofis=Count("pk", distinct=True, filter=Q(type=Finding.Type.OFI)),
        without_capa=Count("pk", distinct=True, filter=Q(type__in=Finding.NONCONFORMITIES, capas__isnull=True)),
    )
    coverage = scores.programme_coverage(_as_of(period))
    section.summary = (
        f"{held_count} internal audit{'s' if held_count != 1 else ''} held (previous period: {before}) with "
        f"{counts['total']} finding{'s' if counts['total'] != 1 else ''}: {counts['major']} major and "
        f"{counts['minor']} minor nonconformities, {counts['observations']} observations, {counts['ofis']} "
        f"opportunities for improvement. Programme coverage: {_percent(coverage)}."
    )
    section.facts = [
        Fact("Audits held", held_count, previous=before),
        Fact("Closed", held.filter(status=Audit.Status.CLOSED).count()),
        Fact("Planned in the period but not held", not_held.count()),
        Fact("Findings", counts["total"]),
        Fact("Major nonconformities", counts["major"]),
        Fact("Minor nonconformities", counts["minor"]),
        Fact("Observations", counts["observations"]),
        Fact("Opportunities for improvement", counts["ofis"]),
        Fact("Nonconformities without a CAPA", counts["without_capa"]),
        _indicator_fact(coverage),
    ]
    types = list(Finding.Type)
    by_clause: dict[tuple[str, str], list[int]] = {}
    for number, title, sort_key, kind, n in (
        findings.order_by()
        .values_list("clause__number", "clause__title", "clause__sort_key", "type")
        .annotate(n=Count("pk"))
    ):
        by_clause.setdefault((sort_key, f"{number} {title}"), [0] * len(types))[types.index(Finding.Type(kind))] += n
    if counts["total"]:
        section.tables = [
            Table(
                "Findings by clause and type",
                ["Clause", *[kind.label for kind in types], "Total"],
                [[name, *row, sum(row)] for (_, name), row in sorted(by_clause.items())],
            )
        ]
    section.groups = [
        _group("Audits held", held.order_by("held_from", "reference")[:RECORDS_LIMIT], held_count, _audit_status),
        _group(
            "Planned but not held", not_held.order_by("planned_start")[:RECORDS_LIMIT], not_held.count(), _audit_status
        ),
        Group(
            "Findings",
            [
                RecordRef(
                    f.reference, f.statement[:200], f.get_absolute_url(), f"{f.get_type_display()} · {f.clause.number}"
                )
                for f in findings.select_related("clause", "audit").order_by("reference")[:RECORDS_LIMIT]
            ],
            counts["total"],
        ),
    ]
    return section


def _audit_status(audit: Audit) -> str:
    return audit.get_status_display()


# --- 9.3.2 c) 7) External providers ---------------------------------------------------------------------------------


def external_providers(user: User, period: Period) -> Section:
    """The performance of external providers, as the QMS records it: nonconformities and CAPAs from suppliers."""
    section = Section("external_providers", "9.3.2 c) 7)", "Performance of external providers")
    logged = Nonconformity.objects.visible_to(user).filter(source=Source.SUPPLIER)
    in_period = logged.filter(_in(period, "reported_at"))
    capas = Capa.objects.visible_to(user).filter(source=Source.SUPPLIER)
    capas_in_period = capas.filter(_in(period, "created_at"))
    previous = previous_period(period)
    total, capa_total = in_period.count(), capas_in_period.count()
    section.summary = (
        f"{total} supplier nonconformit{'ies' if total != 1 else 'y'} logged and {capa_total} supplier "
        f"CAPA{'s' if capa_total != 1 else ''} opened."
    )
    section.facts = [
        Fact("Supplier nonconformities", total, previous=logged.filter(_in(previous, "reported_at")).count()),
        Fact("Supplier CAPAs opened", capa_total, previous=capas.filter(_in(previous, "created_at")).count()),
    ]
    section.groups = [
        _group(
            "Supplier nonconformities",
            in_period.order_by("reported_at", "id")[:RECORDS_LIMIT],
            total,
            lambda n: f"{n.get_severity_display()} · {n.get_status_display()}",
        ),
        _group(
            "Supplier CAPAs",
            capas_in_period.order_by("created_at", "id")[:RECORDS_LIMIT],
            capa_total,
            lambda c: c.get_status_display(),
        ),
    ]
    return section


# --- 9.3.2 f) Opportunities for improvement -------------------------------------------------------------------------


def improvement_opportunities(user: User, period: Period) -> Section:
    """Ideas submitted in the period and ideas that reached Act (or standardized) in it; opportunities for improvement
    raised by audits in the period, and how many became ideas."""
    section = Section("improvement", "9.3.2 f)", "Opportunities for improvement")
    ideas = Idea.objects.visible_to(user)
    submitted = ideas.filter(_in(period, "created_at"))
    submitted_count = submitted.count()
    before = ideas.filter(_in(previous_period(period), "created_at")).count()
    moved = Q(stage_changes__to_stage__in=scores.IDEA_REACHED_ACT) & _in(period, "stage_changes__at")
    reached = ideas.filter(moved).distinct()
    reached_count = reached.count()
    standardized = (
        ideas.filter(stage_changes__to_stage=Idea.Stage.STANDARDIZED)
        .filter(_in(period, "stage_changes__at"))
        .distinct()
        .count()
    )
    ofis = Finding.objects.filter(audit__in=Audit.objects.visible_to(user).values("pk"), type=Finding.Type.OFI).filter(
        _in(period, "created_at")
    )
    ofi_count = ofis.count()
    ofis_as_ideas = ofis.filter(ideas__isnull=False).distinct().count()
    section.summary = (
        f"{submitted_count} idea{'s' if submitted_count != 1 else ''} submitted (previous period: {before}), "
        f"{reached_count} reached Act, {standardized} standardized; {ofi_count} audit opportunit"
        f"{'ies' if ofi_count != 1 else 'y'} for improvement, {ofis_as_ideas} turned into ideas."
    )
    section.facts = [
        Fact("Ideas submitted", submitted_count, previous=before),
        Fact("Ideas that reached Act", reached_count),
        Fact("Ideas standardized", standardized),
        Fact("Opportunities for improvement from audits", ofi_count),
        Fact("Of these, turned into ideas", ofis_as_ideas),
    ]
    if submitted_count:
        section.tables = [
            Table(
                "Ideas submitted by source",
                ["Source", "Ideas"],
                _choice_counts(submitted, "source", Idea.Source.choices),
            ),
            Table(
                "Ideas submitted by category",
                ["Category", "Ideas"],
                _choice_counts(submitted, "category", Idea.Category.choices),
            ),
        ]
    section.groups = [
        _group(
            "Ideas that reached Act",
            reached.order_by("reference")[:RECORDS_LIMIT],
            reached_count,
            lambda i: i.get_stage_display(),
        ),
        Group(
            "Opportunities for improvement from audits",
            [
                RecordRef(f.reference, f.statement[:200], f.get_absolute_url(), f.clause.number)
                for f in ofis.select_related("clause", "audit").order_by("reference")[:RECORDS_LIMIT]
            ],
            ofi_count,
        ),
    ]
    return section


# --- The maturity balance -------------------------------------------------------------------------------------------


def maturity_balance(user: User, period: Period) -> Section:
    """Structure (QMS) against culture (TQM), as of the period's end, and the recommended next focus: the maturity
    page's scorecard and rules (`qms.maturity.scores`)."""
    section = Section("maturity", "9.3.2", "Maturity balance: structure and culture")
    as_of = _as_of(period)
    card = scores.scorecard(as_of)
    before = scores.scorecard(add_months(as_of, -scores.CULTURE_RISE_MONTHS))
    people = scores.headcount(as_of)
    recommendation = scores.recommend(
        structure=card.structure.score,
        culture=card.culture.score,
        culture_before=before.culture.score,
        growth=people.growth,
    )
    section.summary = (
        f"Structure {_score(card.structure.score)}, culture {_score(card.culture.score)} as of {as_of:%Y-%m-%d}. "
        f"Next focus: {recommendation.label.lower()}. {recommendation.reason}"
    )
    section.facts = [
        Fact(card.structure.label, _score(card.structure.score), note=card.structure.statement),
        Fact(card.culture.label, _score(card.culture.score), note=card.culture.statement),
        Fact(
            f"Culture {scores.CULTURE_RISE_MONTHS} months earlier",
            _score(before.culture.score),
            note=before.culture.statement,
        ),
        Fact("Recommended focus", recommendation.label, note=recommendation.reason),
    ]
    section.tables = [
        Table(
            "Indicators",
            ["Code", "Axis", "Indicator", "Score", "How it was computed"],
            [
                [i.code, scores.AXIS_LABELS[i.axis], i.name, _percent(i), i.statement]
                for axis in card.axes
                for i in axis.indicators
            ],
        )
    ]
    section.note = f"As of {as_of:%Y-%m-%d}; each indicator covers the time its statement names."
    return section


def _score(value: int | None) -> str:
    return f"{value} %" if value is not None else "no data"


# --- Assembling and showing -----------------------------------------------------------------------------------------

Assembler = Callable[[User, Period], Section]
ASSEMBLED: tuple[Assembler, ...] = (
    customer_feedback,
    quality_objectives,
    process_performance,
    corrective_actions,
    monitoring_results,
    audit_results,
    external_providers,
    improvement_opportunities,
    maturity_balance,
)
# The inputs of 9.3.2 in the standard's order: a key of the snapshot, or a text field of the review.
WRITTEN = {
    "issues": ("9.3.2 b)", "Changes in external and internal issues relevant to the QMS"),
    "resources": ("9.3.2 d)", "Adequacy of resources"),
    "risk_actions": ("9.3.2 e)", "Effectiveness of actions taken to address risks and opportunities"),
}
ORDER = (
    "earlier_actions",
    "issues",
    "customer_feedback",
    "objectives",
    "process_performance",
    "corrective_actions",
    "monitoring",
    "audit_results",
    "external_providers",
    "resources",
    "risk_actions",
    "improvement",
    "maturity",
)


def assemble(review: ManagementReview, *, user: User) -> dict[str, Any]:
    """The snapshot of the inputs for the review's period, read with `user`'s eyes: plain JSON, ready to be kept."""
    period = review.period
    sections = [earlier_actions(user, period, review=review), *(function(user, period) for function in ASSEMBLED)]
    return {
        "version": SNAPSHOT_VERSION,
        "period": {"start": period.start.isoformat(), "end": period.end.isoformat()},
        "as_of": _as_of(period).isoformat(),
        "assembled_at": timezone.now().isoformat(),
        "assembled_by": user.display_name,
        "sections": [_as_json(section) for section in sections],
    }


def _as_json(section: Section) -> dict[str, Any]:
    data = asdict(section)
    for group, source in zip(data["groups"], section.groups, strict=True):
        group["left_out"] = source.left_out
    return data


def sections_for(review: ManagementReview) -> list[dict[str, Any]]:
    """The review's inputs in the order of 9.3.2: the assembled sections from its snapshot, the written ones from the
    review itself. A section missing from an old snapshot is left out rather than invented."""
    assembled = {section["key"]: section for section in review.inputs.get("sections", [])}
    shown = []
    for key in ORDER:
        if key in WRITTEN:
            clause, title = WRITTEN[key]
            text = getattr(review, key)
            shown.append(
                _as_json(Section(key, clause, title, summary="" if text else "Not written.", text=text, written=True))
            )
        elif key in assembled:
            shown.append(_labelled(assembled[key]))
    return shown


def _labelled(section: dict[str, Any]) -> dict[str, Any]:
    """A copy of the section whose table cells carry their column's name, which a phone shows beside each value."""
    tables = [
        {**table, "cells": [list(zip(table["columns"], row, strict=False)) for row in table["rows"]]}
        for table in section.get("tables", [])
    ]
    return {**section, "tables": tables}
