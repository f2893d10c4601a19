from io import StringIO

import pytest
from django.core.management import call_command

from documents import selectors
from documents.demo import DOCUMENTS
from documents.models import Approval, ChangeRequest, Document, DocumentType, Revision
from qms.models import User

# seed_demo's emails are sent on commit, so the test commits. The flush after a transactional test would take the
# migrations' rows (document types, clauses) with it; serialized_rollback puts them back for the tests that follow.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def seeded(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.DEBUG = True
    output = StringIO()
    call_command("seed_demo", stdout=output)
    return output.getvalue()


def test_seed_demo_builds_documents_in_every_state_through_the_workflow(seeded):
    assert "Demo documents: " in seeded
    assert "stopped before a signature" not in seeded
    assert Document.objects.count() >= 35
    assert set(Document.objects.values_list("status", flat=True)) == set(Document.Status.values)
    assert set(Revision.objects.values_list("status", flat=True)) == set(Revision.Status.values)
    assert set(Document.objects.values_list("document_type__code", flat=True)) == set(
        DocumentType.objects.values_list("code", flat=True)
    )
    assert set(ChangeRequest.objects.values_list("status", flat=True)) == set(ChangeRequest.Status.values)
    assert Document.objects.filter(restricted=True).exists()
    assert Revision.objects.filter(approvals__decision=Approval.Decision.REJECTED, status=Revision.Status.IN_REVIEW)


def test_every_revision_in_force_was_signed_by_approvers_other_than_its_author(seeded):
    in_force = Revision.objects.filter(status__in=[*Revision.PUBLISHED, Revision.Status.APPROVED])
    assert in_force.count() >= 35
    for revision in in_force.prefetch_related("approvals__signature"):
        approvals = [approval for approval in revision.approvals.all() if approval.round == revision.review_round]
        assert approvals, revision
        for approval in approvals:
            assert approval.decision == Approval.Decision.APPROVED, revision
            assert approval.signature.signer_id == approval.approver_id != revision.author_id, revision
            assert approval.signature.content_sha256 == revision.sha256, revision


def test_demo_files_are_real_and_their_text_is_extracted(seeded):
    pdfs = Revision.objects.filter(content_type="application/pdf")
    assert pdfs.count() >= 3
    manual = Revision.objects.get(document__number="MAN-0001", status=Revision.Status.EFFECTIVE)
    assert "Externally provided processes" in manual.extracted_text
    for revision in Revision.objects.all():
        assert revision.extracted_text.strip(), revision
        with revision.file.open("rb") as stored:
            assert stored.read(4), revision


def test_demo_links_clauses_and_gives_the_personas_work_to_do(seeded):
    for spec in DOCUMENTS:
        document = Document.objects.get(title=spec.title)
        assert sorted(document.clauses.values_list("number", flat=True)) == sorted(spec.clauses), spec.title
    document_control = Document.objects.get(title="Control of documented information")
    assert {"7.5", "7.5.2", "7.5.3"} <= set(document_control.clauses.values_list("number", flat=True))

    employee = User.objects.get(username="employee")
    assert selectors.acknowledgements_pending_for(employee).exists()
    assert employee.acknowledgements.exists()
    assert employee.owned_documents.exists()
    assert selectors.approvals_waiting_for(User.objects.get(username="qm")).count() >= 3


def test_running_seed_demo_again_adds_no_documents(seeded):
    documents, revisions = Document.objects.count(), Revision.objects.count()
    output = StringIO()
    call_command("seed_demo", stdout=output)
    assert "already there" in output.getvalue()
    assert (Document.objects.count(), Revision.objects.count()) == (documents, revisions)
