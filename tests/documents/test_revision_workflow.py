"""Every transition of the revision workflow and its rules, through the services (spec/domain.md)."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from documents import services
from documents.models import Approval, Document, Revision
from qms.errors import DomainError, NotAllowed
from qms.models import Signature, SignatureFailure
from qms.signatures import SignatureError
from tests.conftest import PASSWORD
from tests.documents.conftest import make_effective, text_file
from tests.qms.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_numbers_come_from_the_type_prefix_and_are_never_reused(quality_manager, employee, sop_type):
    first = services.document_create(actor=quality_manager, document_type=sop_type, title="A", owner=employee)
    second = services.document_create(actor=quality_manager, document_type=sop_type, title="B", owner=employee)
    assert (first.number, second.number) == ("SOP-0001", "SOP-0002")
    assert first.status == Document.Status.DRAFT
    assert first.review_period_months == sop_type.default_review_period_months


def test_an_upload_becomes_a_draft_with_digest_size_type_and_text(draft, employee):
    assert draft.revision == 1
    assert draft.status == Revision.Status.DRAFT
    assert draft.content_type == "text/markdown"
    assert len(draft.sha256) == 64
    assert draft.size == len(draft.file.read())
    assert "Clean the nozzle" in draft.extracted_text
    assert draft.file.name.startswith("revisions/") and "sop" not in draft.file.name  # a generated name


def test_submit_needs_approvers_who_are_not_the_author(draft, employee, approver):
    with pytest.raises(DomainError, match="Pick at least one approver"):
        services.revision_submit(actor=employee, revision=draft, approvers=[])
    with pytest.raises(DomainError, match="cannot approve their own"):
        services.revision_submit(actor=employee, revision=draft, approvers=[employee])
    services.revision_submit(actor=employee, revision=draft, approvers=[approver])
    draft.refresh_from_db()
    assert draft.status == Revision.Status.IN_REVIEW
    assert draft.approvals.get().decision == Approval.Decision.PENDING
    assert "Please review SOP-0001 rev 1" in mail.outbox[-1].subject if mail.outbox else True


def test_the_last_approval_makes_the_revision_effective_and_starts_the_review_clock(
    draft, employee, approver, second_approver
):
    services.revision_submit(actor=employee, revision=draft, approvers=[approver, second_approver])
    services.revision_approve(actor=approver, revision=draft, password=PASSWORD, comment="ok")
    draft.refresh_from_db()
    assert draft.status == Revision.Status.IN_REVIEW  # still waiting for the second approver
    services.revision_approve(actor=second_approver, revision=draft, password=PASSWORD)
    draft.refresh_from_db()
    document = draft.document
    document.refresh_from_db()
    assert draft.status == Revision.Status.EFFECTIVE
    assert draft.effective_date == timezone.localdate()
    assert document.status == Document.Status.EFFECTIVE
    assert document.next_review_due is not None and document.next_review_due > timezone.localdate()
    signatures = Signature.objects.filter(meaning="approved", content_sha256=draft.sha256)
    assert {s.signer_name for s in signatures} == {"Ann Approver", "Bo Second"}


def test_a_new_effective_revision_supersedes_the_previous_one(effective, employee, approver):
    second = services.revision_create(
        actor=employee, document=effective.document, file=text_file("# v2\n"), change_summary="Step 3 added"
    )
    assert second.revision == 2
    make_effective(second, approver)
    effective.refresh_from_db()
    second.refresh_from_db()
    assert effective.status == Revision.Status.SUPERSEDED
    assert effective.ended_at is not None
    assert second.status == Revision.Status.EFFECTIVE
    assert Revision.objects.filter(document=effective.document, status="effective").count() == 1


def test_only_one_revision_may_be_in_progress(draft, employee):
    with pytest.raises(DomainError, match="Revision 1 is still draft"):
        services.revision_create(actor=employee, document=draft.document, file=text_file(), change_summary="again")


def test_rejection_sends_the_revision_back_to_draft_with_the_reason_kept(draft, employee, approver, second_approver):
    services.revision_submit(actor=employee, revision=draft, approvers=[approver, second_approver])
    with pytest.raises(DomainError, match="Say why"):
        services.revision_reject(actor=approver, revision=draft, password=PASSWORD, comment=" ")
    services.revision_reject(actor=approver, revision=draft, password=PASSWORD, comment="Step 2 is unsafe")
    draft.refresh_from_db()
    assert draft.status == Revision.Status.DRAFT
    decisions = dict(draft.approvals.values_list("approver__username", "decision"))
    assert decisions == {"approver.one": "rejected", "approver.two": "not_needed"}
    assert draft.approvals.get(approver=approver).comment == "Step 2 is unsafe"
    # Resubmitted, it is a new round; the first round's rejection stays.
    services.revision_submit(actor=employee, revision=draft, approvers=[approver])
    draft.refresh_from_db()
    assert draft.review_round == 2
    assert draft.approvals.filter(round=1, decision="rejected").exists()


def test_the_author_can_never_approve_their_own_revision(draft, employee, approver, quality_manager):
    services.revision_submit(actor=quality_manager, revision=draft, approvers=[approver])
    with pytest.raises(NotAllowed, match="author cannot approve"):
        services.revision_approve(actor=employee, revision=draft, password=PASSWORD)


def test_approving_twice_is_refused(draft, employee, approver, second_approver):
    services.revision_submit(actor=employee, revision=draft, approvers=[approver, second_approver])
    services.revision_approve(actor=approver, revision=draft, password=PASSWORD)
    with pytest.raises(DomainError, match="already approved"):
        services.revision_approve(actor=approver, revision=draft, password=PASSWORD)


def test_someone_not_asked_cannot_approve(draft, employee, approver):
    services.revision_submit(actor=employee, revision=draft, approvers=[approver])
    stranger = UserFactory(roles=["employee"], password=PASSWORD)
    with pytest.raises(NotAllowed, match="not an approver"):
        services.revision_approve(actor=stranger, revision=draft, password=PASSWORD)


def test_a_wrong_password_approves_nothing_and_is_logged(draft, employee, approver):
    services.revision_submit(actor=employee, revision=draft, approvers=[approver])
    with pytest.raises(SignatureError):
        services.revision_approve(actor=approver, revision=draft, password="guess")
    draft.refresh_from_db()
    assert draft.status == Revision.Status.IN_REVIEW
    assert draft.approvals.get().decision == Approval.Decision.PENDING
    assert SignatureFailure.objects.filter(user=approver).count() == 1


def test_transitions_from_the_wrong_state_are_refused(effective, employee, approver):
    with pytest.raises(DomainError, match="Only a draft can be submitted"):
        services.revision_submit(actor=employee, revision=effective, approvers=[approver])
    with pytest.raises(DomainError, match="not in review"):
        services.revision_approve(actor=approver, revision=effective, password=PASSWORD)
    with pytest.raises(DomainError, match="Only a draft can be withdrawn"):
        services.revision_withdraw(actor=employee, revision=effective, reason="no")
    with pytest.raises(DomainError, match="Only a draft can be changed"):
        services.revision_replace_file(actor=employee, revision=effective, file=text_file("# changed\n"))


def test_a_draft_can_be_withdrawn_with_a_reason(draft, employee):
    services.revision_withdraw(actor=employee, revision=draft, reason="Superseded by a new process")
    draft.refresh_from_db()
    assert draft.status == Revision.Status.WITHDRAWN
    assert draft.end_reason == "Superseded by a new process"


def test_a_future_effective_date_keeps_it_approved_until_the_scheduled_task(draft, employee, approver):
    tomorrow = timezone.localdate() + timedelta(days=1)
    services.revision_submit(actor=employee, revision=draft, approvers=[approver], effective_date=tomorrow)
    services.revision_approve(actor=approver, revision=draft, password=PASSWORD)
    draft.refresh_from_db()
    assert draft.status == Revision.Status.APPROVED
    assert services.revisions_make_due_effective() == 0
    assert services.revisions_make_due_effective(today=tomorrow) == 1
    draft.refresh_from_db()
    assert draft.status == Revision.Status.EFFECTIVE
    assert services.revisions_make_due_effective(today=tomorrow) == 0  # safe to run again


def test_a_draft_file_can_be_replaced_but_not_after_submission(draft, employee, approver):
    old_digest = draft.sha256
    services.revision_replace_file(actor=employee, revision=draft, file=text_file("# better\n"))
    draft.refresh_from_db()
    assert draft.sha256 != old_digest
    services.revision_submit(actor=employee, revision=draft, approvers=[approver])
    with pytest.raises(DomainError):
        services.revision_replace_file(actor=employee, revision=draft, file=text_file("# sneaky\n"))


def test_retiring_makes_the_effective_revision_obsolete_with_a_signature(effective, quality_manager, employee):
    document = effective.document
    with pytest.raises(NotAllowed):
        services.document_retire(actor=employee, document=document, password=PASSWORD, comment="old")
    services.document_retire(actor=quality_manager, document=document, password=PASSWORD, comment="Process closed")
    document.refresh_from_db()
    effective.refresh_from_db()
    assert document.status == Document.Status.OBSOLETE
    assert effective.status == Revision.Status.OBSOLETE
    assert Signature.objects.filter(meaning="closed", object_id=document.pk).exists()
    with pytest.raises(DomainError, match="retired"):
        services.revision_create(actor=quality_manager, document=document, file=text_file(), change_summary="x")


def test_acknowledging_records_who_read_which_revision_once(effective, employee, approver):
    first = services.document_acknowledge(actor=employee, document=effective.document)
    again = services.document_acknowledge(actor=employee, document=effective.document)
    assert first.pk == again.pk
    assert first.revision == effective
    second = services.revision_create(
        actor=employee, document=effective.document, file=text_file("# v2\n"), change_summary="v2"
    )
    make_effective(second, approver)
    assert services.document_acknowledge(actor=employee, document=effective.document).revision == second


def test_the_distribution_is_asked_to_read_a_new_effective_revision(draft, employee, approver, mailoutbox):
    make_effective(draft, approver)
    # The notification e-mails go out on commit; the in-app notification is there at once.
    assert employee.notifications.filter(subject__startswith="Please read SOP-0001 rev 1").exists()


def test_periodic_review_confirmation_is_signed_and_restarts_the_clock(effective, employee):
    document = Document.objects.get(pk=effective.document_id)
    document.next_review_due = timezone.localdate() - timedelta(days=3)
    document.save()
    review = services.document_confirm_review(
        actor=employee, document=document, password=PASSWORD, comment="Still right"
    )
    document.refresh_from_db()
    assert document.next_review_due > timezone.localdate()
    assert review.signature.meaning == "reviewed"
    assert review.signature.content_sha256 == effective.sha256


def test_change_request_accepted_opens_a_draft_from_the_effective_file(effective, employee, auditor):
    request = services.change_request_create(actor=auditor, document=effective.document, reason="Add the new nozzle")
    with pytest.raises(NotAllowed):
        services.change_request_accept(actor=auditor, change_request=request)
    services.change_request_accept(actor=employee, change_request=request, comment="Good point")
    request.refresh_from_db()
    assert request.status == "accepted"
    assert request.revision.revision == 2
    assert request.revision.status == Revision.Status.DRAFT
    assert request.revision.sha256 == effective.sha256


def test_change_request_declined_keeps_the_reason(effective, employee, auditor):
    request = services.change_request_create(actor=auditor, document=effective.document, reason="Remove step 1")
    with pytest.raises(DomainError, match="Say why"):
        services.change_request_decline(actor=employee, change_request=request, reason="")
    services.change_request_decline(actor=employee, change_request=request, reason="Step 1 is a legal requirement")
    request.refresh_from_db()
    assert (request.status, request.decision_reason) == ("declined", "Step 1 is a legal requirement")


def test_every_change_is_in_the_history_with_who_and_why(effective, employee, approver):
    reasons = [row.history_change_reason for row in effective.history.order_by("history_date")]
    assert reasons[0] == "Draft uploaded"
    assert "Became effective" in reasons
    users = {row.history_user for row in effective.history.all()}
    assert {employee, approver} <= users
