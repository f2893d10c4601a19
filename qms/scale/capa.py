"""Seeded nonconformity log and CAPAs: every nonconformity found by a closed audit has its CAPA (the rule for
closing an audit), some log entries are escalated to one, and the rest of the CAPAs come from complaints, suppliers
and internal findings. Old CAPAs are mostly closed with a signed effectiveness check; recent ones are on their way.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from audits.models import Audit
from capa.models import Capa, CapaAction, CauseCategory, EffectivenessCheck, Nonconformity, Severity, Source
from qms.models import Signature
from qms.scale.audits import SeededFinding
from qms.scale.rows import Row, Rows
from qms.scale.vocabulary import CUSTOMERS, LOCATIONS
from qms.scale.world import World, add_signature
from qms.signatures import sha256_of_text

C = Capa.Status
SOURCES = [Source.CUSTOMER_COMPLAINT, Source.INTERNAL, Source.SUPPLIER, Source.PROCESS_DEVIATION]
SOURCE_WEIGHTS = [30, 30, 20, 20]
STEP_REASONS = {
    C.INVESTIGATING: "Investigation started",
    C.IMPLEMENTING: "Root cause recorded; implementing",
    C.VERIFYING: "Actions done; verifying",
    C.CLOSED: "Effectiveness verified; closed",
}


@dataclass(frozen=True)
class SeededCapa:
    id: int
    status: str
    created_at: datetime
    department_id: int | None


def add_quality_events(
    world: World, rows: Rows, *, nonconformities: int, capas: int, findings: list[SeededFinding]
) -> list[SeededCapa]:
    """The nonconformity log and the CAPAs of one chunk; returns the CAPAs (ideas may come from them)."""
    seeded: list[SeededCapa] = []
    by_audit: dict[int, list[SeededFinding]] = defaultdict(list)
    for finding in findings:
        if finding.type in ("major_nc", "minor_nc") and finding.audit_status in (Audit.Status.CLOSED, "reporting"):
            by_audit[finding.audit_id].append(finding)
    for audit_findings in by_audit.values():
        if audit_findings[0].audit_status != Audit.Status.CLOSED and world.rng.random() < 0.5:
            continue  # still reporting: its CAPA is not raised yet
        created = world.after(max(f.created_at for f in audit_findings), max_days=5, min_days=0.2)
        seeded.append(
            _capa(
                world,
                rows,
                source=Source.AUDIT_FINDING,
                created=created,
                department_id=audit_findings[0].department_id,
                clause_id=audit_findings[0].clause_id,
                finding_ids=[f.id for f in audit_findings],
                nonconformity_ids=[],
            )
        )
    log_findings = [finding for finding in findings if finding.type in ("major_nc", "minor_nc", "observation")]
    for _ in range(nonconformities):
        capa = _nonconformity(world, rows, log_findings)
        if capa is not None:
            seeded.append(capa)
    for _ in range(max(capas - len(seeded), 0)):
        source = world.rng.choices(SOURCES, weights=SOURCE_WEIGHTS)[0]
        created = world.moment(world.start, world.now - timedelta(hours=2))
        department_id = world.rng.choice(world.departments)
        clause_id = world.rng.choice(world.clauses)[0]
        seeded.append(
            _capa(
                world,
                rows,
                source=source,
                created=created,
                department_id=department_id,
                clause_id=clause_id,
                finding_ids=[],
                nonconformity_ids=[],
            )
        )
    return seeded


def _nonconformity(world: World, rows: Rows, findings: list[SeededFinding]) -> SeededCapa | None:
    """One log entry; returns the CAPA it was escalated to, if it was."""
    rng = world.rng
    source = rng.choices([Source.AUDIT_FINDING, *SOURCES], weights=[10, *SOURCE_WEIGHTS])[0]
    finding = rng.choice(findings) if source == Source.AUDIT_FINDING and findings else None
    if source == Source.AUDIT_FINDING and finding is None:
        source = Source.INTERNAL
    reported = finding.created_at if finding else world.moment(world.start, world.now - timedelta(hours=1))
    department_id = finding.department_id if finding else rng.choice(world.departments)
    reporter = world.member_of(department_id)
    customer = rng.choice(CUSTOMERS) if source == Source.CUSTOMER_COMPLAINT else ""
    process = world.vocabulary.process()
    entry = rows.add(
        Nonconformity,
        reference=f"NC-{world.next_number('nonconformity'):04d}",
        title=f"{world.vocabulary.object().capitalize()} out of tolerance after {process}"[:200],
        description=world.vocabulary.statement(),
        location=rng.choice(LOCATIONS),
        source=source,
        severity=rng.choices(Severity.values, weights=(50, 35, 15))[0],
        containment="Affected stock quarantined and labelled.",
        department_id=department_id,
        clause_id=finding.clause_id if finding else (rng.choice(world.clauses)[0] if rng.random() < 0.5 else None),
        finding_id=finding.id if finding else None,
        customer=customer,
        customer_reference=f"CC-{rng.randint(1000, 99999)}" if customer else "",
        reply_due=(reported + timedelta(days=10)).date() if customer else None,
        status=Nonconformity.Status.OPEN,
        disposition="",
        disposition_note="",
        triaged_by_id=None,
        triaged_at=None,
        reported_by_id=reporter.id,
        reported_at=reported,
    )
    rows.history(Nonconformity, entry, when=reported, user=reporter.id, reason="Nonconformity reported")
    if reported > world.now - timedelta(days=14) and rng.random() < 0.6:
        return None  # still waiting for triage
    manager = rng.choice(world.quality_managers)
    triaged = world.after(reported, max_days=7, min_days=0.1)
    if rng.random() < 0.15:
        capa_created = world.after(triaged, max_days=1)
        capa = _capa(
            world,
            rows,
            source=source,
            created=capa_created,
            department_id=department_id,
            clause_id=entry["clause_id"],
            finding_ids=[],
            nonconformity_ids=[entry["id"]],
        )
        entry.update(status=Nonconformity.Status.ESCALATED, triaged_by_id=manager.id, triaged_at=triaged)
        rows.history(Nonconformity, entry, when=triaged, user=manager.id, reason="Escalated to a CAPA", kind="~")
        return capa
    disposition = rng.choice(Nonconformity.Disposition.values)
    entry.update(
        status=Nonconformity.Status.CLOSED,
        disposition=disposition,
        disposition_note="Decided with production.",
        triaged_by_id=manager.id,
        triaged_at=triaged,
    )
    label = Nonconformity.Disposition(disposition).label
    rows.history(Nonconformity, entry, when=triaged, user=manager.id, reason=f"Closed: {label}", kind="~")
    return None


def _status_by_age(world: World, created: datetime) -> str:
    age = world.now - created
    rng = world.rng
    if age < timedelta(days=30):
        return rng.choice([C.OPEN, C.INVESTIGATING])
    if age < timedelta(days=150):
        return rng.choice([C.INVESTIGATING, C.IMPLEMENTING, C.VERIFYING, C.CLOSED])
    draw = rng.random()
    return C.CLOSED if draw < 0.88 else C.CANCELLED if draw < 0.95 else C.IMPLEMENTING


def _capa(
    world: World,
    rows: Rows,
    *,
    source: str,
    created: datetime,
    department_id: int | None,
    clause_id: int | None,
    finding_ids: list[int],
    nonconformity_ids: list[int],
) -> SeededCapa:
    rng = world.rng
    vocabulary = world.vocabulary
    manager = rng.choice(world.quality_managers)
    owner = world.member_of(department_id)
    status = _status_by_age(world, created)
    capa = rows.add(
        Capa,
        reference=f"CAPA-{world.next_number('capa'):04d}",
        title=f"{vocabulary.process().capitalize()}: {vocabulary.object()} defects"[:200],
        kind=Capa.Kind.CORRECTIVE if rng.random() < 0.85 else Capa.Kind.PREVENTIVE,
        source=source,
        severity=rng.choices(Severity.values, weights=(40, 40, 20))[0],
        problem=vocabulary.statement(),
        containment="Stock checked and suspect parts segregated.",
        owner_id=owner.id,
        department_id=department_id,
        clause_id=clause_id,
        due_date=(created + timedelta(days=rng.randint(30, 90))).date(),
        status=C.OPEN,
        root_cause_method="",
        root_cause_analysis=[],
        root_cause="",
        cause_category="",
        cancel_reason="",
        closed_at=None,
        created_by_id=manager.id,
        created_at=created,
    )
    rows.history(Capa, capa, when=created, user=manager.id, reason="CAPA opened")
    links = {
        "findings": rows.link(Capa, "findings", capa["id"], finding_ids),
        "nonconformities": rows.link(Capa, "nonconformities", capa["id"], nonconformity_ids),
    }
    moment = created + timedelta(seconds=1)
    _step(rows, capa, links, at=moment, user=manager.id, reason="CAPA opened")
    if status == C.OPEN:
        return SeededCapa(capa["id"], status, created, department_id)
    if status == C.CANCELLED:
        at = world.after(created, max_days=30, min_days=1)
        capa.update(status=C.CANCELLED, cancel_reason="Duplicate of an earlier CAPA.")
        _step(rows, capa, links, at=at, user=manager.id, reason="Cancelled: duplicate of an earlier CAPA")
        return SeededCapa(capa["id"], status, created, department_id)
    moment = world.after(moment, max_days=7, min_days=0.5)
    capa["status"] = C.INVESTIGATING
    _step(rows, capa, links, at=moment, user=owner.id, reason=STEP_REASONS[C.INVESTIGATING])
    if status == C.INVESTIGATING:
        return SeededCapa(capa["id"], status, created, department_id)
    capa.update(_root_cause(world))
    moment = world.after(moment, max_days=20, min_days=1)
    capa["status"] = C.IMPLEMENTING
    _step(rows, capa, links, at=moment, user=owner.id, reason=STEP_REASONS[C.IMPLEMENTING])
    done_by = _actions(world, rows, capa, planned=moment, finish=status != C.IMPLEMENTING)
    if status == C.IMPLEMENTING:
        return SeededCapa(capa["id"], status, created, department_id)
    moment = max(done_by, moment) + timedelta(hours=1)
    capa["status"] = C.VERIFYING
    _step(rows, capa, links, at=min(moment, world.now), user=owner.id, reason=STEP_REASONS[C.VERIFYING])
    check = rows.add(
        EffectivenessCheck,
        capa_id=capa["id"],
        planned_date=(moment + timedelta(days=rng.randint(14, 60))).date(),
        criteria="No recurrence in the next three months of production.",
        result="",
        comment="",
        verified_by_id=None,
        verified_at=None,
        signature_id=None,
        reminded_on=None,
    )
    planned = check["planned_date"]
    rows.history(
        EffectivenessCheck,
        check,
        when=min(moment, world.now),
        user=manager.id,
        reason=f"Effectiveness check planned for {planned:%Y-%m-%d}",
    )
    if status == C.VERIFYING:
        return SeededCapa(capa["id"], status, created, department_id)
    verified = world.after(moment, max_days=90, min_days=14)
    signature = add_signature(
        world,
        rows,
        manager,
        capa,
        "capa",
        at=verified,
        meaning=Signature.Meaning.VERIFIED,
        content_sha256=sha256_of_text(f"{capa['reference']}\n{capa['root_cause']}"),
        comment="No recurrence seen.",
    )
    check.update(
        result=EffectivenessCheck.Result.EFFECTIVE,
        comment="No recurrence seen.",
        verified_by_id=manager.id,
        verified_at=verified,
        signature_id=signature["id"],
    )
    rows.history(EffectivenessCheck, check, when=verified, user=manager.id, reason="Signed effective", kind="~")
    capa.update(status=C.CLOSED, closed_at=verified)
    _step(rows, capa, links, at=verified, user=manager.id, reason=STEP_REASONS[C.CLOSED])
    return SeededCapa(capa["id"], status, created, department_id)


def _step(rows: Rows, capa: Row, links: dict[str, list[Row]], *, at: datetime, user: int, reason: str) -> None:
    history_id = rows.history(Capa, capa, when=at, user=user, reason=reason, kind="~")
    for field_name, field_links in links.items():
        rows.snapshot(Capa, field_name, field_links, history_id)


def _root_cause(world: World) -> dict[str, object]:
    rng = world.rng
    vocabulary = world.vocabulary
    category = rng.choice(CauseCategory.values)
    analysis: object
    if rng.random() < 0.6:
        steps = [
            {"why": f"Why did the {vocabulary.object()} fail?", "because": vocabulary.sentence()}
            for _ in range(rng.randint(3, 5))
        ]
        method, analysis = Capa.Method.FIVE_WHYS, steps
    else:
        method = Capa.Method.FISHBONE
        analysis = {name: [vocabulary.sentence()] for name in rng.sample(CauseCategory.values, k=rng.randint(2, 4))}
    return {
        "root_cause_method": method,
        "root_cause_analysis": analysis,
        "root_cause": f"{CauseCategory(category).label}: {vocabulary.sentence()}",
        "cause_category": category,
    }


def _actions(world: World, rows: Rows, capa: Row, *, planned: datetime, finish: bool) -> datetime:
    """One to four actions; with `finish`, every one done (or cancelled with a reason, but at least one done).
    Returns when the last one was completed."""
    rng = world.rng
    last = planned
    count = rng.randint(1, 4)
    for number in range(1, count + 1):
        owner = world.member_of(capa["department_id"])
        action = rows.add(
            CapaAction,
            capa_id=capa["id"],
            number=number,
            description=f"{world.vocabulary.sentence()} Update the {world.vocabulary.object()} records.",
            owner_id=owner.id,
            due_date=(planned + timedelta(days=rng.randint(14, 60))).date(),
            status=CapaAction.Status.OPEN,
            document_id=None,
            evidence="",
            completed_at=None,
            completed_by_id=None,
            cancel_reason="",
            created_by_id=capa["owner_id"],
            created_at=planned,
        )
        rows.history(CapaAction, action, when=planned, user=capa["owner_id"], reason=f"Action A{number} planned")
        if not finish and rng.random() < 0.5:
            continue
        at = world.after(planned, max_days=60, min_days=1)
        last = max(last, at)
        if finish and number > 1 and rng.random() < 0.1:
            action.update(status=CapaAction.Status.CANCELLED, cancel_reason="Covered by action A1.")
            rows.history(
                CapaAction,
                action,
                when=at,
                user=capa["owner_id"],
                kind="~",
                reason=f"Action A{number} cancelled: Covered by action A1.",
            )
            continue
        action.update(
            status=CapaAction.Status.DONE,
            evidence="Done; records filed with the CAPA.",
            completed_at=at,
            completed_by_id=owner.id,
        )
        rows.history(CapaAction, action, when=at, user=owner.id, reason=f"Action A{number} done", kind="~")
    return last
