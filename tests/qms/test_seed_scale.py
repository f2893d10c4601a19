"""`manage.py seed_scale`: a large QMS for benchmarks, checked here at a small size on SQLite and on PostgreSQL
(where the rows go in by COPY)."""

from __future__ import annotations

import hashlib
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db.models import Count, Q

from audits.models import Audit, Finding
from capa.models import Capa, CapaAction, Nonconformity
from documents import services as document_services
from documents.models import Acknowledgement, Approval, Document, DocumentType, Revision
from improvement.models import Comment, Idea, Vote
from qms.models import Clause, Sequence, Signature, User
from qms.scale import MARKER_KEY
from qms.trail.verify import verify_trail
from qms.uploads import inspect_upload

PASSWORD = "scale-test-password"


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _seed(documents: int, **options: Any) -> str:
    out = StringIO()
    call_command(
        "seed_scale", documents=documents, password=PASSWORD, pool_size=24, chunk_size=150, stdout=out, **options
    )
    return out.getvalue()


@pytest.mark.django_db
def test_seed_scale_builds_a_consistent_qms_of_the_size_asked(media: Path) -> None:
    output = _seed(300, seed=7)

    assert "300 documents" in output and "rows/s" in output
    assert Document.objects.count() == 300
    assert Sequence.objects.get(key=MARKER_KEY).last_value == 300
    assert 300 * 1.5 <= Revision.objects.count() <= 300 * 4
    assert 4 <= Audit.objects.count() <= 8 and Finding.objects.exists()
    assert 3 <= Capa.objects.count() <= 12 and CapaAction.objects.exists()
    assert 6 <= Nonconformity.objects.count() <= 12
    assert 12 <= Idea.objects.count() <= 18 and Vote.objects.exists() and Comment.objects.exists()
    assert Approval.objects.count() > Revision.objects.count() * 0.8
    assert Acknowledgement.objects.exists()
    assert Document.clauses.through.objects.count() >= 300
    assert 40 <= User.objects.filter(username__startswith="scale-").count() <= 60
    assert User.objects.get(username="scale-qm").check_password(PASSWORD)
    assert User.objects.get(username="scale-employee").check_password(PASSWORD)
    statuses = dict(Document.objects.values_list("status").annotate(n=Count("pk")))
    assert statuses["effective"] > 200 and statuses.get("draft", 0) > 0
    assert Revision.objects.filter(status=Revision.Status.IN_REVIEW).exists()
    # Every history row and signature the COPY wrote is sealed into the audit trail, as if written one by one.
    assert "sealed into the audit trail" in output
    trail = verify_trail()
    assert trail.ok, trail.problems
    assert trail.rows_checked >= Signature.objects.count() + Document.history.count()


@pytest.mark.django_db
def test_every_seeded_document_is_in_force_by_one_revision_at_most_and_searchable(media: Path) -> None:
    _seed(150)

    effective = Document.objects.filter(status=Document.Status.EFFECTIVE).annotate(
        in_force=Count("revisions", filter=Q(revisions__status=Revision.Status.EFFECTIVE)),
        in_progress=Count("revisions", filter=Q(revisions__status__in=Revision.IN_PROGRESS)),
    )
    assert {document.in_force for document in effective} == {1}
    assert max(document.in_progress for document in effective) <= 1
    assert not Revision.objects.filter(document__status=Document.Status.DRAFT, status="effective").exists()
    for document in Document.objects.all():
        assert document.search_text.startswith(f"{document.number}\n{document.number.replace('-', ' ')}\n")
        assert document.title in document.search_text
    sample = Document.objects.filter(status=Document.Status.EFFECTIVE).first()
    assert sample is not None
    assert sample.revisions.get(status="effective").extracted_text in sample.search_text


@pytest.mark.django_db
def test_seeded_files_exist_in_storage_and_match_their_rows(media: Path) -> None:
    _seed(150)

    files = Revision.objects.values_list("file", "sha256", "size", "content_type", "original_filename").distinct()
    assert len(files) > 5
    for name, sha256, size, content_type, original_filename in files:
        assert default_storage.exists(name)
        with default_storage.open(name, "rb") as stored:
            content = stored.read()
        assert hashlib.sha256(content).hexdigest() == sha256 and len(content) == size
        checked = inspect_upload(SimpleUploadedFile(original_filename, content))
        assert checked.content_type == content_type


@pytest.mark.django_db
def test_seeded_records_carry_history_and_signatures(media: Path) -> None:
    _seed(150)

    for model in (Document, Revision, Approval, Audit, Finding, Capa, Nonconformity, Idea):
        history = model.history.model
        created = history.objects.filter(history_type="+")
        assert created.values("id").distinct().count() == model.objects.count(), model
        assert not created.filter(history_change_reason="").exists(), model
    for model in (Document, Revision, Approval, Audit, Finding):
        assert not model.history.model.objects.filter(history_user__isnull=True).exists(), model
    moved = Revision.objects.exclude(status=Revision.Status.DRAFT)
    changed = Revision.history.model.objects.filter(history_type="~").values("id").distinct()
    assert set(moved.values_list("pk", flat=True)) <= set(changed.values_list("id", flat=True))
    anonymous = Idea.objects.filter(anonymous=True).values_list("pk", flat=True)
    submitted = Idea.history.model.objects.filter(id__in=list(anonymous), history_type="+")
    assert not submitted.filter(history_user__isnull=False).exists()

    approved = Approval.objects.filter(decision=Approval.Decision.APPROVED).select_related("signature", "revision")
    assert approved.exists()
    for approval in approved[:50]:
        assert approval.signature is not None
        assert approval.signature.meaning == Signature.Meaning.APPROVED
        assert approval.signature.signer_id == approval.approver_id != approval.revision.author_id
        assert approval.signature.content_sha256 == approval.revision.sha256
        assert approval.signature.record == approval.revision


@pytest.mark.django_db
def test_services_number_new_records_after_the_seeded_ones(media: Path, quality_manager: Any) -> None:
    _seed(150)

    document_type = DocumentType.objects.get(code="SOP")
    seeded = Document.objects.filter(document_type=document_type).count()
    document = document_services.document_create(
        actor=quality_manager, document_type=document_type, title="Benchmark write", owner=quality_manager
    )
    assert document.number == f"SOP-{seeded + 1:04d}"
    assert Sequence.objects.get(key="capa").last_value == Capa.objects.count()
    assert Sequence.objects.get(key="idea").last_value == Idea.objects.count()
    assert Sequence.objects.get(key="nonconformity").last_value == Nonconformity.objects.count()
    audit = Audit.objects.order_by("-planned_start").first()
    assert audit is not None
    year = audit.planned_start.year
    assert Sequence.objects.get(key=f"audit:{year}").last_value == Audit.objects.filter(programme__year=year).count()
    assert Clause.objects.exists()


@pytest.mark.django_db
def test_a_larger_run_adds_only_the_missing_documents(media: Path) -> None:
    _seed(300)
    first_revisions = set(Revision.objects.values_list("pk", flat=True))
    people = User.objects.count()

    output = _seed(500)

    assert Document.objects.count() == 500
    assert Sequence.objects.get(key=MARKER_KEY).last_value == 500
    assert first_revisions < set(Revision.objects.values_list("pk", flat=True))
    assert User.objects.count() == people
    assert Document.objects.values("number").distinct().count() == 500
    assert "nothing to add" in _seed(400)
    assert "500 documents" in output


@pytest.mark.django_db
def test_a_database_with_documents_of_its_own_is_refused(media: Path, quality_manager: Any) -> None:
    document_services.document_create(
        actor=quality_manager, document_type=DocumentType.objects.get(code="SOP"), title="Real", owner=quality_manager
    )

    with pytest.raises(CommandError, match="1 documents that seed_scale did not make"):
        _seed(300)
    assert Document.objects.count() == 1

    _seed(300, force=True)
    assert Document.objects.count() == 301
    assert Document.objects.values("number").distinct().count() == 301


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_on_postgresql_outside_a_transaction_chunks_are_copied_by_a_writer_thread_and_ids_continue(
    media: Path, quality_manager: Any
) -> None:
    _seed(300)

    assert Document.objects.count() == 300
    assert Sequence.objects.get(key=MARKER_KEY).last_value == 300
    # The tables' own id sequences were moved past the ids the seed chose, so the ORM inserts after them.
    document = document_services.document_create(
        actor=quality_manager, document_type=DocumentType.objects.get(code="WI"), title="After", owner=quality_manager
    )
    assert document.pk == Document.objects.exclude(pk=document.pk).order_by("-pk")[0].pk + 1
    history = Document.history.model.objects.filter(id=document.pk)
    assert history.exists()


@pytest.mark.django_db
def test_a_seed_left_unsealed_is_reported_by_the_trail_check(media: Path) -> None:
    output = _seed(150, unsealed=True)

    assert "sealed into the audit trail" not in output
    trail = verify_trail()
    assert not trail.ok
    unsealed = Document.history.count()
    assert f"documents.historicaldocument: {unsealed} rows carry no seal (written around the application)" in (
        trail.problems
    )
