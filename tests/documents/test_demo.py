from documents import selectors
from documents.demo import DOCUMENTS
from documents.models import Approval, ChangeRequest, Document, DocumentType, Revision
from qms.models import User


# Each part below checks one promise of the demo (seeded once for the session: tests/conftest.py).
def test_seed_demo_builds_a_signed_document_system_in_every_state_and_adds_nothing_when_run_again(seeded_demo):
    output = seeded_demo.first_output
    assert "Demo documents: " in output
    assert "stopped before a signature" not in output

    # Every state, type and kind of change request occurs.
    assert Document.objects.count() >= 35
    assert set(Document.objects.values_list("status", flat=True)) == set(Document.Status.values)
    assert set(Revision.objects.values_list("status", flat=True)) == set(Revision.Status.values)
    assert set(Document.objects.values_list("document_type__code", flat=True)) == set(
        DocumentType.objects.values_list("code", flat=True)
    )
    assert set(ChangeRequest.objects.values_list("status", flat=True)) == set(ChangeRequest.Status.values)
    assert Document.objects.filter(restricted=True).exists()
    resubmitted = Revision.objects.filter(status=Revision.Status.IN_REVIEW, review_round=2).get()
    assert resubmitted.approvals.filter(round=1, decision=Approval.Decision.REJECTED).exclude(comment="").exists()

    # Whatever is or was in force was signed, over its own file, by approvers who are not its author.
    in_force = Revision.objects.filter(status__in=[*Revision.PUBLISHED, Revision.Status.APPROVED])
    assert in_force.count() >= 35
    for revision in in_force.prefetch_related("approvals__signature"):
        approvals = [approval for approval in revision.approvals.all() if approval.round == revision.review_round]
        assert approvals, revision
        for approval in approvals:
            assert approval.decision == Approval.Decision.APPROVED, revision
            assert approval.signature.signer_id == approval.approver_id != revision.author_id, revision
            assert approval.signature.content_sha256 == revision.sha256, revision

    # The files are real: stored, a few of them PDFs, and their text extracted for search and comparison.
    assert Revision.objects.filter(content_type="application/pdf").count() >= 3
    manual = Revision.objects.get(document__number="MAN-0001", status=Revision.Status.EFFECTIVE)
    assert "Externally provided processes" in manual.extracted_text
    for revision in Revision.objects.all():
        assert revision.extracted_text.strip(), revision
        with revision.file.open("rb") as stored:
            assert stored.read(4), revision

    # Clauses are linked as written (a clause missing from the catalogue would drop out here).
    for spec in DOCUMENTS:
        document = Document.objects.get(title=spec.title)
        assert sorted(document.clauses.values_list("number", flat=True)) == sorted(spec.clauses), spec.title
    document_control = Document.objects.get(title="Control of documented information")
    assert {"7.5", "7.5.2", "7.5.3"} <= set(document_control.clauses.values_list("number", flat=True))

    # The personas find work waiting for them.
    employee = User.objects.get(username="employee")
    assert selectors.acknowledgements_pending_for(employee).exists()
    assert employee.acknowledgements.exists()
    assert employee.owned_documents.exists()
    assert selectors.approvals_waiting_for(User.objects.get(username="qm")).count() >= 3

    # A second run leaves the documents alone.
    assert "already there" in seeded_demo.second_output
    assert seeded_demo.unchanged_by_second_run(Document, Revision)
