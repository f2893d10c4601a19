"""Every write to internal audits: plan, start, report, close (signed), cancel; checklists and findings."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import date, timedelta

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from audits import report
from audits.models import (
    Audit,
    AuditProgramme,
    AuditReminder,
    AuditReport,
    ChecklistItem,
    ChecklistTemplate,
    EvidenceFile,
    Finding,
)
from documents.models import Document
from qms import sequences
from qms.errors import ConflictError, DomainError, NotAllowed
from qms.history import stamp
from qms.jobs import job_create
from qms.models import Clause, Department, Job, Signature, User
from qms.roles import Role
from qms.selectors import holders_of
from qms.services import notify
from qms.signatures import record_signature, sha256_of_text, verify_signer
from qms.uploads import inspect_upload, stored_upload

logger = logging.getLogger(__name__)

DEFAULT_QUESTION = "How does the organisation meet {number} {title}? Which evidence shows it?"


def check_team(*, lead_auditor: User, team: Iterable[User], department: Department | None) -> list[User]:
    """Auditors must hold the auditor role, and never audit their own department (ISO 9001 9.2.2 c, impartiality).
    Returns the team without the lead. Asks nothing of the database when the users' roles are loaded
    (`qms.selectors.users_with_roles`): the programme import checks every row with it before writing any."""
    members = list({user.pk: user for user in [lead_auditor, *team]}.values())
    for member in members:
        if not member.has_role(Role.AUDITOR):
            raise DomainError(f"{member.display_name} is not an auditor.", field="team")
        if department is not None and member.department_id == department.pk:
            field = "lead_auditor" if member.pk == lead_auditor.pk else "team"
            raise DomainError(
                f"{member.display_name} belongs to {department.name}, the audited department: "
                "an auditor never audits their own department.",
                field=field,
            )
    return [member for member in members if member.pk != lead_auditor.pk]


def _check_dates(planned_start: date, planned_end: date) -> None:
    if planned_end < planned_start:
        raise DomainError("The planned end is before the planned start.", field="planned_end")


def audit_create(
    *,
    actor: User,
    title: str,
    scope: str,
    clauses: Iterable[Clause],
    lead_auditor: User,
    planned_start: date,
    planned_end: date,
    department: Department | None = None,
    team: Iterable[User] = (),
    auditees: Iterable[User] = (),
    documents: Iterable[Document] = (),
) -> Audit:
    """Plan an audit in the programme of its year, numbered IA-<year>-<seq>, with its checklist drafted from the
    clauses."""
    if not actor.has_role(Role.QUALITY_MANAGER, Role.AUDITOR):
        raise NotAllowed("Only quality managers and auditors plan audits.")
    return _plan(
        actor=actor,
        reason="Audit planned",
        title=title,
        scope=scope,
        clauses=clauses,
        lead_auditor=lead_auditor,
        planned_start=planned_start,
        planned_end=planned_end,
        department=department,
        team=team,
        auditees=auditees,
        documents=documents,
    )


IMPORTED_REFERENCE_LENGTH = Audit._meta.get_field("imported_reference").max_length or 50


def audit_import(
    *,
    actor: User,
    imported_reference: str,
    origin: str,
    title: str,
    scope: str,
    clauses: Iterable[Clause],
    lead_auditor: User,
    planned_start: date,
    planned_end: date,
    department: Department | None = None,
    team: Iterable[User] = (),
    auditees: Iterable[User] = (),
) -> Audit:
    """Bring in an audit of an earlier system's programme, planned here as it was planned there.

    It is numbered in the programme of its year like any audit planned here (IA-2026-004), its checklist drafted from
    its clauses, under the same rules (its auditors hold the role and none audits their own department), and keeps
    its reference there (`imported_reference`), by which a second import recognises it. Dates are kept as listed: an
    audit whose planned end is past comes in overdue. Nobody is notified now: the reminders before the audit reach its
    people as for any planned audit. `origin` (the list and line) is in its history.
    """
    if not actor.has_role(Role.QUALITY_MANAGER):
        raise NotAllowed("Only a quality manager may import audits.")
    if not imported_reference.strip() or len(imported_reference) > IMPORTED_REFERENCE_LENGTH:
        raise DomainError(
            f"Give the audit's reference in the earlier system ({IMPORTED_REFERENCE_LENGTH} characters at most).",
            field="imported_reference",
        )
    if not title.strip() or not scope.strip():
        raise DomainError("Give the audit its title and scope.", field="title" if not title.strip() else "scope")
    with transaction.atomic():
        if Audit.objects.filter(imported_reference__iexact=imported_reference).exists():
            raise ConflictError(f"{imported_reference} was imported before.")
        return _plan(
            actor=actor,
            reason=f"Imported from {origin}",
            imported_reference=imported_reference,
            title=title,
            scope=scope,
            clauses=clauses,
            lead_auditor=lead_auditor,
            planned_start=planned_start,
            planned_end=planned_end,
            department=department,
            team=team,
            auditees=auditees,
            documents=(),
        )


def _plan(
    *,
    actor: User,
    reason: str,
    clauses: Iterable[Clause],
    lead_auditor: User,
    planned_start: date,
    planned_end: date,
    department: Department | None,
    team: Iterable[User],
    auditees: Iterable[User],
    documents: Iterable[Document],
    **fields: str,
) -> Audit:
    """What planning an audit is, whether here or by an import: checked, numbered, saved with its people, criteria
    and checklist. `fields` are the audit's texts (title, scope, imported_reference)."""
    clauses = list(clauses)
    if not clauses:
        raise DomainError("Name at least one clause to audit against.", field="clauses")
    _check_dates(planned_start, planned_end)
    team_members = check_team(lead_auditor=lead_auditor, team=team, department=department)
    with transaction.atomic():
        programme, _ = AuditProgramme.objects.get_or_create(year=planned_start.year)
        sequence = sequences.next_value(f"audit:{planned_start.year}")
        audit = Audit(
            reference=f"IA-{planned_start.year}-{sequence:03d}",
            programme=programme,
            department=department,
            lead_auditor=lead_auditor,
            planned_start=planned_start,
            planned_end=planned_end,
            **fields,
        )
        stamp(audit, actor=actor, reason=reason)
        audit.save()
        audit.clauses.set(clauses)
        audit.team.set(team_members)
        audit.auditees.set(list(auditees))
        audit.documents.set(list(documents))
        checklist_add_missing(audit=audit, actor=actor)
    return audit


def checklist_add_missing(*, audit: Audit, actor: User) -> int:
    """Add checklist questions for the audit's clauses that have none yet: the clause's templates, or one default
    question. Safe to run again. Returns how many were added."""
    covered = set(audit.checklist_items.values_list("clause_id", flat=True))
    next_order = (audit.checklist_items.order_by("-order").values_list("order", flat=True).first() or 0) + 1
    added = 0
    for clause in audit.clauses.order_by("sort_key"):
        if clause.pk in covered:
            continue
        questions = [t.question for t in ChecklistTemplate.objects.filter(clause=clause, is_active=True)] or [
            DEFAULT_QUESTION.format(number=clause.number, title=clause.title)
        ]
        for question in questions:
            item = ChecklistItem(audit=audit, clause=clause, question=question, order=next_order)
            stamp(item, actor=actor, reason="Checklist drafted from the audit's clauses")
            item.save()
            next_order += 1
            added += 1
    return added


def _locked(audit: Audit) -> Audit:
    return Audit.objects.select_for_update().get(pk=audit.pk)


def _transition(audit: Audit, *, actor: User, to: str, reason: str) -> Audit:
    audit.status = to
    stamp(audit, actor=actor, reason=reason)
    audit.save()
    return audit


def audit_start(*, actor: User, audit: Audit) -> Audit:
    with transaction.atomic():
        audit = _locked(audit)
        if not audit.is_auditor(actor):
            raise NotAllowed("Only the audit's lead auditor, its team or a quality manager may start it.")
        if audit.status != Audit.Status.PLANNED:
            raise DomainError(f"Only a planned audit can start; this one is {audit.get_status_display().lower()}.")
        audit.actual_start = timezone.localdate()
        checklist_add_missing(audit=audit, actor=actor)
        return _transition(audit, actor=actor, to=Audit.Status.IN_PROGRESS, reason="Audit started")


def audit_report_ready(*, actor: User, audit: Audit, conclusion: str = "") -> Audit:
    """Fieldwork is done: every checklist question has a result, and the conclusion is written."""
    with transaction.atomic():
        audit = _locked(audit)
        if not audit.is_auditor(actor):
            raise NotAllowed("Only the audit's lead auditor, its team or a quality manager may report it.")
        if audit.status != Audit.Status.IN_PROGRESS:
            raise DomainError(
                f"Only an audit in progress can move to reporting; this one is {audit.get_status_display().lower()}."
            )
        unanswered = audit.checklist_items.filter(result=ChecklistItem.Result.NOT_CHECKED).count()
        if unanswered:
            raise DomainError(
                f"{unanswered} checklist question(s) have no result yet: answer them, or mark them not applicable."
            )
        if conclusion:
            audit.conclusion = conclusion
        if not audit.conclusion.strip():
            raise DomainError("Write the audit's conclusion.", field="conclusion")
        audit.actual_end = timezone.localdate()
        return _transition(audit, actor=actor, to=Audit.Status.REPORTING, reason="Fieldwork finished; reporting")


def audit_close(*, actor: User, audit: Audit, password: str, comment: str = "", ip: str | None = None) -> Audit:
    """The lead auditor signs the audit closed. Every nonconformity must have a CAPA first."""
    if actor.pk != audit.lead_auditor_id:
        raise NotAllowed("Only the lead auditor signs an audit closed.")
    signer = verify_signer(user=actor, password=password, meaning=Signature.Meaning.CLOSED, record=audit, ip_address=ip)
    with transaction.atomic():
        audit = _locked(audit)
        if audit.status != Audit.Status.REPORTING:
            raise DomainError(
                f"Only an audit in reporting can be closed; this one is {audit.get_status_display().lower()}."
            )
        without_capa = [f.reference for f in audit.findings.all() if f.is_nonconformity and not f.has_capa]
        if without_capa:
            raise DomainError(
                f"These nonconformities have no CAPA yet: {', '.join(without_capa)}. Raise one for each before closing."
            )
        audit.closed_at = timezone.now()
        _transition(audit, actor=actor, to=Audit.Status.CLOSED, reason="Closed and signed by the lead auditor")
        record_signature(
            signer,
            meaning=Signature.Meaning.CLOSED,
            record=audit,
            content_sha256=sha256_of_text(_signed_summary(audit)),
            comment=comment,
        )
    return audit


def _signed_summary(audit: Audit) -> str:
    """What the closing signature covers: the audit's identity, conclusion and findings, in a stable text."""
    findings = "\n".join(
        f"{f.reference} {f.type} {f.clause.number} {f.statement}" for f in audit.findings.order_by("reference")
    )
    return f"{audit.reference}\n{audit.title}\n{audit.conclusion}\n{findings}"


def audit_cancel(*, actor: User, audit: Audit, reason: str) -> Audit:
    if not reason.strip():
        raise DomainError("Say why the audit is cancelled.", field="reason")
    with transaction.atomic():
        audit = _locked(audit)
        if not actor.has_role(Role.QUALITY_MANAGER) and actor.pk != audit.lead_auditor_id:
            raise NotAllowed("Only a quality manager or the lead auditor may cancel an audit.")
        if audit.status not in {Audit.Status.PLANNED, Audit.Status.IN_PROGRESS}:
            raise DomainError(f"A {audit.get_status_display().lower()} audit cannot be cancelled.")
        audit.cancel_reason = reason
        return _transition(audit, actor=actor, to=Audit.Status.CANCELLED, reason=f"Cancelled: {reason}")


def checklist_answer(
    *, actor: User, item: ChecklistItem, result: str | None = None, notes: str | None = None
) -> ChecklistItem:
    """Record a checklist result or notes (autosaved from the audit room)."""
    if result is not None and result not in ChecklistItem.Result.values:
        raise DomainError("Choose one of the listed results.", field="result")
    with transaction.atomic():
        item = ChecklistItem.objects.select_for_update().select_related("audit").get(pk=item.pk)
        if not item.audit.is_auditor(actor):
            raise NotAllowed("Only the audit's auditors fill in its checklist.")
        if item.audit.status not in {Audit.Status.PLANNED, Audit.Status.IN_PROGRESS}:
            raise DomainError("The checklist is closed: the audit's fieldwork is over.")
        if result is not None:
            item.result = result
        if notes is not None:
            item.notes = notes
        stamp(item, actor=actor, reason="Checklist answered")
        item.save()
    return item


def finding_create(
    *,
    actor: User,
    audit: Audit,
    type: str,
    clause: Clause,
    statement: str,
    requirement: str = "",
    evidence: str = "",
    department: Department | None = None,
    checklist_item: ChecklistItem | None = None,
) -> Finding:
    """Record a finding, numbered within its audit (IA-2026-004-F02)."""
    if type not in Finding.Type.values:
        raise DomainError("Choose a finding type.", field="type")
    if not statement.strip():
        raise DomainError("State what was found.", field="statement")
    with transaction.atomic():
        audit = _locked(audit)
        if not audit.is_auditor(actor):
            raise NotAllowed("Only the audit's auditors record findings.")
        if audit.status not in {Audit.Status.IN_PROGRESS, Audit.Status.REPORTING}:
            state = audit.get_status_display().lower()
            raise DomainError(f"Findings are recorded while the audit is in progress or reporting, not {state}.")
        if checklist_item is not None and checklist_item.audit_id != audit.pk:
            raise DomainError("That checklist question belongs to another audit.", field="checklist_item")
        sequence = sequences.next_value(f"finding:{audit.reference}")
        finding = Finding(
            audit=audit,
            reference=f"{audit.reference}-F{sequence:02d}",
            type=type,
            clause=clause,
            statement=statement,
            requirement=requirement,
            evidence=evidence,
            department=department or audit.department,
            checklist_item=checklist_item,
            raised_by=actor,
        )
        stamp(finding, actor=actor, reason="Finding recorded")
        finding.save()
    return finding


def finding_from_checklist_item(*, actor: User, item: ChecklistItem, type: str, statement: str = "") -> Finding:
    """One step from a checklist answer to a finding: the notes become the statement, the question the requirement.
    A question gives one finding this way (a second click must not add another); more go through the finding form."""
    item = ChecklistItem.objects.select_related("audit", "clause").get(pk=item.pk)  # the notes as last saved
    existing = item.findings.order_by("reference").first()
    if existing is not None:
        raise DomainError(
            f"Question {item.order} already gave {existing.reference}; record any further finding with the form."
        )
    files = ", ".join(item.evidence_files.values_list("original_filename", flat=True))
    evidence = f"Checklist question {item.order}" + (f"; files: {files}" if files else "")
    return finding_create(
        actor=actor,
        audit=item.audit,
        type=type,
        clause=item.clause or item.audit.clauses.order_by("sort_key").first(),  # type: ignore[arg-type]
        statement=statement or item.notes or item.question,
        requirement=item.question,
        evidence=evidence,
        checklist_item=item,
    )


# --- Reminders --------------------------------------------------------------------------------------------------

REMINDER_DAYS = {AuditReminder.Kind.TWO_WEEKS: 14, AuditReminder.Kind.ONE_WEEK: 7}


def send_audit_reminders(*, today: date | None = None) -> int:
    """Remind lead auditors, teams and auditees two weeks and one week before an audit; flag overdue audits (planned
    end passed, fieldwork not finished) to quality managers. Each reminder is claimed by a unique row first, so retries
    and a second scheduler never send it twice. Returns how many were sent."""
    today = today or timezone.localdate()
    sent = 0
    for kind, days in REMINDER_DAYS.items():
        due = Audit.objects.filter(status=Audit.Status.PLANNED, planned_start=today + timedelta(days=days))
        for audit in due.select_related("lead_auditor").prefetch_related("team", "auditees"):
            people = [audit.lead_auditor, *audit.team.all(), *audit.auditees.all()]
            sent += _remind_once(
                audit,
                kind,
                audit.planned_start,
                people,
                subject=f"{audit.reference} {audit.title} starts in {days} days ({audit.planned_start:%Y-%m-%d})",
                message=f"Scope: {audit.scope}",
            )
    overdue = Audit.objects.filter(
        status__in=[Audit.Status.PLANNED, Audit.Status.IN_PROGRESS], planned_end__lt=today
    ).select_related("lead_auditor")
    managers = list(holders_of(Role.QUALITY_MANAGER))
    for audit in overdue:
        sent += _remind_once(
            audit,
            AuditReminder.Kind.OVERDUE,
            audit.planned_end,
            managers,
            subject=f"{audit.reference} is overdue: planned to end on {audit.planned_end:%Y-%m-%d}",
            message=f"{audit.title} is still {audit.get_status_display().lower()}. Lead auditor: {audit.lead_auditor}.",
        )
    return sent


def _remind_once(audit: Audit, kind: str, planned_date: date, people: list[User], *, subject: str, message: str) -> int:
    with transaction.atomic():
        _, claimed = AuditReminder.objects.get_or_create(audit=audit, kind=kind, planned_date=planned_date)
        if not claimed:
            return 0
        notify(
            recipients=people,
            kind="generic",
            subject=subject,
            context={"message": message},
            url=audit.get_absolute_url(),
        )
    return 1


# --- Audit reports ----------------------------------------------------------------------------------------------

REPORTABLE_STATES = {Audit.Status.IN_PROGRESS, Audit.Status.REPORTING, Audit.Status.CLOSED}
IN_FLIGHT = [Job.Status.PENDING, Job.Status.RUNNING]


def audit_report_request(*, actor: User, audit: Audit, final: bool = False) -> Job:
    """Ask for the audit's report PDF, rendered in the background; returns the pending job to poll.

    Drafts are made while the audit runs; once it is closed, only the final report, which is made once and never
    replaced. The version is taken here from a counter that never hands a number out twice, so two reports asked for
    at the same moment never share one; a job that fails and is not retried leaves its number unused.
    """
    from audits.tasks import render_audit_report  # tasks import services; import here to avoid a cycle

    with transaction.atomic():
        audit = _locked(audit)
        if not audit.is_auditor(actor):
            raise NotAllowed("Only the audit's lead auditor, its team or a quality manager may generate its report.")
        if audit.status not in REPORTABLE_STATES:
            raise DomainError(
                f"A report is generated once the audit has started; this one is {audit.get_status_display().lower()}."
            )
        if final:
            if audit.status != Audit.Status.CLOSED:
                raise DomainError("The final report is made when the audit is closed; until then, generate a draft.")
            existing = audit.reports.filter(final=True).first()
            if existing is not None:
                raise DomainError(f"The final report exists: {existing.name}")
            if report.report_jobs(audit).filter(status__in=IN_FLIGHT, parameters__final=True).exists():
                raise DomainError("The final report is being generated; it appears in the list when it is ready.")
        elif audit.status == Audit.Status.CLOSED:
            raise DomainError("The audit is closed: its report is the final one, made when it was closed.")
        version = sequences.next_value(f"audit-report:{audit.reference}")
        return job_create(
            actor=actor,
            kind=report.JOB_KIND,
            subject=audit,
            parameters={"final": final, "version": version},
            task=render_audit_report,
        )


def audit_report_record(*, job: Job) -> AuditReport | None:
    """Keep the file of a done report job as the audit's report, under the version and final flag it was asked with.

    Called by the task once the job is done. Safe to run twice (a redelivered task): a job is recorded once. A final
    report is never replaced: should a second final job finish (a failed one retried meanwhile), it is not recorded.
    """
    with transaction.atomic():
        job = Job.objects.select_for_update(of=("self",)).select_related("created_by").get(pk=job.pk)
        if job.kind != report.JOB_KIND or job.status != Job.Status.DONE or job.object_id is None:
            return None
        existing = AuditReport.objects.filter(job=job).first()
        if existing is not None:
            return existing
        audit = Audit.objects.select_for_update().get(pk=job.object_id)
        final = bool(job.parameters.get("final"))
        if final and audit.reports.filter(final=True).exists():
            logger.warning("Job %s made a second final report of %s; the first is kept", job.pk, audit.reference)
            return None
        kept = AuditReport(
            audit=audit,
            job=job,
            version=int(job.parameters["version"]),
            final=final,
            file=job.result_file.name,
            sha256=job.result_sha256,
            size=job.result_size or 0,
            generated_by=job.created_by,
            generated_at=job.finished_at or timezone.now(),
        )
        stamp(kept, actor=job.created_by, reason="Final report of the closed audit" if final else "Report generated")
        kept.save()
    return kept


def audit_report_after_close(*, actor: User, audit: Audit) -> Job | None:
    """Ask for the final report that closing freezes; the views and the API call it once `audit_close` has returned.

    It is not part of `audit_close`: the signature's transaction must not depend on the worker, nor on anything that
    may go wrong while the job is created. The close stands either way; a final report that could not be asked for
    here is asked for again from the audit (a final report request), and the refusal is logged.
    """
    try:
        return audit_report_request(actor=actor, audit=audit, final=True)
    except DomainError as refusal:
        logger.warning("The final report of %s was not requested after closing: %s", audit.reference, refusal.message)
        return None


# --- Checklist templates ----------------------------------------------------------------------------------------


def checklist_template_save(*, actor: User, template: ChecklistTemplate, reason: str) -> ChecklistTemplate:
    """Add or change a reusable audit question for a clause (quality managers keep them)."""
    if not actor.has_role(Role.QUALITY_MANAGER):
        raise NotAllowed("Only quality managers maintain the checklist templates.")
    if not template.question.strip():
        raise DomainError("Write the question.", field="question")
    with transaction.atomic():
        stamp(template, actor=actor, reason=reason)
        template.save()
    return template


# --- Evidence files ---------------------------------------------------------------------------------------------

EVIDENCE_FOLDER = "audit-evidence"


def evidence_add(*, actor: User, item: ChecklistItem, file: UploadedFile) -> EvidenceFile:
    """Attach a file to a checklist answer: checked by content, stored under a generated name, removed again if the
    record cannot be saved. Possible while the audit's fieldwork is open."""
    if not item.audit.is_auditor(actor):
        raise NotAllowed("Only the audit's auditors add evidence to its checklist.")
    checked = inspect_upload(file)
    with stored_upload(file, checked, folder=EVIDENCE_FOLDER) as stored_name, transaction.atomic():
        audit = _locked(item.audit)
        if audit.status not in {Audit.Status.PLANNED, Audit.Status.IN_PROGRESS, Audit.Status.REPORTING}:
            raise DomainError(f"Evidence can no longer be added: the audit is {audit.get_status_display().lower()}.")
        evidence = EvidenceFile(
            checklist_item=item,
            file=stored_name,
            original_filename=checked.original_name,
            sha256=checked.sha256,
            size=checked.size,
            content_type=checked.content_type,
            uploaded_by=actor,
        )
        stamp(evidence, actor=actor, reason="Evidence added")
        evidence.save()
    return evidence
