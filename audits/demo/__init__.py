"""Demo internal audits for `manage.py seed_demo`: a year's audit programme, built only through `audits.services`.

Checklist templates for the clauses audited come first, so that checklists start from real questions. Then the audits
of `programme.py` are planned, started, answered, reported, signed closed or cancelled by the services, so the history,
the signatures, the numbering and the final reports are those the application makes itself. The services date
fieldwork "today": every audit taken through the workflow shows today as its actual start and end, whatever its
planned dates.
"""

from __future__ import annotations

from collections import Counter

from django.core.management.base import OutputWrapper
from django.db.models import Q, QuerySet
from django.utils import timezone

from audits import services
from audits.demo.checklists import TEMPLATES
from audits.demo.plans import (
    CANCELLED,
    CLOSED,
    IN_PROGRESS,
    NOT_APPLICABLE,
    NOT_CHECKED,
    PLANNED,
    AuditPlan,
    FindingPlan,
)
from audits.demo.programme import AUDITS
from audits.models import Audit, ChecklistItem, ChecklistTemplate, Finding
from documents.models import Document
from qms.history import stamp
from qms.models import Clause, Department, User
from qms.signatures import SignatureError


class _Builder:
    """Takes each audit through its story, with the people and reference data looked up once."""

    def __init__(self, password: str) -> None:
        self.password = password
        self.today = timezone.localdate()
        self.users = {user.username: user for user in User.objects.select_related("department")}
        self.departments = {department.code: department for department in Department.objects.all()}
        self.clauses = {clause.number: clause for clause in Clause.objects.all()}
        self.quality_manager = self.users["qm"]
        self.refused: set[str] = set()
        self.signatures = 0

    def add_templates(self) -> int:
        """Add the demo's checklist questions that are not there yet; returns how many were added."""
        existing = set(ChecklistTemplate.objects.values_list("clause__number", "question"))
        added = 0
        for number, questions in TEMPLATES.items():
            for order, question in enumerate(questions, 1):
                if (number, question) in existing:
                    continue
                template = ChecklistTemplate(clause=self.clauses[number], question=question, order=order)
                stamp(template, actor=self.quality_manager, reason="Demo checklist templates")
                template.save()
                added += 1
        return added

    def build(self, plan: AuditPlan) -> None:
        lead = self.users[plan.lead]
        department = self.departments[plan.department] if plan.department else None
        clauses = [self.clauses[number] for number in plan.clauses]
        planned_start, planned_end = plan.when.dates(self.today)
        audit = services.audit_create(
            actor=self.users["auditor"],  # the Lead Internal Auditor keeps the programme
            title=plan.title,
            scope=plan.scope,
            clauses=clauses,
            lead_auditor=lead,
            planned_start=planned_start,
            planned_end=planned_end,
            department=department,
            team=[self.users[name] for name in plan.team],
            auditees=[self.users[name] for name in plan.auditees],
            documents=_criteria(clauses, department),
        )
        if plan.outcome == CANCELLED:
            services.audit_cancel(actor=self.quality_manager, audit=audit, reason=plan.cancel_reason)
            return
        if plan.outcome == PLANNED:
            return
        audit = services.audit_start(actor=lead, audit=audit)
        self._fieldwork(plan, audit, [lead, *(self.users[name] for name in plan.team)])
        if plan.outcome == IN_PROGRESS:
            return
        audit = services.audit_report_ready(actor=lead, audit=audit, conclusion=plan.conclusion)
        if plan.outcome == CLOSED:
            self._close(audit, lead, plan.close_comment)

    def _fieldwork(self, plan: AuditPlan, audit: Audit, auditors: list[User]) -> None:
        """Answer the checklist, the auditors taking the questions in turn, and raise the findings."""
        items = {(item.clause_id, item.question): item for item in audit.checklist_items.all()}
        turn = 0
        for number, answers in plan.answers.items():
            if number not in plan.clauses or len(answers) > len(TEMPLATES[number]):
                raise ValueError(f"Demo answers for {number} in {plan.title!r} do not match its checklist.")
            for question, answer in zip(TEMPLATES[number][: len(answers)], answers, strict=True):
                auditor = auditors[turn % len(auditors)]
                turn += 1
                item = services.checklist_answer(
                    actor=auditor,
                    item=items.pop((self.clauses[number].pk, question)),
                    result=None if answer.result == NOT_CHECKED else answer.result,
                    notes=answer.notes,
                )
                if answer.finding:
                    self._finding(audit, auditor, answer.finding, number, item)
        for finding in plan.findings:
            self._finding(audit, auditors[0], finding, finding.clause, None)
        if plan.outcome != IN_PROGRESS:
            # Questions from templates someone added before the demo ran are not part of its story.
            for item in items.values():
                services.checklist_answer(
                    actor=auditors[0], item=item, result=NOT_APPLICABLE, notes="Not covered in this audit."
                )

    def _finding(
        self, audit: Audit, auditor: User, finding: FindingPlan, number: str, item: ChecklistItem | None
    ) -> None:
        if item is not None and not (finding.requirement or finding.evidence):
            # The auditor's one step from a checklist answer: the question and notes become requirement and evidence.
            services.finding_from_checklist_item(
                actor=auditor, item=item, type=finding.type, statement=finding.statement
            )
            return
        services.finding_create(
            actor=auditor,
            audit=audit,
            type=finding.type,
            clause=self.clauses[number],
            statement=finding.statement,
            requirement=finding.requirement or (item.question if item else ""),
            evidence=finding.evidence or (item.notes if item else ""),
            checklist_item=item,
        )

    def _close(self, audit: Audit, lead: User, comment: str) -> None:
        """The lead auditor signs the audit closed with the demo password. Someone whose password is different (an
        account made before, or with `--password`) cannot sign: the audit stays in reporting."""
        if lead.username in self.refused:
            return
        try:
            services.audit_close(actor=lead, audit=audit, password=self.password, comment=comment)
        except SignatureError:
            self.refused.add(lead.username)
            return
        self.signatures += 1
        # As the views do: closing freezes the final report, rendered in the background once seed_demo commits.
        services.audit_report_after_close(actor=lead, audit=audit)


def _criteria(clauses: list[Clause], department: Department | None) -> QuerySet[Document]:
    """The effective documents an auditor would take along: those for the audited clauses that apply to the
    department (its own, those distributed to it, and those of the whole organisation)."""
    documents = Document.objects.filter(status=Document.Status.EFFECTIVE, clauses__in=clauses)
    if department is not None:
        documents = documents.filter(
            Q(department=department) | Q(department=None) | Q(distribution_departments=department)
        )
    return documents.distinct()


def seed(stdout: OutputWrapper, password: str) -> None:
    """Build the demo audit programme, unless there are audits already."""
    if Audit.objects.exists():
        stdout.write("Demo audits: audits are already there, none added.")
        return
    needed = set(TEMPLATES) | {number for plan in AUDITS for number in plan.clauses}
    missing = needed - set(Clause.objects.values_list("number", flat=True))
    if missing:
        # The clauses come from a migration; a database emptied by hand (or by a test's flush) has none.
        stdout.write(f"Demo audits: ISO 9001 clauses {', '.join(sorted(missing))} are missing; none added.")
        return
    # The same password seed_demo gives new accounts (`--password` is not passed on: then closing is skipped).
    builder = _Builder(password)
    if not builder.quality_manager.check_password(builder.password):
        builder.refused.update(builder.users)  # no account will sign, so not one failed attempt is logged
    templates = builder.add_templates()
    # Planned in date order, so that the references count up through the year as in a real programme.
    for plan in sorted(AUDITS, key=lambda plan: plan.when.dates(builder.today)[0]):
        builder.build(plan)
    audits = Counter(Audit.objects.values_list("status", flat=True))
    findings = Counter(Finding.objects.values_list("type", flat=True))
    summary = (
        f"Demo audits: {sum(audits.values())} audits ({_counts(audits)}), {sum(findings.values())} findings "
        f"({_counts(findings)}), {templates} checklist templates, {builder.signatures} closing signatures."
    )
    unsigned = sum(plan.outcome == CLOSED for plan in AUDITS) - builder.signatures
    if unsigned:
        summary += f" {unsigned} left in reporting: the demo password does not match their lead auditors' accounts."
    stdout.write(summary)


def _counts(counter: Counter[str]) -> str:
    return ", ".join(f"{count} {value.replace('_', ' ')}" for value, count in counter.most_common())
