"""The tamper-evident audit trail: history rows and signatures sealed into one SHA-256 chain after their commit,
refused UPDATE and DELETE on PostgreSQL, and `verify_audit_trail` naming whatever was changed, removed or forged."""

from __future__ import annotations

import itertools
import threading
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, connections, transaction
from django.utils import timezone

from documents import services as document_services
from documents.models import Document, DocumentType
from qms.models import Clause, Department, Signature
from qms.signatures import record_signature, sha256_of_text, verify_signer
from qms.trail.chain import (
    GENESIS,
    link_sha256,
    row_sha256,
    row_values,
    seal_pending,
    seal_pending_quietly,
    trail_models,
)
from qms.trail.database import append_only_tables
from qms.trail.models import PendingSeal, TrailSeal
from qms.trail.tasks import seal_queued_rows
from qms.trail.verify import verify_trail
from tests.conftest import PASSWORD, around_the_application

pytestmark = pytest.mark.django_db

HistoricalDocument = Document.history.model


def _document(actor: Any, title: str = "Cleaning the filler", **extra: Any) -> Document:
    return document_services.document_create(
        actor=actor, document_type=DocumentType.objects.get(code="SOP"), title=title, owner=actor, **extra
    )


@pytest.fixture
def sealed_document(quality_manager: Any) -> Document:
    """A document with its history rows sealed (the test's transaction never commits, so they are sealed here as
    they would be right after a commit)."""
    document = _document(quality_manager, clauses=list(Clause.objects.filter(number__in=["7.5", "8.5.1"])))
    seal_pending()
    return document


def _seal_of(history: Any) -> TrailSeal:
    return TrailSeal.objects.get(record_model="documents.historicaldocument", record_id=history.history_id)


def test_every_history_table_and_the_signatures_are_sealed() -> None:
    sealed = trail_models()
    assert "documents.historicaldocument" in sealed
    assert "documents.historicaldocument_clauses" in sealed  # many-to-many history too
    assert "qms.signature" in sealed
    assert len(sealed) >= 40


def test_a_record_written_through_a_service_is_sealed_after_commit_into_one_chain(sealed_document: Document) -> None:
    history = HistoricalDocument.objects.filter(id=sealed_document.pk).latest("history_id")
    seals = list(TrailSeal.objects.order_by("id"))
    sealed = {(seal.record_model, seal.record_id) for seal in seals}
    assert ("documents.historicaldocument", history.history_id) in sealed
    m2m_model = trail_models()["documents.historicaldocument_clauses"]
    assert m2m_model.objects.count() == 2
    assert {pk for model, pk in sealed if model == "documents.historicaldocument_clauses"} == set(
        m2m_model.objects.values_list("pk", flat=True)
    )
    # Each link follows the one before it, from the first.
    assert seals[0].previous_sha256 == GENESIS
    for before, after in itertools.pairwise(seals):
        assert after.previous_sha256 == before.sha256
    assert not PendingSeal.objects.exists()
    report = verify_trail()
    assert report.ok, report.problems
    assert report.seals_checked == report.rows_checked == len(seals)
    assert (report.head_id, report.head_sha256) == (seals[-1].pk, seals[-1].sha256)


def test_a_signature_is_sealed(quality_manager: Any) -> None:
    record = Department.objects.create(name="Signed thing", code="SIGN")
    signer = verify_signer(user=quality_manager, password=PASSWORD, meaning=Signature.Meaning.APPROVED, record=record)
    signature = record_signature(
        signer, meaning=Signature.Meaning.APPROVED, record=record, content_sha256=sha256_of_text("v1")
    )
    seal_pending()
    assert TrailSeal.objects.filter(record_model="qms.signature", record_id=signature.pk).exists()
    assert verify_trail().ok


@pytest.mark.django_db(transaction=True)
def test_rows_are_sealed_right_after_their_commit_once_per_transaction_and_not_those_rolled_back(
    quality_manager: Any,
) -> None:
    with transaction.atomic():
        _document(quality_manager, title="Kept")
        try:
            with transaction.atomic():
                _document(quality_manager, title="Rolled back")
                raise RuntimeError("the second write fails")
        except RuntimeError:
            pass
        _document(quality_manager, title="Kept too")
        sealings = [entry for entry in connection.run_on_commit if entry[1] is seal_pending_quietly]
        assert len(sealings) == 1  # one sealing per transaction, however many rows it wrote
        assert not TrailSeal.objects.filter(record_model="documents.historicaldocument").exists()
    assert not PendingSeal.objects.exists()
    titles = set(
        HistoricalDocument.objects.filter(
            history_id__in=TrailSeal.objects.filter(record_model="documents.historicaldocument").values("record_id")
        ).values_list("title", flat=True)
    )
    assert titles == {"Kept", "Kept too"}
    assert verify_trail().ok


def test_rows_left_queued_by_a_failed_sealing_are_sealed_by_the_periodic_task(quality_manager: Any) -> None:
    _document(quality_manager)  # the test's transaction never commits, so nothing seals it after a commit
    queued = PendingSeal.objects.count()
    assert queued >= 1 and not TrailSeal.objects.exists()
    assert seal_queued_rows() == queued
    assert TrailSeal.objects.count() == queued and not PendingSeal.objects.exists()
    assert verify_trail().ok


def test_a_history_row_changed_behind_the_application_is_named(sealed_document: Document) -> None:
    history = HistoricalDocument.objects.filter(id=sealed_document.pk).latest("history_id")
    with around_the_application():
        HistoricalDocument.objects.filter(history_id=history.history_id).update(title="Nobody wrote this")
    report = verify_trail()
    assert not report.ok
    assert report.problems == [
        f"documents.historicaldocument {history.history_id}: changed since it was sealed by #{_seal_of(history).pk}"
    ]


def test_a_history_row_deleted_behind_the_application_is_named(sealed_document: Document) -> None:
    history = HistoricalDocument.objects.filter(id=sealed_document.pk).latest("history_id")
    with around_the_application():
        HistoricalDocument.objects.filter(history_id=history.history_id).delete()
    report = verify_trail()
    assert [problem for problem in report.problems if "deleted since" in problem] == [
        f"documents.historicaldocument {history.history_id}: sealed by #{_seal_of(history).pk}, and deleted since"
    ]


def test_a_history_row_inserted_behind_the_application_carries_no_seal(sealed_document: Document) -> None:
    forged = HistoricalDocument.objects.filter(id=sealed_document.pk).latest("history_id")
    forged.pk = None
    forged.title = "Backdated approval"
    HistoricalDocument.objects.bulk_create([forged])  # no signal: as a direct INSERT would
    report = verify_trail()
    assert report.problems == ["documents.historicaldocument: 1 rows carry no seal (written around the application)"]


def test_a_removed_seal_breaks_the_link_after_it(sealed_document: Document) -> None:
    first, second = TrailSeal.objects.order_by("id")[:2]
    with around_the_application():
        TrailSeal.objects.filter(pk=first.pk).delete()
    report = verify_trail()
    assert f"Seal #{second.pk}: does not follow the seal before it (a seal was removed, inserted or changed)" in (
        report.problems
    )


def test_a_seal_rewritten_to_match_a_changed_row_no_longer_hashes_to_what_it_holds(sealed_document: Document) -> None:
    seal = TrailSeal.objects.filter(record_model="documents.historicaldocument").first()
    assert seal is not None
    with around_the_application():
        HistoricalDocument.objects.filter(history_id=seal.record_id).update(title="Rewritten")
        TrailSeal.objects.filter(pk=seal.pk).update(record_sha256="a" * 64)
    report = verify_trail()
    assert f"Seal #{seal.pk}: its hash does not match what it holds (the seal was changed)" in report.problems


def test_a_chain_rebuilt_after_a_change_still_differs_from_the_head_recorded_before(sealed_document: Document) -> None:
    """Rewriting a row and every seal after it gives a chain that checks out on its own; the head kept elsewhere
    (an evidence pack's manifest) is what shows it was rebuilt."""
    recorded = verify_trail()
    seals = list(TrailSeal.objects.order_by("id"))
    with around_the_application():
        HistoricalDocument.objects.filter(id=sealed_document.pk).update(title="Rewritten")
        previous = GENESIS
        for seal in seals:
            model = trail_models()[seal.record_model]
            record_sha256 = row_sha256(row_values(model, [seal.record_id])[seal.record_id])
            sha256 = link_sha256(
                previous=previous,
                record_model=seal.record_model,
                record_id=seal.record_id,
                record_sha256=record_sha256,
                sealed_at=seal.sealed_at,
            )
            TrailSeal.objects.filter(pk=seal.pk).update(
                record_sha256=record_sha256, previous_sha256=previous, sha256=sha256
            )
            previous = sha256
    rebuilt = verify_trail()
    assert rebuilt.ok
    assert rebuilt.head_id == recorded.head_id and rebuilt.head_sha256 != recorded.head_sha256


def test_the_check_up_to_a_seal_stops_there_and_names_a_missing_one(sealed_document: Document) -> None:
    seals = list(TrailSeal.objects.order_by("id"))
    report = verify_trail(up_to=seals[1].pk)
    assert report.ok and report.seals_checked == 2 and report.head_sha256 == seals[1].sha256
    assert verify_trail(up_to=seals[-1].pk + 10).problems == [f"Seal #{seals[-1].pk + 10}: missing from the chain"]


def test_the_command_reports_an_intact_trail_and_its_head(sealed_document: Document) -> None:
    out = StringIO()
    call_command("verify_audit_trail", stdout=out)
    head = TrailSeal.objects.order_by("-id").first()
    assert head is not None
    assert f"Head: seal #{head.pk}, SHA-256 {head.sha256}" in out.getvalue()
    assert out.getvalue().rstrip().endswith("The audit trail is intact.")


def test_the_command_exits_1_and_names_each_problem(sealed_document: Document) -> None:
    with around_the_application():
        HistoricalDocument.objects.filter(id=sealed_document.pk).update(title="Changed")  # both its rows
    out = StringIO()
    with pytest.raises(CommandError, match="The audit trail is broken: 2 problems") as raised:
        call_command("verify_audit_trail", stdout=out)
    assert raised.value.returncode == 1
    assert "changed since it was sealed" in out.getvalue()
    links = StringIO()
    call_command("verify_audit_trail", "--links-only", stdout=links)  # the links alone are still whole
    assert "The audit trail is intact." in links.getvalue()


# --- PostgreSQL: the database itself refuses to change the trail -----------------------------------------------------


@pytest.mark.postgres
def test_every_sealed_table_has_the_append_only_trigger() -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT DISTINCT event_object_table FROM information_schema.triggers WHERE trigger_name = %s",
            ["qms_trail_append_only"],
        )
        guarded = {row[0] for row in cursor.fetchall()}
    assert guarded == set(append_only_tables())
    assert {"documents_historicaldocument", "qms_signature", "qms_trailseal"} <= guarded


@pytest.mark.postgres
@pytest.mark.parametrize("statement", ["UPDATE {table} SET {column} = {column}", "DELETE FROM {table}"])
@pytest.mark.parametrize(
    ("table", "column"),
    [("documents_historicaldocument", "title"), ("qms_trailseal", "record_id"), ("qms_signature", "comment")],
)
def test_the_database_refuses_to_change_or_delete_trail_rows(
    sealed_document: Document, quality_manager: Any, statement: str, table: str, column: str
) -> None:
    if table == "qms_signature":
        meaning = Signature.Meaning.APPROVED
        signer = verify_signer(user=quality_manager, password=PASSWORD, meaning=meaning, record=quality_manager)
        record_signature(signer, meaning=meaning, record=quality_manager, content_sha256=sha256_of_text("v1"))
    with (
        pytest.raises(DatabaseError, match="The audit trail is append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement.format(table=table, column=column))


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_sealers_running_at_once_append_one_unbroken_chain(quality_manager: Any) -> None:
    """Requests in several processes seal after their commits at the same moment; the advisory lock lines them up."""
    barrier = threading.Barrier(4)
    errors: list[BaseException] = []

    def write(number: int) -> None:
        try:
            barrier.wait(timeout=30)
            for index in range(5):
                _document(quality_manager, title=f"Written by {number}, {index}")
        except BaseException as error:  # noqa: BLE001 - reported by the main thread
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(number,)) for number in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors
    seal_pending()
    report = verify_trail()
    assert report.ok, report.problems
    assert report.seals_checked == TrailSeal.objects.count() >= 20
    assert not PendingSeal.objects.exists()
    assert TrailSeal.objects.filter(sealed_at__lte=timezone.now()).count() == report.seals_checked
