"""Every write to CAPAs. This first part: opening a CAPA, on its own or raised from an audit finding."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.db import transaction
from django.utils import timezone

from audits.models import Finding
from capa.models import Capa
from qms import sequences
from qms.errors import DomainError, NotAllowed
from qms.history import stamp
from qms.models import Department, User
from qms.roles import Role
from qms.services import notify

SEVERITY_OF_FINDING: dict[str, str] = {
    Finding.Type.MAJOR_NC: Capa.Severity.HIGH,
    Finding.Type.MINOR_NC: Capa.Severity.MEDIUM,
    Finding.Type.OBSERVATION: Capa.Severity.LOW,
    Finding.Type.OFI: Capa.Severity.LOW,
}


def capa_create(
    *,
    actor: User,
    title: str,
    source: str,
    problem: str,
    owner: User,
    due_date: date,
    kind: str = Capa.Kind.CORRECTIVE,
    severity: str = Capa.Severity.MEDIUM,
    department: Department | None = None,
    findings: Iterable[Finding] = (),
) -> Capa:
    """Open a CAPA numbered CAPA-<seq>, owned by someone who is told at once."""
    if not actor.has_role(Role.QUALITY_MANAGER, Role.AUDITOR):
        raise NotAllowed("Quality managers and auditors open CAPAs.")
    if due_date < timezone.localdate():
        raise DomainError("The due date cannot be in the past.", field="due_date")
    if not owner.is_active:
        raise DomainError(f"{owner.display_name} can no longer sign in.", field="owner")
    findings = list(findings)
    answered = sorted(
        Finding.objects.filter(pk__in=[f.pk for f in findings], capas__isnull=False).values_list("reference", flat=True)
    )
    if answered:
        raise DomainError(f"These findings already have a CAPA: {', '.join(answered)}.", field="findings")
    with transaction.atomic():
        capa = Capa(
            reference=f"CAPA-{sequences.next_value('capa'):04d}",
            title=title,
            kind=kind,
            source=source,
            severity=severity,
            problem=problem,
            owner=owner,
            department=department,
            due_date=due_date,
            created_by=actor,
        )
        stamp(capa, actor=actor, reason="CAPA opened")
        capa.save()
        if findings:
            stamp(capa, actor=actor, reason=f"Linked to {', '.join(f.reference for f in findings)}")
            capa.findings.set(findings)
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
        source=Capa.Source.AUDIT_FINDING,
        problem=f"{finding.statement}{evidence}\n\nRequirement: {finding.requirement or finding.clause}",
        owner=owner,
        due_date=due_date,
        severity=SEVERITY_OF_FINDING[finding.type],
        department=finding.department,
        findings=[finding],
    )
