"""The loop that makes CAPA more than a register: finding → CAPA → action → change request → new revision →
effective → action done → effectiveness → closed, through the real services of three modules."""

from __future__ import annotations

import pytest

from audits import services as audit_services
from capa import services
from capa.models import Capa, CapaAction
from documents import services as document_services
from documents.models import ChangeRequest, Revision
from qms.errors import DomainError
from qms.models import Clause
from tests.capa.conftest import analyse, in_days, plan_action
from tests.conftest import PASSWORD
from tests.documents.conftest import make_effective, text_file

pytestmark = pytest.mark.django_db


def test_a_finding_is_answered_by_a_revision_that_closes_its_capa(
    in_progress, lead, quality_manager, employee, effective, approver
):
    sop = effective.document
    finding = audit_services.finding_create(
        actor=lead,
        audit=in_progress,
        type="minor_nc",
        clause=Clause.objects.get(number="7.5.3"),
        statement="The cleaning SOP does not say who clears the hold area",
    )
    capa = services.capa_raise_from_finding(actor=lead, finding=finding, owner=employee, due_date=in_days(60))
    capa = analyse(capa, employee)

    action = plan_action(capa, employee, employee, description="Name the hold-area owner in the SOP", document=sop)
    change_request = action.change_request
    assert change_request is not None and change_request.status == ChangeRequest.Status.OPEN
    assert change_request.document == sop
    assert change_request.reason.startswith(f"{capa.reference}/A1:")
    with pytest.raises(DomainError, match="done when the new revision becomes effective"):
        services.action_complete(actor=employee, action=action, evidence="I changed it")

    capa = services.capa_advance(actor=employee, capa=capa, to=Capa.Status.IMPLEMENTING)
    document_services.change_request_accept(actor=employee, change_request=change_request)
    change_request.refresh_from_db()
    revision = change_request.revision
    assert revision is not None and revision.status == Revision.Status.DRAFT
    document_services.revision_replace_file(
        actor=employee, revision=revision, file=text_file("# Cleaning\n\nThe shift lead clears the hold area daily.\n")
    )
    action.refresh_from_db()
    assert action.status == CapaAction.Status.OPEN  # a draft is not yet the change

    make_effective(revision, approver)
    action.refresh_from_db()
    assert action.status == CapaAction.Status.DONE
    assert action.completed_by is None
    assert f"revision {revision.revision} became effective" in action.evidence
    assert employee.notifications.filter(subject=f"{action.label} is done").exists()

    capa = services.capa_advance(actor=employee, capa=capa, to=Capa.Status.VERIFYING)
    capa = services.capa_verify(actor=quality_manager, capa=capa, effective=True, password=PASSWORD)
    assert capa.status == Capa.Status.CLOSED
    assert finding.capas.get().status == Capa.Status.CLOSED


def test_a_revision_that_fails_approval_leaves_the_action_open(open_capa, employee, effective, approver):
    action = plan_action(open_capa, employee, employee, document=effective.document)
    document_services.change_request_accept(actor=employee, change_request=action.change_request)
    action.change_request.refresh_from_db()
    revision = action.change_request.revision
    document_services.revision_submit(actor=employee, revision=revision, approvers=[approver])
    document_services.revision_reject(actor=approver, revision=revision, password=PASSWORD, comment="Unclear")
    action.refresh_from_db()
    assert action.status == CapaAction.Status.OPEN


def test_a_failing_action_leaves_no_change_request_behind(open_capa, employee, effective):
    with pytest.raises(DomainError):
        services.action_create(
            actor=employee,
            capa=open_capa,
            description="Change the SOP",
            owner=employee,
            due_date=in_days(-1),
            document=effective.document,
        )
    assert not ChangeRequest.objects.exists()
