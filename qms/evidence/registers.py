"""The CSV registers of an evidence pack: each a generator of rows (the header first), as they were in the period.

Every register reads through the apps' `visible_to()` querysets with the pack's creator, so an external auditor's
pack holds only what their role may see. Cells go through `csv_safe` so a spreadsheet never runs one as a formula.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet

from audits.models import Audit, AuditProgramme, AuditReport, Finding
from capa.models import Capa, CapaAction, EffectivenessCheck, Nonconformity
from documents.models import (
    HEAVY_DOCUMENT_FIELDS,
    HEAVY_REVISION_FIELDS,
    Acknowledgement,
    Approval,
    Document,
    Revision,
    heavy_fields_through,
)
from improvement.models import Idea, StageChange
from qms.objectives.models import Measurement, Objective
from qms.objectives.selectors import objective_standings
from qms.periods import Period
from qms.reviews.models import ManagementReview, ReviewAction
from qms.web import csv_safe

Row = list[str]
_ROWS_PER_QUERY = 2000


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")  # 3.000 as 3, 100.000 as 100 (not 1E+2)
    return csv_safe(str(value))


def _rows(header: Row, records: Iterable[Any], row: Callable[[Any], list[Any]]) -> Iterator[Row]:
    """The header, then a row per record; a queryset is read a chunk at a time, never held whole."""
    yield header
    if isinstance(records, QuerySet):
        records = records.iterator(chunk_size=_ROWS_PER_QUERY)
    for record in records:
        yield [_cell(value) for value in row(record)]


def revisions_in_period(user: Any, period: Period) -> QuerySet[Revision]:
    """The revisions in force at any time in the period: effective before its end, not ended before its start."""
    return (
        Revision.objects.visible_to(user)
        .filter(status__in=Revision.PUBLISHED, effective_at__lt=period.ends_before)
        .filter(Q(ended_at__isnull=True) | Q(ended_at__gte=period.starts_at))
        .select_related("document", "author")
        .defer(*heavy_fields_through("document", HEAVY_DOCUMENT_FIELDS))
        .order_by("document__number", "revision")
    )


def audits_in_period(user: Any, period: Period) -> QuerySet[Audit]:
    return (
        Audit.objects.visible_to(user)
        .filter(planned_start__lte=period.end, planned_end__gte=period.start)
        .select_related("programme", "department", "lead_auditor")
        .order_by("reference")
    )


def capas_in_period(user: Any, period: Period) -> QuerySet[Capa]:
    return (
        Capa.objects.visible_to(user)
        .filter(created_at__lt=period.ends_before)
        .filter(Q(closed_at__isnull=True) | Q(closed_at__gte=period.starts_at))
        .select_related("owner", "clause")
        .order_by("reference")
    )


def nonconformities_in_period(user: Any, period: Period) -> QuerySet[Nonconformity]:
    """The log entries reported before the period ended (open ones stay evidence until they are dealt with)."""
    return (
        Nonconformity.objects.visible_to(user)
        .filter(reported_at__lt=period.ends_before)
        .select_related("department", "clause")
        .order_by("reference")
    )


def reviews_in_period(user: Any, period: Period) -> QuerySet[ManagementReview]:
    """The management reviews whose meeting was held in the period, or, not held yet, was planned in it."""
    held = Q(held_on__gte=period.start, held_on__lte=period.end)
    planned = Q(held_on__isnull=True, planned_on__gte=period.start, planned_on__lte=period.end)
    return (
        ManagementReview.objects.visible_to(user)
        .filter(held | planned)
        .select_related("chair", "signature")
        .order_by("reference")
    )


def final_reports(user: Any, period: Period) -> QuerySet[AuditReport]:
    return (
        AuditReport.objects.visible_to(user)
        .filter(final=True, audit__in=audits_in_period(user, period))
        .select_related("audit")
        .order_by("audit__reference")
    )


def document_register(user: Any, period: Period) -> Iterator[Row]:
    """The master list: each document the user sees, with the revision in force at the end of the period."""
    in_force = {
        rev.document_id: rev.revision
        for rev in revisions_in_period(user, period).filter(effective_at__lt=period.ends_before)
        if rev.ended_at is None or rev.ended_at >= period.ends_before
    }
    documents = (
        Document.objects.visible_to(user)
        .filter(created_at__lt=period.ends_before)
        .select_related("document_type", "owner", "department")
        .prefetch_related("clauses")
        .order_by("number")
    )
    at_end = values_at(Document, documents, period.ends_before)
    yield from _rows(
        [
            "number",
            "title",
            "type",
            "owner",
            "department",
            "clauses",
            "revision_in_force_at_period_end",
            "status_at_period_end",
            "status_now",
        ],
        documents,
        lambda d: [
            d.number,
            d.title,
            d.document_type.code,
            d.owner,
            d.department or "",
            " ".join(c.number for c in d.clauses.all()),
            in_force.get(d.pk, ""),
            at_end.get(d.pk, ""),
            d.status,
        ],
    )


def revision_register(user: Any, period: Period) -> Iterator[Row]:
    """Revisions in force during the period, one row per approval (its signature included); one row if none. A
    revision imported from an earlier system has no approval here and says where it came from."""
    header = [
        "document",
        "revision",
        "effective_at",
        "ended_at",
        "sha256",
        "author",
        "approver",
        "decision",
        "decided_at",
        "signature_meaning",
        "signed_sha256",
        "imported_from",
    ]
    yield header
    revisions = revisions_in_period(user, period).prefetch_related("approvals__approver", "approvals__signature")
    for rev in revisions:
        base = [rev.document.number, rev.revision, rev.effective_at, rev.ended_at, rev.sha256, rev.author]
        approvals: list[Approval] = list(rev.approvals.all())
        if not approvals:
            yield [_cell(v) for v in [*base, "", "", "", "", "", rev.imported_from]]
        for approval in approvals:
            signature = approval.signature
            yield [
                _cell(v)
                for v in [
                    *base,
                    approval.approver,
                    approval.decision,
                    approval.decided_at,
                    signature.meaning if signature else "",
                    signature.content_sha256 if signature else "",
                    rev.imported_from,
                ]
            ]


def acknowledgement_register(user: Any, period: Period) -> Iterator[Row]:
    acknowledgements = (
        Acknowledgement.objects.filter(revision__in=Revision.objects.visible_to(user))
        .filter(acknowledged_at__gte=period.starts_at, acknowledged_at__lt=period.ends_before)
        .select_related("revision__document", "user")
        .defer(
            *heavy_fields_through("revision", HEAVY_REVISION_FIELDS),
            *heavy_fields_through("revision__document", HEAVY_DOCUMENT_FIELDS),
        )
        .order_by("acknowledged_at", "pk")
    )
    yield from _rows(
        ["document", "revision", "user", "acknowledged_at"],
        acknowledgements,
        lambda a: [a.revision.document.number, a.revision.revision, a.user, a.acknowledged_at],
    )


def programme_register(user: Any, period: Period) -> Iterator[Row]:
    programmes = AuditProgramme.objects.filter(year__gte=period.start.year, year__lte=period.end.year).order_by("year")
    yield from _rows(["year", "objectives"], programmes, lambda p: [p.year, p.objectives])


def audit_register(user: Any, period: Period) -> Iterator[Row]:
    audits = audits_in_period(user, period).prefetch_related("clauses")
    at_end = values_at(Audit, audits, period.ends_before)
    yield from _rows(
        [
            "reference",
            "title",
            "department",
            "lead_auditor",
            "planned_start",
            "planned_end",
            "actual_start",
            "actual_end",
            "status_at_period_end",
            "status_now",
            "clauses",
            "earlier_reference",
        ],
        audits,
        lambda a: [
            a.reference,
            a.title,
            a.department or "",
            a.lead_auditor,
            a.planned_start,
            a.planned_end,
            a.actual_start,
            a.actual_end,
            at_end.get(a.pk, ""),
            a.status,
            " ".join(c.number for c in a.clauses.all()),
            a.imported_reference,
        ],
    )


def finding_register(user: Any, period: Period) -> Iterator[Row]:
    findings = (
        Finding.objects.filter(audit__in=audits_in_period(user, period), created_at__lt=period.ends_before)
        .select_related("audit", "clause", "department")
        .order_by("reference")
    )
    yield from _rows(
        ["reference", "audit", "type", "clause", "statement", "requirement", "evidence", "department", "raised_at"],
        findings,
        lambda f: [
            f.reference,
            f.audit.reference,
            f.type,
            f.clause.number,
            f.statement,
            f.requirement,
            f.evidence,
            f.department or "",
            f.created_at,
        ],
    )


def nonconformity_register(user: Any, period: Period) -> Iterator[Row]:
    nonconformities = nonconformities_in_period(user, period)
    at_end = values_at(Nonconformity, nonconformities, period.ends_before)
    yield from _rows(
        [
            "reference",
            "title",
            "source",
            "severity",
            "clause",
            "department",
            "reported_at",
            "status_at_period_end",
            "status_now",
        ],
        nonconformities,
        lambda n: [
            n.reference,
            n.title,
            n.source,
            n.severity,
            n.clause.number if n.clause else "",
            n.department or "",
            n.reported_at,
            at_end.get(n.pk, ""),
            n.status,
        ],
    )


def values_at(
    model: Any, records: QuerySet[Any] | Iterable[int], moment: datetime, field: str = "status"
) -> dict[int, Any]:
    """Each record's `field` as its history shows it at `moment`, not as it is today; records that did not exist
    yet are left out. One query, whatever the number of records: a queryset of the records is its subquery."""
    ids = records.values("pk") if isinstance(records, QuerySet) else list(records)
    # `id`, not `pk`: on the historical table the primary key is the history row's own, `id` is the record's.
    # Two columns, not whole historical records turned into instances: a year may hold tens of thousands.
    at_moment = model.history.as_of(moment).filter(id__in=ids).values_list("id", field)
    return dict(at_moment.iterator(chunk_size=_ROWS_PER_QUERY))


def capa_register(user: Any, period: Period) -> Iterator[Row]:
    capas = capas_in_period(user, period)
    at_end = values_at(Capa, capas, period.ends_before)
    yield from _rows(
        [
            "reference",
            "title",
            "kind",
            "source",
            "severity",
            "clause",
            "owner",
            "due_date",
            "status_at_period_end",
            "status_now",
            "root_cause",
            "closed_at",
            "earlier_reference",
        ],
        capas,
        lambda c: [
            c.reference,
            c.title,
            c.kind,
            c.source,
            c.severity,
            c.clause.number if c.clause else "",
            c.owner,
            c.due_date,
            at_end.get(c.pk, ""),
            c.status,
            c.root_cause,
            c.closed_at,
            c.imported_reference,
        ],
    )


def capa_action_register(user: Any, period: Period) -> Iterator[Row]:
    actions = (
        CapaAction.objects.filter(capa__in=capas_in_period(user, period), created_at__lt=period.ends_before)
        .select_related("capa", "owner")
        .order_by("capa__reference", "number")
    )
    at_end = values_at(CapaAction, actions, period.ends_before)
    yield from _rows(
        [
            "capa",
            "number",
            "description",
            "owner",
            "due_date",
            "status_at_period_end",
            "status_now",
            "completed_at",
            "evidence",
        ],
        actions,
        lambda a: [
            a.capa.reference,
            a.number,
            a.description,
            a.owner,
            a.due_date,
            at_end.get(a.pk, ""),
            a.status,
            a.completed_at,
            a.evidence,
        ],
    )


def effectiveness_register(user: Any, period: Period) -> Iterator[Row]:
    checks = (
        EffectivenessCheck.objects.filter(capa__in=capas_in_period(user, period))
        .select_related("capa", "verified_by", "signature")
        .order_by("capa__reference", "planned_date", "pk")
    )
    yield from _rows(
        ["capa", "planned_date", "criteria", "result", "verified_by", "verified_at", "signed_sha256"],
        checks,
        lambda e: [
            e.capa.reference,
            e.planned_date,
            e.criteria,
            e.result,
            e.verified_by or "",
            e.verified_at,
            e.signature.content_sha256 if e.signature else "",
        ],
    )


def idea_register(user: Any, period: Period) -> Iterator[Row]:
    ideas = Idea.objects.visible_to(user).filter(created_at__lt=period.ends_before).order_by("reference")
    at_end = values_at(Idea, ideas, period.ends_before, "stage")
    yield from _rows(
        [
            "reference",
            "title",
            "category",
            "source",
            "stage_at_period_end",
            "stage_now",
            "cycle",
            "target_metric",
            "baseline",
            "measured_result",
            "earlier_reference",
        ],
        ideas,
        lambda i: [
            i.reference,
            i.title,
            i.category,
            i.source,
            at_end.get(i.pk, ""),
            i.stage,
            i.cycle,
            i.target_metric,
            i.baseline,
            i.measured_result,
            i.imported_reference,
        ],
    )


def idea_stage_register(user: Any, period: Period) -> Iterator[Row]:
    changes = (
        StageChange.objects.filter(idea__in=Idea.objects.visible_to(user))
        .filter(at__gte=period.starts_at, at__lt=period.ends_before)
        .select_related("idea")
        .order_by("at", "pk")
    )
    yield from _rows(
        ["idea", "from_stage", "to_stage", "cycle", "at", "note"],
        changes,
        lambda s: [s.idea.reference, s.from_stage, s.to_stage, s.cycle, s.at, s.note],
    )


@dataclass(frozen=True)
class _HistorySource:
    """One kind of record in the history extract: which of its rows the user may see, and how a row is named."""

    model: Any
    visible: Callable[[Any], QuerySet[Any]]
    label: Callable[[Any], str]
    related: tuple[str, ...] = ()


_HISTORY_SOURCES = [
    _HistorySource(Document, lambda u: Document.objects.visible_to(u), lambda h: h.number),
    _HistorySource(
        Revision,
        lambda u: Revision.objects.visible_to(u),
        lambda h: f"{h.document.number} rev {h.revision}",
        ("document",),
    ),
    _HistorySource(
        Approval,
        lambda u: Approval.objects.filter(revision__in=Revision.objects.visible_to(u)),
        lambda h: f"{h.revision.document.number} rev {h.revision.revision} approval",
        ("revision__document",),
    ),
    _HistorySource(Audit, lambda u: Audit.objects.visible_to(u), lambda h: h.reference),
    _HistorySource(
        Finding, lambda u: Finding.objects.filter(audit__in=Audit.objects.visible_to(u)), lambda h: h.reference
    ),
    _HistorySource(Nonconformity, lambda u: Nonconformity.objects.visible_to(u), lambda h: h.reference),
    _HistorySource(Capa, lambda u: Capa.objects.visible_to(u), lambda h: h.reference),
    _HistorySource(
        CapaAction,
        lambda u: CapaAction.objects.filter(capa__in=Capa.objects.visible_to(u)),
        lambda h: f"{h.capa.reference} action {h.number}",
        ("capa",),
    ),
    _HistorySource(
        EffectivenessCheck,
        lambda u: EffectivenessCheck.objects.filter(capa__in=Capa.objects.visible_to(u)),
        lambda h: f"{h.capa.reference} effectiveness check",
        ("capa",),
    ),
    _HistorySource(Idea, lambda u: Idea.objects.visible_to(u), lambda h: h.reference),
    _HistorySource(Objective, lambda u: Objective.objects.visible_to(u), lambda h: h.reference),
    _HistorySource(ManagementReview, lambda u: ManagementReview.objects.visible_to(u), lambda h: h.reference),
]
_HISTORY_KINDS = {"+": "created", "~": "changed", "-": "deleted"}


def objective_register(user: Any, period: Period) -> Iterator[Row]:
    """The quality objectives (6.2) set before the period ended and not closed before it began, each with its last
    value on or before the period's end and whether that met the target."""
    standings = [
        standing for standing in objective_standings(user, period) if standing.objective.created_at < period.ends_before
    ]
    at_end = values_at(Objective, [standing.objective.pk for standing in standings], period.ends_before)
    yield from _rows(
        [
            "reference",
            "title",
            "metric",
            "unit",
            "direction",
            "baseline",
            "target",
            "owner",
            "department",
            "start_date",
            "due_date",
            "measured",
            "clauses",
            "status_at_period_end",
            "status_now",
            "last_value_in_period",
            "last_value_on",
            "target_met",
        ],
        standings,
        lambda s: [
            s.objective.reference,
            s.objective.title,
            s.objective.metric,
            s.objective.unit,
            s.objective.direction,
            s.objective.baseline,
            s.objective.target,
            s.objective.owner,
            s.objective.department or "",
            s.objective.start_date,
            s.objective.due_date,
            s.objective.source,
            " ".join(c.number for c in s.objective.clauses.all()),
            at_end.get(s.objective.pk, ""),
            s.objective.status,
            s.latest.value if s.latest else "",
            s.latest.measured_on if s.latest else "",
            "" if s.met is None else ("yes" if s.met else "no"),
        ],
    )


def objective_value_register(user: Any, period: Period) -> Iterator[Row]:
    """Every value of an objective's metric dated in the period: the results of monitoring and measurement (9.1)."""
    values = (
        Measurement.objects.visible_to(user)
        .filter(measured_on__gte=period.start, measured_on__lte=period.end)
        .select_related("objective", "entered_by")
        .order_by("objective__reference", "measured_on")
    )
    yield from _rows(
        ["objective", "measured_on", "value", "unit", "source", "entered_by", "entered_at", "note"],
        values,
        lambda m: [
            m.objective.reference,
            m.measured_on,
            m.value,
            m.objective.unit,
            m.source,
            m.entered_by or "",
            m.entered_at,
            m.note,
        ],
    )


def review_register(user: Any, period: Period) -> Iterator[Row]:
    """The management reviews (9.3) of the period, with what their chair signed."""
    reviews = reviews_in_period(user, period)
    at_end = values_at(ManagementReview, reviews, period.ends_before)
    yield from _rows(
        [
            "reference",
            "title",
            "reviewed_from",
            "reviewed_to",
            "planned_on",
            "held_on",
            "chair",
            "status_at_period_end",
            "status_now",
            "inputs_sha256",
            "conclusion",
            "signed_at",
            "signature_meaning",
            "signed_sha256",
        ],
        reviews,
        lambda r: [
            r.reference,
            r.title,
            r.period_start,
            r.period_end,
            r.planned_on,
            r.held_on,
            r.chair,
            at_end.get(r.pk, ""),
            r.status,
            r.inputs_sha256,
            r.conclusion,
            r.signed_at,
            r.signature.meaning if r.signature else "",
            r.signature.content_sha256 if r.signature else "",
        ],
    )


def review_action_register(user: Any, period: Period) -> Iterator[Row]:
    """The decisions of those reviews (9.3.3) and their actions, with the record each action became."""
    actions = (
        ReviewAction.objects.filter(review__in=reviews_in_period(user, period))
        .select_related("review", "decision", "owner", "capa", "idea", "change_request__document")
        .order_by("review__reference", "number")
    )
    yield from _rows(
        [
            "review",
            "decision",
            "decision_kind",
            "decision_text",
            "action",
            "description",
            "owner",
            "due_date",
            "status_now",
            "became",
            "note",
        ],
        actions,
        lambda a: [
            a.review.reference,
            f"D{a.decision.number}",
            a.decision.kind,
            a.decision.text,
            f"A{a.number}",
            a.description,
            a.owner,
            a.due_date,
            a.status,
            _handed_over_to(a),
            a.note,
        ],
    )


def _handed_over_to(action: ReviewAction) -> str:
    if action.capa is not None:
        return f"CAPA {action.capa.reference}"
    if action.idea is not None:
        return f"Idea {action.idea.reference}"
    if action.change_request is not None:
        return f"Change request on {action.change_request.document.number}"
    return ""


def history_register(user: Any, period: Period) -> Iterator[Row]:
    """The history extract: every change in the period to the records of the pack that the user may see, by kind
    of record, then in the order they happened."""
    yield ["at", "record_type", "record", "change", "user", "reason"]
    for source in _HISTORY_SOURCES:
        rows = (
            source.model.history.filter(id__in=source.visible(user).values("pk"))
            .filter(history_date__gte=period.starts_at, history_date__lt=period.ends_before)
            .select_related("history_user", *source.related)
            .order_by("history_date", "history_id")
        )
        record_type = source.model._meta.verbose_name
        for row in rows.iterator(chunk_size=2000):
            yield [
                _cell(row.history_date),
                record_type,
                _cell(source.label(row)),
                _HISTORY_KINDS.get(row.history_type, row.history_type),
                _cell(row.history_user or ""),
                _cell(row.history_change_reason or ""),
            ]


REGISTERS: list[tuple[str, Callable[[Any, Period], Iterator[Row]]]] = [
    ("registers/documents.csv", document_register),
    ("registers/revisions.csv", revision_register),
    ("registers/acknowledgements.csv", acknowledgement_register),
    ("registers/audit-programme.csv", programme_register),
    ("registers/audits.csv", audit_register),
    ("registers/findings.csv", finding_register),
    ("registers/nonconformities.csv", nonconformity_register),
    ("registers/capas.csv", capa_register),
    ("registers/capa-actions.csv", capa_action_register),
    ("registers/effectiveness-checks.csv", effectiveness_register),
    ("registers/ideas.csv", idea_register),
    ("registers/idea-stages.csv", idea_stage_register),
    ("registers/quality-objectives.csv", objective_register),
    ("registers/objective-values.csv", objective_value_register),
    ("registers/management-reviews.csv", review_register),
    ("registers/review-actions.csv", review_action_register),
    ("registers/history.csv", history_register),
]
"""Each register's entry name in the ZIP and the generator that writes it, in the order they are written."""
