"""Seeded internal audits over ten years: checklists drawn from their clauses, findings, closing signatures, history.

Audits in the past are mostly closed (a few cancelled, a few still reporting), those of the last two weeks are in
progress or reporting, those ahead are planned. An auditor never audits their own department, as the services insist.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from audits.models import Audit, ChecklistItem, Finding
from qms.models import Signature
from qms.scale.documents import SeededDocument
from qms.scale.rows import Row, Rows
from qms.scale.world import PLAN_AHEAD_DAYS, Person, World, add_signature
from qms.signatures import sha256_of_text

A = Audit.Status
FINDING_TYPES = [Finding.Type.MAJOR_NC, Finding.Type.MINOR_NC, Finding.Type.OBSERVATION, Finding.Type.OFI]
FINDING_WEIGHTS = [5, 20, 35, 40]


@dataclass
class SeededFinding:
    """What the CAPA and idea generators need of a finding."""

    id: int
    audit_id: int
    audit_status: str
    type: str
    clause_id: int
    department_id: int | None
    created_at: datetime


def add_audits(world: World, rows: Rows, count: int, documents: list[SeededDocument]) -> list[SeededFinding]:
    findings: list[SeededFinding] = []
    for _ in range(count):
        findings.extend(_add_audit(world, rows, documents))
    return findings


def _add_audit(world: World, rows: Rows, documents: list[SeededDocument]) -> list[SeededFinding]:
    rng = world.rng
    department_id = rng.choice(world.departments)
    outsiders = [person for person in world.auditors if person.department_id != department_id]
    lead = rng.choice(outsiders)
    team = {person.id: person for person in rng.sample(outsiders, k=min(len(outsiders), rng.randint(0, 2)))}
    team.pop(lead.id, None)
    insiders = world.members.get(department_id) or world.staff
    auditees = sorted({person.id for person in rng.sample(insiders, k=min(len(insiders), rng.randint(1, 3)))})
    clauses = rng.sample(world.clauses, k=rng.randint(2, 5))
    local = [document.id for document in documents if document.department_id == department_id]
    audited_documents = sorted(set(rng.sample(local, k=min(len(local), rng.randint(0, 3)))))

    start_day = world.moment(world.start, world.now + timedelta(days=PLAN_AHEAD_DAYS)).date()
    planned_start, planned_end = start_day, start_day + timedelta(days=rng.randint(0, 3))
    year = planned_start.year
    reference = f"IA-{year}-{world.next_number(f'audit:{year}'):03d}"
    planned_at = datetime.combine(planned_start - timedelta(days=rng.randint(20, 90)), time(9), tzinfo=world.now.tzinfo)
    planned_at = min(max(planned_at, world.start), world.now - timedelta(hours=1))
    planner = rng.choice(world.quality_managers)
    title = f"{world.vocabulary.process().capitalize()} audit, {reference}"
    audit = rows.add(
        Audit,
        reference=reference,
        programme_id=world.programmes[year],
        title=title,
        scope=f"Processes and records of the department against the clauses listed. {world.vocabulary.sentence()}",
        department_id=department_id,
        lead_auditor_id=lead.id,
        planned_start=planned_start,
        planned_end=planned_end,
        actual_start=None,
        actual_end=None,
        status=A.PLANNED,
        conclusion="",
        cancel_reason="",
        closed_at=None,
        created_at=planned_at,
    )
    rows.history(Audit, audit, when=planned_at, user=planner.id, reason="Audit planned")
    links = {
        "clauses": rows.link(Audit, "clauses", audit["id"], sorted(clause[0] for clause in clauses)),
        "documents": rows.link(Audit, "documents", audit["id"], audited_documents),
        "team": rows.link(Audit, "team", audit["id"], sorted(team)),
        "auditees": rows.link(Audit, "auditees", audit["id"], auditees),
    }
    _snapshot(rows, audit, links, planned_at + timedelta(seconds=1), planner.id, "Audit planned")
    items = [
        rows.add(
            ChecklistItem,
            audit_id=audit["id"],
            clause_id=clause_id,
            order=order,
            question=f"Is there evidence that {number} {title_} is met in this department?",
            result=ChecklistItem.Result.NOT_CHECKED,
            notes="",
        )
        for order, (clause_id, number, title_) in enumerate(clauses, start=1)
    ]
    for item in items:
        rows.history(ChecklistItem, item, when=planned_at, user=planner.id, reason="Checklist drafted from clauses")

    status = _status_for(world, planned_start, planned_end)
    if status == A.PLANNED:
        return []
    if status == A.CANCELLED:
        at = min(planned_at + timedelta(days=rng.randint(1, 20)), world.now)
        audit.update(status=A.CANCELLED, cancel_reason="The department was reorganised; audit moved to next year.")
        _snapshot(rows, audit, links, at, planner.id, "Cancelled: the department was reorganised")
        return []
    started = datetime.combine(planned_start, time(8, 30), tzinfo=world.now.tzinfo)
    audit.update(status=A.IN_PROGRESS, actual_start=planned_start)
    _snapshot(rows, audit, links, min(started, world.now), lead.id, "Audit started")
    findings = _findings(world, rows, audit, items, lead, started)
    if status == A.IN_PROGRESS:
        return findings
    finished = datetime.combine(planned_end, time(16), tzinfo=world.now.tzinfo)
    conclusion = f"The audited processes are {rng.choice(['largely', 'mostly', 'fully'])} effective. "
    audit.update(status=A.REPORTING, actual_end=planned_end, conclusion=conclusion + world.vocabulary.sentence())
    _snapshot(rows, audit, links, min(finished, world.now), lead.id, "Fieldwork finished; reporting")
    if status == A.REPORTING:
        return _in_state(findings, A.REPORTING)
    closed = world.after(finished, max_days=25, min_days=2)
    audit.update(status=A.CLOSED, closed_at=closed)
    _snapshot(rows, audit, links, closed, lead.id, "Closed and signed by the lead auditor")
    add_signature(
        world,
        rows,
        lead,
        audit,
        "audit",
        at=closed,
        meaning=Signature.Meaning.CLOSED,
        content_sha256=sha256_of_text(f"{reference}\n{audit['conclusion']}"),
    )
    return _in_state(findings, A.CLOSED)


def _in_state(findings: list[SeededFinding], status: str) -> list[SeededFinding]:
    for finding in findings:
        finding.audit_status = status
    return findings


def _status_for(world: World, planned_start: date, planned_end: date) -> str:
    today = world.today
    rng = world.rng
    if planned_start > today:
        return A.PLANNED
    if planned_end >= today:
        return A.IN_PROGRESS
    if planned_end >= today - timedelta(days=14):
        return rng.choice([A.IN_PROGRESS, A.REPORTING])
    draw = rng.random()
    return A.CANCELLED if draw < 0.04 else A.REPORTING if draw < 0.07 else A.CLOSED


def _snapshot(rows: Rows, audit: Row, links: dict[str, list[Row]], at: datetime, user: int, reason: str) -> None:
    history_id = rows.history(Audit, audit, when=at, user=user, reason=reason, kind="~")
    for field_name, field_links in links.items():
        rows.snapshot(Audit, field_name, field_links, history_id)


def _findings(
    world: World, rows: Rows, audit: Row, items: list[Row], lead: Person, started: datetime
) -> list[SeededFinding]:
    rng = world.rng
    answered = min(started + timedelta(hours=3), world.now)
    count = rng.choices(range(5), weights=(25, 30, 25, 12, 8))[0]
    typed = sorted(rng.choices(FINDING_TYPES, weights=FINDING_WEIGHTS, k=count), key=FINDING_TYPES.index)
    by_item: dict[int, str] = {}
    findings = []
    for number, finding_type in enumerate(typed, start=1):
        item = rng.choice(items)
        by_item.setdefault(item["id"], finding_type)
        reference = f"{audit['reference']}-F{number:02d}"
        world.next_number(f"finding:{audit['reference']}")
        finding = rows.add(
            Finding,
            audit_id=audit["id"],
            reference=reference,
            type=finding_type,
            clause_id=item["clause_id"],
            statement=world.vocabulary.statement(),
            requirement=item["question"],
            evidence=f"Records sampled on site; {world.vocabulary.sentence()}",
            department_id=audit["department_id"],
            checklist_item_id=item["id"],
            raised_by_id=lead.id,
            created_at=answered,
        )
        rows.history(Finding, finding, when=answered, user=lead.id, reason="Finding recorded")
        findings.append(
            SeededFinding(
                id=finding["id"],
                audit_id=audit["id"],
                audit_status=audit["status"],
                type=finding_type,
                clause_id=item["clause_id"],
                department_id=audit["department_id"],
                created_at=answered,
            )
        )
    results: dict[str, str] = {
        Finding.Type.MAJOR_NC: ChecklistItem.Result.NONCONFORMING,
        Finding.Type.MINOR_NC: ChecklistItem.Result.NONCONFORMING,
        Finding.Type.OBSERVATION: ChecklistItem.Result.OBSERVATION,
        Finding.Type.OFI: ChecklistItem.Result.CONFORMING,
    }
    for item in items:
        result = results[by_item[item["id"]]] if item["id"] in by_item else ChecklistItem.Result.CONFORMING
        if rng.random() < 0.05 and item["id"] not in by_item:
            result = ChecklistItem.Result.NOT_APPLICABLE
        item.update(result=result, notes="Sampled records and interviewed the auditees.")
        rows.history(ChecklistItem, item, when=answered, user=lead.id, reason="Answer recorded", kind="~")
    return findings
