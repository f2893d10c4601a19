"""Every write to the nonconformity log and to CAPAs: report, triage, open (or bring in from an earlier system),
analyse, act, verify, close.

The rules of the CAPA state machine and of closing live in `Capa.blockers_for`; the functions here lock the row,
ask it, and refuse with its words.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from audits.models import Finding
from capa.models import (
    ActionEvidenceFile,
    Capa,
    CapaAction,
    CauseCategory,
    EffectivenessCheck,
    Nonconformity,
    Severity,
    Source,
)
from documents import services as document_services
from documents.models import Document, Revision
from qms import sequences
from qms.errors import ConflictError, DomainError, NotAllowed
from qms.history import stamp
from qms.models import Clause, Department, Signature, User
from qms.roles import Role
from qms.selectors import holders_of
from qms.services import notify
from qms.signatures import record_signature, sha256_of_text, verify_signer
from qms.uploads import inspect_upload, stored_upload

SEVERITY_OF_FINDING: dict[str, str] = {
    Finding.Type.MAJOR_NC: Severity.HIGH,
    Finding.Type.MINOR_NC: Severity.MEDIUM,
    Finding.Type.OBSERVATION: Severity.LOW,
    Finding.Type.OFI: Severity.LOW,
}
EFFECTIVENESS_DELAY = timedelta(days=90)
MAX_WHYS = 10


def _not_in_past(day: date, *, field: str = "due_date") -> None:
    if day < timezone.localdate():
        raise DomainError(f"The {field.replace('_', ' ')} cannot be in the past.", field=field)


def _active(user: User, *, field: str) -> None:
    if not user.is_active:
        raise DomainError(f"{user.display_name} can no longer sign in.", field=field)


# --- Nonconformity log ----------------------------------------------------------------------------------------------


def nonconformity_report(
    *,
    actor: User,
    title: str,
    description: str,
    source: str = Source.INTERNAL,
    severity: str = Severity.MEDIUM,
    location: str = "",
    containment: str = "",
    department: Department | None = None,
    clause: Clause | None = None,
    finding: Finding | None = None,
    customer: str = "",
    customer_reference: str = "",
    reply_due: date | None = None,
) -> Nonconformity:
    """Anyone logs a nonconformity; the quality managers are told so they can triage it."""
    if source == Source.CUSTOMER_COMPLAINT:
        if not customer.strip():
            raise DomainError("A customer complaint names its customer.", field="customer")
        if reply_due is None:
            raise DomainError("Say by when the customer must have an answer.", field="reply_due")
    if reply_due is not None:
        _not_in_past(reply_due, field="reply_due")
    if finding is not None and source != Source.AUDIT_FINDING:
        raise DomainError("Only an entry from an audit finding links to a finding.", field="finding")
    with transaction.atomic():
        nonconformity = Nonconformity(
            reference=f"NC-{sequences.next_value('nonconformity'):04d}",
            title=title,
            description=description,
            source=source,
            severity=severity,
            location=location,
            containment=containment,
            department=department if department is not None else actor.department,
            clause=clause if clause is not None else (finding.clause if finding else None),
            finding=finding,
            customer=customer,
            customer_reference=customer_reference,
            reply_due=reply_due,
            reported_by=actor,
        )
        stamp(nonconformity, actor=actor, reason="Nonconformity reported")
        nonconformity.save()
        due = f" The customer expects an answer by {reply_due:%Y-%m-%d}." if reply_due else ""
        notify(
            recipients=holders_of(Role.QUALITY_MANAGER).exclude(pk=actor.pk),
            kind="generic",
            subject=f"{nonconformity.reference} reported by {actor.display_name}: {title}",
            context={"message": f"{description}{due}\n\nClose it with a disposition or escalate it to a CAPA."},
            url=nonconformity.get_absolute_url(),
        )
    return nonconformity


def _locked_nonconformity(nonconformity: Nonconformity, actor: User) -> Nonconformity:
    if not actor.has_role(Role.QUALITY_MANAGER):
        raise NotAllowed("Quality managers triage the nonconformity log.")
    nonconformity = Nonconformity.objects.select_for_update().get(pk=nonconformity.pk)
    if nonconformity.status != Nonconformity.Status.OPEN:
        raise DomainError(f"{nonconformity.reference} is already {nonconformity.get_status_display().lower()}.")
    return nonconformity


def nonconformity_close(*, actor: User, nonconformity: Nonconformity, disposition: str, note: str) -> Nonconformity:
    """Triage without a CAPA: the quality manager records what was done with the nonconforming output and why no
    corrective action is needed."""
    if disposition not in Nonconformity.Disposition.values:
        raise DomainError("Choose a disposition.", field="disposition")
    if not note.strip():
        raise DomainError("Say why no corrective action is needed.", field="note")
    with transaction.atomic():
        nonconformity = _locked_nonconformity(nonconformity, actor)
        nonconformity.status = Nonconformity.Status.CLOSED
        nonconformity.disposition = disposition
        nonconformity.disposition_note = note
        nonconformity.triaged_by = actor
        nonconformity.triaged_at = timezone.now()
        stamp(nonconformity, actor=actor, reason=f"Closed: {nonconformity.get_disposition_display()}")
        nonconformity.save()
        notify(
            recipients=[nonconformity.reported_by],
            kind="generic",
            subject=f"{nonconformity.reference} closed: {nonconformity.get_disposition_display()}",
            context={"message": note},
            url=nonconformity.get_absolute_url(),
        )
    return nonconformity


def nonconformity_escalate(
    *, actor: User, nonconformity: Nonconformity, owner: User, due_date: date, kind: str = Capa.Kind.CORRECTIVE
) -> Capa:
    """Triage to a CAPA: one filled in from the log entry and linked to it (and to its finding, unless the finding
    already has its own CAPA)."""
    if not actor.has_role(Role.QUALITY_MANAGER):
        raise NotAllowed("Quality managers triage the nonconformity log.")
    if nonconformity.status != Nonconformity.Status.OPEN:
        raise DomainError(f"{nonconformity.reference} is already {nonconformity.get_status_display().lower()}.")
    customer = f"\n\nCustomer: {nonconformity.customer}" if nonconformity.customer else ""
    where = f"\n\nWhere: {nonconformity.location}" if nonconformity.location else ""
    finding = nonconformity.finding
    return capa_create(
        actor=actor,
        title=f"{nonconformity.reference}: {nonconformity.title}"[:200],
        source=nonconformity.source,
        kind=kind,
        problem=f"{nonconformity.description}{where}{customer}",
        containment=nonconformity.containment,
        owner=owner,
        due_date=due_date,
        severity=nonconformity.severity,
        department=nonconformity.department,
        clause=nonconformity.clause,
        findings=[finding] if finding is not None and not finding.capas.exists() else [],
        nonconformities=[nonconformity],
    )


# --- Opening a CAPA -------------------------------------------------------------------------------------------------


def capa_create(
    *,
    actor: User,
    title: str,
    source: str,
    problem: str,
    owner: User,
    due_date: date,
    kind: str = Capa.Kind.CORRECTIVE,
    severity: str = Severity.MEDIUM,
    containment: str = "",
    department: Department | None = None,
    clause: Clause | None = None,
    findings: Iterable[Finding] = (),
    nonconformities: Iterable[Nonconformity] = (),
) -> Capa:
    """Open a CAPA numbered CAPA-<seq>, owned by someone who is told at once."""
    if not actor.has_role(Role.QUALITY_MANAGER, Role.AUDITOR):
        raise NotAllowed("Quality managers and auditors open CAPAs.")
    _not_in_past(due_date)
    _active(owner, field="owner")
    findings = list(findings)
    nonconformities = list(nonconformities)
    if nonconformities and not actor.has_role(Role.QUALITY_MANAGER):
        raise NotAllowed("Quality managers triage the nonconformity log.")
    if clause is None and findings:
        clause = findings[0].clause
    with transaction.atomic():
        # Locked, so that two people raising a CAPA for the same finding at the same moment cannot both succeed.
        locked = Finding.objects.select_for_update().filter(pk__in=[f.pk for f in findings])
        answered = sorted(f.reference for f in locked if f.capas.exists())
        if answered:
            raise DomainError(f"These findings already have a CAPA: {', '.join(answered)}.", field="findings")
        entries = list(Nonconformity.objects.select_for_update().filter(pk__in=[n.pk for n in nonconformities]))
        triaged = sorted(n.reference for n in entries if n.status != Nonconformity.Status.OPEN)
        if triaged:
            raise DomainError(f"These log entries are already triaged: {', '.join(triaged)}.", field="nonconformities")
        capa = Capa(
            reference=f"CAPA-{sequences.next_value('capa'):04d}",
            title=title,
            kind=kind,
            source=source,
            severity=severity,
            problem=problem,
            containment=containment,
            owner=owner,
            department=department,
            clause=clause,
            due_date=due_date,
            created_by=actor,
        )
        stamp(capa, actor=actor, reason="CAPA opened")
        capa.save()
        linked = [f.reference for f in findings] + [n.reference for n in entries]
        if linked:
            stamp(capa, actor=actor, reason=f"Linked to {', '.join(linked)}")
            capa.findings.set(findings)
            capa.nonconformities.set(entries)
        for entry in entries:
            entry.status = Nonconformity.Status.ESCALATED
            entry.triaged_by = actor
            entry.triaged_at = timezone.now()
            stamp(entry, actor=actor, reason=f"Escalated to {capa.reference}")
            entry.save()
        notify(
            recipients=[owner],
            kind="generic",
            subject=f"You own {capa.reference}: {title}",
            context={"message": f"{problem}\n\nDue {due_date:%Y-%m-%d}."},
            url=capa.get_absolute_url(),
        )
    return capa


def capa_raise_from_finding(*, actor: User, finding: Finding, owner: User, due_date: date) -> Capa:
    """One step from an audit finding to its CAPA, filled in from the finding and linked to it."""
    if not (actor.has_role(Role.QUALITY_MANAGER) or finding.audit.is_auditor(actor)):
        raise NotAllowed("Quality managers and the audit's auditors raise CAPAs from its findings.")
    evidence = f"\n\nEvidence: {finding.evidence}" if finding.evidence else ""
    return capa_create(
        actor=actor,
        title=f"{finding.reference}: {finding.statement[:150]}",
        source=Source.AUDIT_FINDING,
        problem=f"{finding.statement}{evidence}\n\nRequirement: {finding.requirement or finding.clause}",
        owner=owner,
        due_date=due_date,
        severity=SEVERITY_OF_FINDING[finding.type],
        department=finding.department,
        clause=finding.clause,
        findings=[finding],
    )


# --- Bringing in open CAPAs from an earlier system ------------------------------------------------------------------


IMPORTED_REFERENCE_LENGTH = Capa._meta.get_field("imported_reference").max_length or 50


@dataclass(frozen=True)
class ImportedAction:
    """An action as the earlier system listed it: open, or done on a day (with what showed it, if it was listed)."""

    description: str
    owner: User
    due_date: date
    origin: str  # the list and line it came from, for its history: "actions.csv, line 7"
    done_on: date | None = None
    evidence: str = ""


def capa_import(
    *,
    actor: User,
    imported_reference: str,
    origin: str,
    status: str,
    title: str,
    source: str,
    problem: str,
    owner: User,
    due_date: date,
    kind: str = Capa.Kind.CORRECTIVE,
    severity: str = Severity.MEDIUM,
    containment: str = "",
    department: Department | None = None,
    clause: Clause | None = None,
    opened_on: date | None = None,
    root_cause_method: str = "",
    root_cause_analysis: Any = None,
    root_cause: str = "",
    cause_category: str = "",
    actions: Sequence[ImportedAction] = (),
    check_date: date | None = None,
    check_criteria: str = "",
) -> Capa:
    """Bring in a CAPA that is still open in an earlier system, in the state it has there, with its actions.

    It is numbered from our sequence (CAPA-0013) and keeps its earlier reference (`imported_reference`), by which a
    second import recognises it. It must hold what each step to its state needs here (`Capa.blockers_to_start_in`),
    so it goes on like any other; one in verifying gets its effectiveness check planned (on `check_date`, or as moving
    it there would plan it). Dates are kept as listed, past ones too: an overdue CAPA comes in overdue. Nobody is
    notified: the owners have had this work all along, and the daily digest tells them what is due.
    `origin` (the list and line) is in the history of the CAPA, as each action's origin is in its own.
    """
    if not actor.has_role(Role.QUALITY_MANAGER):
        raise NotAllowed("Only a quality manager may import CAPAs.")
    if not imported_reference.strip() or len(imported_reference) > IMPORTED_REFERENCE_LENGTH:
        raise DomainError(
            f"Give the CAPA's reference in the earlier system ({IMPORTED_REFERENCE_LENGTH} characters at most).",
            field="imported_reference",
        )
    if status not in Capa.IMPORTABLE:
        raise DomainError(
            f"Only open CAPAs are imported ({', '.join(Capa.IMPORTABLE)}), not {status!r}.", field="status"
        )
    for choice, allowed, field in [
        (kind, Capa.Kind.values, "kind"),
        (source, Source.values, "source"),
        (severity, Severity.values, "severity"),
        (cause_category, ["", *CauseCategory.values], "cause_category"),
    ]:
        if choice not in allowed:
            raise DomainError(f"Unknown {field.replace('_', ' ')} {choice!r}.", field=field)
    today = timezone.localdate()
    if opened_on is not None and opened_on > today:
        raise DomainError("The day it was opened is later than today.", field="opened_on")
    for person in [owner, *(action.owner for action in actions)]:
        _active(person, field="owner")
    if any(action.done_on is not None and action.done_on > today for action in actions):
        raise DomainError("The day an action was done is later than today.", field="actions")
    if (check_date is not None or check_criteria) and status != Capa.Status.VERIFYING:
        raise DomainError("Only a CAPA in verifying has its effectiveness check planned.", field="check_date")
    analysis = clean_analysis(root_cause_method, root_cause_analysis or [])
    capa = Capa(
        reference=imported_reference,  # what the rules' messages call it, until it is numbered here
        imported_reference=imported_reference,
        status=status,
        title=title,
        kind=kind,
        source=source,
        severity=severity,
        problem=problem,
        containment=containment,
        owner=owner,
        department=department,
        clause=clause,
        due_date=due_date,
        root_cause_method=root_cause_method,
        root_cause_analysis=analysis,
        root_cause=root_cause,
        cause_category=cause_category,
        created_by=actor,
    )
    if opened_on is not None:
        capa.created_at = _start_of(opened_on)
    planned = [
        CapaAction(
            capa=capa,
            number=number,
            description=action.description,
            owner=action.owner,
            due_date=action.due_date,
            status=CapaAction.Status.OPEN if action.done_on is None else CapaAction.Status.DONE,
            evidence=action.evidence
            or ("" if action.done_on is None else f"Done on {action.done_on:%Y-%m-%d} in the earlier system."),
            # Nobody here completed it: the earlier system knew who did; the date is what it listed.
            completed_at=None if action.done_on is None else _start_of(action.done_on),
            created_by=actor,
        )
        for number, action in enumerate(actions, start=1)
    ]
    blockers = capa.blockers_to_start_in(status, planned)
    if blockers:
        raise DomainError(f"{imported_reference} cannot come in as {status}: {' '.join(blockers)}", field="status")
    reason = f"Imported from {origin}"
    with transaction.atomic():
        if Capa.objects.filter(imported_reference__iexact=imported_reference).exists():
            raise ConflictError(f"{imported_reference} was imported before.")
        capa.reference = f"CAPA-{sequences.next_value('capa'):04d}"
        stamp(capa, actor=actor, reason=reason)
        capa.save()
        for action, imported in zip(planned, actions, strict=True):
            stamp(action, actor=actor, reason=f"Imported from {imported.origin}")
            action.save()
        if status == Capa.Status.VERIFYING:
            last_done = max(action.done_on for action in actions if action.done_on is not None)
            planned_date = check_date or max(last_done + EFFECTIVENESS_DELAY, today)
            check = EffectivenessCheck(capa=capa, planned_date=planned_date, criteria=check_criteria)
            stamp(check, actor=actor, reason=f"{reason}: effectiveness check planned for {planned_date:%Y-%m-%d}")
            check.save()
    return capa


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


# --- Analysis and editing -------------------------------------------------------------------------------------------

# Fields the owner and quality managers may change while the CAPA is open; the analysis only until implementing.
EDITABLE_FIELDS = ("title", "problem", "containment", "severity", "owner", "due_date", "department")
ANALYSIS_FIELDS = ("root_cause_method", "root_cause_analysis", "root_cause", "cause_category")


def capa_update(*, actor: User, capa: Capa, reason: str = "", **changes: Any) -> Capa:
    """Change a CAPA's description or its root-cause analysis. The analysis is checked for its method's shape."""
    unknown = set(changes) - set(EDITABLE_FIELDS) - set(ANALYSIS_FIELDS)
    if unknown:
        raise DomainError(f"These fields cannot be changed here: {', '.join(sorted(unknown))}.")
    with transaction.atomic():
        capa = _locked(capa)
        if not capa.can_edit(actor):
            if not capa.is_managed_by(actor):
                raise NotAllowed("Only the CAPA's owner and quality managers change it.")
            raise DomainError(f"A {capa.get_status_display().lower()} CAPA no longer changes.")
        changed = {name: value for name, value in changes.items() if getattr(capa, name) != value}
        if set(changed) & set(ANALYSIS_FIELDS) and not capa.can_edit_analysis(actor):
            raise DomainError(
                "The root-cause analysis is fixed once actions are being implemented; a failed effectiveness check "
                "reopens it."
            )
        if "due_date" in changed:
            _not_in_past(changed["due_date"])
        if "owner" in changed:
            _active(changed["owner"], field="owner")
        if "cause_category" in changed and changed["cause_category"] not in ["", *CauseCategory.values]:
            raise DomainError("Choose one of the 6M categories.", field="cause_category")
        method = changed.get("root_cause_method", capa.root_cause_method)
        if {"root_cause_method", "root_cause_analysis"} & set(changed):
            changed["root_cause_analysis"] = clean_analysis(
                method, changed.get("root_cause_analysis", capa.root_cause_analysis)
            )
        if not changed:
            return capa
        for name, value in changed.items():
            setattr(capa, name, value)
        stamp(capa, actor=actor, reason=reason or _change_reason(changed))
        capa.save()
        if "owner" in changed:
            notify(
                recipients=[capa.owner],
                kind="generic",
                subject=f"You now own {capa.reference}: {capa.title}",
                context={"message": f"{actor.display_name} handed it to you. Due {capa.due_date:%Y-%m-%d}."},
                url=capa.get_absolute_url(),
            )
    return capa


def _change_reason(changed: dict[str, Any]) -> str:
    if set(changed) <= set(ANALYSIS_FIELDS):
        return "Root-cause analysis updated"
    return "Changed: " + ", ".join(name.replace("_", " ") for name in changed)


def clean_analysis(method: str, analysis: Any) -> Any:
    """The analysis in its method's shape, with blank entries dropped; a clear error when it is not.

    5 Whys: an ordered list of {"why", "because"} pairs. Fishbone: causes (texts) under the 6M categories.
    """
    if method == "":
        if analysis:
            raise DomainError("Choose the method of the analysis.", field="root_cause_method")
        return []
    if method == Capa.Method.FIVE_WHYS:
        if not isinstance(analysis, list) or not all(isinstance(step, dict) for step in analysis):
            raise DomainError('A 5 Whys chain is a list of {"why", "because"} steps.', field="root_cause_analysis")
        steps = [
            {"why": str(step.get("why") or "").strip(), "because": str(step.get("because") or "").strip()}
            for step in analysis
        ]
        steps = [step for step in steps if step["why"] or step["because"]]
        if len(steps) > MAX_WHYS:
            raise DomainError(f"Keep the chain to {MAX_WHYS} whys.", field="root_cause_analysis")
        for position, step in enumerate(steps, start=1):
            if not step["why"] or not step["because"]:
                raise DomainError(
                    f"Why {position} needs both the question and its answer.", field="root_cause_analysis"
                )
        return steps
    if method == Capa.Method.FISHBONE:
        if not isinstance(analysis, dict):
            raise DomainError("A fishbone lists causes under the 6M categories.", field="root_cause_analysis")
        unknown = sorted(set(analysis) - set(CauseCategory.values))
        if unknown:
            raise DomainError(
                f"Unknown categories: {', '.join(map(str, unknown))}. Use {', '.join(CauseCategory.values)}.",
                field="root_cause_analysis",
            )
        bones: dict[str, list[str]] = {}
        for category in CauseCategory.values:
            causes = analysis.get(category) or []
            if isinstance(causes, str) or not isinstance(causes, list):
                raise DomainError(f"The {category} causes are a list of texts.", field="root_cause_analysis")
            texts = [str(cause).strip() for cause in causes if str(cause).strip()]
            if texts:
                bones[category] = texts
        return bones
    raise DomainError("Choose 5 Whys or fishbone.", field="root_cause_method")


# --- The state machine ----------------------------------------------------------------------------------------------


def _locked(capa: Capa) -> Capa:
    return Capa.objects.select_for_update().get(pk=capa.pk)


def _refuse_unless_allowed(capa: Capa, target: str) -> None:
    actions = list(capa.actions.select_related("capa"))
    checks = list(capa.effectiveness_checks.all())
    blockers = capa.blockers_for(target, actions, checks)
    if blockers:
        raise DomainError(" ".join(blockers), field="to" if target != Capa.Status.CLOSED else None)


def _transition(capa: Capa, *, actor: User | None, to: str, reason: str) -> None:
    capa.status = to
    stamp(capa, actor=actor, reason=reason)
    capa.save()


def capa_advance(*, actor: User, capa: Capa, to: str, planned_date: date | None = None, criteria: str = "") -> Capa:
    """Move a CAPA one step on: open → investigating → implementing → verifying. Moving to verifying plans the
    effectiveness check (by default 90 days after the last action was done)."""
    if to not in Capa.NEXT_STEP.values():
        raise DomainError("Move a CAPA to investigating, implementing or verifying.", field="to")
    with transaction.atomic():
        capa = _locked(capa)
        if not capa.is_managed_by(actor):
            raise NotAllowed("Only the CAPA's owner and quality managers move it on.")
        _refuse_unless_allowed(capa, to)
        _transition(capa, actor=actor, to=to, reason=f"Moved to {Capa.Status(to).label.lower()}")
        if to == Capa.Status.VERIFYING:
            _plan_effectiveness_check(capa, actor=actor, planned_date=planned_date, criteria=criteria)
        elif to == Capa.Status.IMPLEMENTING:
            owners = {a.owner for a in capa.actions.select_related("owner").filter(status=CapaAction.Status.OPEN)}
            notify(
                recipients=owners - {actor},
                kind="generic",
                subject=f"{capa.reference} is being implemented: your action is due",
                context={"message": f"Root cause: {capa.root_cause}"},
                url=capa.get_absolute_url(),
            )
    return capa


def _plan_effectiveness_check(capa: Capa, *, actor: User, planned_date: date | None, criteria: str) -> None:
    if planned_date is None:
        last_done = max(
            (a.completed_at for a in capa.actions.filter(status=CapaAction.Status.DONE) if a.completed_at),
            default=timezone.now(),
        )
        planned_date = max(timezone.localdate(last_done) + EFFECTIVENESS_DELAY, timezone.localdate())
    else:
        _not_in_past(planned_date, field="planned_date")
    check = EffectivenessCheck(capa=capa, planned_date=planned_date, criteria=criteria)
    stamp(check, actor=actor, reason=f"Effectiveness check planned for {planned_date:%Y-%m-%d}")
    check.save()


def capa_verify(
    *, actor: User, capa: Capa, effective: bool, password: str, comment: str = "", ip: str | None = None
) -> Capa:
    """A quality manager signs the effectiveness check. Effective closes the CAPA (if the closing rule holds); not
    effective keeps the failed check and sends the CAPA back to investigating."""
    if not actor.has_role(Role.QUALITY_MANAGER):
        raise NotAllowed("A quality manager signs the effectiveness check.")
    if not effective and not comment.strip():
        raise DomainError("Say what showed the actions did not work.", field="comment")
    signer = verify_signer(
        user=actor, password=password, meaning=Signature.Meaning.VERIFIED, record=capa, ip_address=ip
    )
    with transaction.atomic():
        capa = _locked(capa)
        if capa.status != Capa.Status.VERIFYING:
            raise DomainError(
                "Only a CAPA in verifying has its effectiveness checked; "
                f"this one is {capa.get_status_display().lower()}."
            )
        if effective:
            _refuse_unless_allowed(capa, Capa.Status.CLOSED)
        check = EffectivenessCheck.objects.select_for_update().get(capa=capa, result="")
        check.result = EffectivenessCheck.Result.EFFECTIVE if effective else EffectivenessCheck.Result.NOT_EFFECTIVE
        check.comment = comment
        check.verified_by = actor
        check.verified_at = timezone.now()
        check.signature = record_signature(
            signer,
            meaning=Signature.Meaning.VERIFIED,
            record=capa,
            content_sha256=sha256_of_text(_signed_summary(capa, check)),
            comment=comment,
        )
        stamp(check, actor=actor, reason=f"Signed {check.get_result_display().lower()}")
        check.save()
        if effective:
            capa.closed_at = timezone.now()
            _transition(capa, actor=actor, to=Capa.Status.CLOSED, reason="Effective: closed")
            message = "The effectiveness check was signed effective; the CAPA is closed."
        else:
            _transition(capa, actor=actor, to=Capa.Status.INVESTIGATING, reason="Not effective: back to investigating")
            message = f"The actions did not remove the cause: {comment}\nRevisit the root cause and plan new actions."
        notify(
            recipients=[capa.owner],
            kind="generic",
            subject=f"{capa.reference} {check.get_result_display().lower()}",
            context={"message": message},
            url=capa.get_absolute_url(),
        )
    return capa


def _signed_summary(capa: Capa, check: EffectivenessCheck) -> str:
    """What the verification signature covers: the CAPA, its cause, its actions and the verdict, in a stable text."""
    actions = "\n".join(
        f"A{a.number} {a.status} {a.description} | {a.evidence or a.cancel_reason}" for a in capa.actions.all()
    )
    return (
        f"{capa.reference}\n{capa.title}\n{capa.problem}\n{capa.root_cause}\n{capa.cause_category}\n{actions}\n"
        f"{check.planned_date:%Y-%m-%d} {check.result} {check.comment}"
    )


def capa_cancel(*, actor: User, capa: Capa, reason: str) -> Capa:
    """A quality manager cancels a CAPA that is not needed after all; the reason stays on the record."""
    if not reason.strip():
        raise DomainError("Say why the CAPA is cancelled.", field="reason")
    with transaction.atomic():
        capa = _locked(capa)
        if not capa.can_cancel(actor):
            if not actor.has_role(Role.QUALITY_MANAGER):
                raise NotAllowed("Only a quality manager cancels a CAPA.")
            raise DomainError(f"A {capa.get_status_display().lower()} CAPA cannot be cancelled.")
        capa.cancel_reason = reason
        capa.closed_at = timezone.now()
        _transition(capa, actor=actor, to=Capa.Status.CANCELLED, reason=f"Cancelled: {reason}")
        # Its open actions end with it, so that nobody is left owning work that can no longer be done.
        for action in capa.actions.select_for_update().filter(status=CapaAction.Status.OPEN):
            action.status = CapaAction.Status.CANCELLED
            action.cancel_reason = f"{capa.reference} cancelled: {reason}"
            stamp(action, actor=actor, reason=action.cancel_reason)
            action.save()
    return capa


# --- Actions --------------------------------------------------------------------------------------------------------


def action_create(
    *, actor: User, capa: Capa, description: str, owner: User, due_date: date, document: Document | None = None
) -> CapaAction:
    """Plan an action. One that changes a controlled document opens a change request on it at once."""
    if not description.strip():
        raise DomainError("Say what will be done.", field="description")
    _not_in_past(due_date)
    _active(owner, field="owner")
    with transaction.atomic():
        capa = _locked(capa)
        if not capa.can_plan_actions(actor):
            if not capa.is_managed_by(actor):
                raise NotAllowed("Only the CAPA's owner and quality managers plan its actions.")
            raise DomainError(f"Actions are no longer added to a CAPA in {capa.get_status_display().lower()}.")
        number = (capa.actions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
        action = CapaAction(
            capa=capa, number=number, description=description, owner=owner, due_date=due_date, created_by=actor
        )
        if document is not None:
            action.document = document
            action.change_request = document_services.change_request_create(
                actor=actor, document=document, reason=f"{capa.reference}/A{number}: {description}"
            )
        stamp(action, actor=actor, reason=f"Action A{number} planned")
        action.save()
        if owner.pk != actor.pk:
            notify(
                recipients=[owner],
                kind="generic",
                subject=f"Action for {capa.reference}, due {due_date:%Y-%m-%d}",
                context={"message": description},
                url=action.get_absolute_url(),
            )
    return action


ACTION_EVIDENCE_FOLDER = "capa-evidence"


def action_complete(
    *, actor: User, action: CapaAction, evidence: str, files: Sequence[UploadedFile] = ()
) -> CapaAction:
    """The action's owner reports it done, with evidence in words and, if they like, files."""
    if not evidence.strip():
        raise DomainError("Describe what was done and where it shows.", field="evidence")
    _check_completer(action, actor)  # before reading any file; checked again below, under the lock
    checked = [(file, inspect_upload(file)) for file in files]
    # Files are stored first and deleted again if the record cannot be saved (see qms.uploads.stored_upload).
    with ExitStack() as stack:
        names = [stack.enter_context(stored_upload(f, c, folder=ACTION_EVIDENCE_FOLDER)) for f, c in checked]
        with transaction.atomic():
            action = CapaAction.objects.select_for_update().select_related("capa", "owner").get(pk=action.pk)
            _check_completer(action, actor)
            for (_file, check), name in zip(checked, names, strict=True):
                evidence_file = ActionEvidenceFile(
                    action=action,
                    file=name,
                    original_filename=check.original_name,
                    sha256=check.sha256,
                    size=check.size,
                    content_type=check.content_type,
                    uploaded_by=actor,
                )
                stamp(evidence_file, actor=actor, reason="Evidence added")
                evidence_file.save()
            _mark_done(action, actor=actor, evidence=evidence, reason=f"Action A{action.number} done")
    return action


def _check_completer(action: CapaAction, actor: User) -> None:
    if action.status != CapaAction.Status.OPEN:
        raise DomainError(f"{action.label} is already {action.get_status_display().lower()}.")
    if actor.pk != action.owner_id:
        raise NotAllowed(f"Only {action.owner.display_name}, who owns {action.label}, completes it.")
    if action.changes_document:
        raise DomainError(
            f"{action.label} changes {action.document}: it is done when the new revision becomes effective."
        )
    if action.capa.status not in {Capa.Status.OPEN, Capa.Status.INVESTIGATING, Capa.Status.IMPLEMENTING}:
        raise DomainError(f"{action.capa.reference} is {action.capa.get_status_display().lower()}.")


def _mark_done(action: CapaAction, *, actor: User | None, evidence: str, reason: str) -> None:
    action.status = CapaAction.Status.DONE
    action.evidence = evidence
    action.completed_at = timezone.now()
    action.completed_by = actor
    stamp(action, actor=actor, reason=reason)
    action.save()
    capa = action.capa
    if action.capa.owner_id != (actor.pk if actor else None):
        notify(
            recipients=[capa.owner],
            kind="generic",
            subject=f"{action.label} is done",
            context={"message": evidence},
            url=action.get_absolute_url(),
        )


def action_cancel(*, actor: User, action: CapaAction, reason: str) -> CapaAction:
    """The CAPA's owner or a quality manager drops an action that is no longer needed, saying why."""
    if not reason.strip():
        raise DomainError("Say why the action is cancelled.", field="reason")
    with transaction.atomic():
        action = CapaAction.objects.select_for_update().select_related("capa").get(pk=action.pk)
        if not action.capa.is_managed_by(actor):
            raise NotAllowed("Only the CAPA's owner and quality managers cancel its actions.")
        if action.status != CapaAction.Status.OPEN:
            raise DomainError(f"{action.label} is already {action.get_status_display().lower()}.")
        if not action.capa.is_open:
            raise DomainError(f"{action.capa.reference} is {action.capa.get_status_display().lower()}.")
        action.status = CapaAction.Status.CANCELLED
        action.cancel_reason = reason
        stamp(action, actor=actor, reason=f"Action A{action.number} cancelled: {reason}")
        action.save()
    return action


def actions_complete_for_revision(revision: Revision) -> int:
    """A revision became effective: the actions whose change request it answers are done. Runs inside the
    transaction that made the revision effective, so both happen or neither."""
    count = 0
    actions = CapaAction.objects.select_for_update().select_related("capa")
    for action in actions.filter(change_request__revision=revision, status=CapaAction.Status.OPEN):
        evidence = (
            f"{revision.document.number} revision {revision.revision} became effective on "
            f"{revision.effective_date:%Y-%m-%d}: {revision.change_summary}"
        )
        _mark_done(action, actor=None, evidence=evidence, reason=f"Done: revision {revision.revision} effective")
        count += 1
    return count
