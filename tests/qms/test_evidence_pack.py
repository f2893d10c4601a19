"""Evidence packs: a pack shows the period as it was, lists every file with its hash, and is verifiable."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from pypdf import PdfReader

from capa import services as capa_services
from capa.models import Capa
from documents import services as document_services
from documents.models import Document, DocumentType
from qms.evidence import services
from qms.evidence.builder import PDF_RECORDS_PER_KIND, PackWriter, build_pack, safe_component, safe_extension
from qms.evidence.models import EvidencePack
from qms.evidence.verify import verify_pack
from qms.jobs import run_job
from qms.models import Clause, Job
from qms.trail.chain import seal_pending
from qms.trail.models import TrailSeal
from tests.conftest import PASSWORD, api_as, around_the_application
from tests.documents.conftest import make_effective, text_file
from tests.qms.factories import UserFactory

pytestmark = pytest.mark.django_db

PERIOD_START, PERIOD_END = date(2026, 3, 1), date(2026, 3, 31)


def _at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 10, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _media_in_tmp(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def history(quality_manager: Any, employee: Any) -> dict[str, Any]:
    """SOP rev 1 in force from February, rev 2 from mid-March; a CAPA opened in March and ended in April."""
    approver = UserFactory(username="approver.one", password=PASSWORD, roles=["employee"])
    with time_machine.travel(_at(date(2026, 2, 10)), tick=False):
        document = document_services.document_create(
            actor=quality_manager,
            document_type=DocumentType.objects.get(code="SOP"),
            title="../../etc/passwd",
            owner=employee,
            clauses=[Clause.objects.get(number="7.5")],
        )
        first = document_services.revision_create(
            actor=employee, document=document, file=text_file("# v1\n", "CON.md"), change_summary="First issue"
        )
        make_effective(first, approver)
    with time_machine.travel(_at(date(2026, 3, 10)), tick=False):
        capa = capa_services.capa_create(
            actor=quality_manager,
            title="Rejected bottles stored with released stock",
            source=Capa.Source.INTERNAL,
            problem="Pallet 14 stood in the released area.",
            owner=employee,
            due_date=date(2026, 5, 1),
            clause=Clause.objects.get(number="10.2"),
        )
    with time_machine.travel(_at(date(2026, 3, 15)), tick=False):
        second = document_services.revision_create(
            actor=employee, document=document, file=text_file("# v2\n", "sop.md"), change_summary="Second issue"
        )
        make_effective(second, approver)
    with time_machine.travel(_at(date(2026, 4, 20)), tick=False):
        capa_services.capa_cancel(actor=quality_manager, capa=capa, reason="Duplicate of another CAPA")
    return {"document": document, "capa": capa}


def _build(actor: Any, **extra: Any) -> EvidencePack:
    pack, job = services.evidence_pack_request(actor=actor, period_start=PERIOD_START, period_end=PERIOD_END, **extra)
    run_job(job.pk, build_pack)
    job.refresh_from_db()
    assert job.status == Job.Status.DONE, job.error
    pack.refresh_from_db()
    return pack


def _register(archive: zipfile.ZipFile, name: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(archive.read(f"registers/{name}.csv").decode())))


def test_pack_holds_the_revisions_in_force_and_the_capa_status_at_period_end(
    history: dict[str, Any], quality_manager: Any, tmp_path: Path
) -> None:
    pack = _build(quality_manager)
    number = history["document"].number
    with pack.file.open("rb") as handle, zipfile.ZipFile(handle) as archive:
        names = set(archive.namelist())
        manifest = json.loads(archive.read("manifest.json"))
        assert {"index.html", "index.pdf", "manifest.json", "registers/documents.csv", "registers/history.csv"} <= names
        assert f"documents/0001-{number}-rev1.md" in names
        assert f"documents/0002-{number}-rev2.md" in names
        for entry in manifest["files"]:
            assert archive.getinfo(entry["path"]).file_size == entry["size"]
        assert {e["source"] for e in manifest["files"]} >= {f"{number} rev 1", f"{number} rev 2"}
        capas = _register(archive, "capas")
        assert [(c["status_at_period_end"], c["status_now"]) for c in capas] == [("open", "cancelled")]
        documents = _register(archive, "documents")
        assert documents[0]["revision_in_force_at_period_end"] == "2"
        index = archive.read("index.html").decode()
    assert pack.manifest_sha256 in index
    assert "No evidence" in index
    assert number in index and "CAPA " + history["capa"].reference in index
    assert "registers/documents.csv: 1 row<" in index and "registers/capas.csv: 1 row<" in index
    assert "See its sub-clauses" in index  # clause 7: its evidence is filed under 7.5


def test_entry_names_are_safe_whatever_a_title_or_file_name_holds() -> None:
    hostile = ["../../etc/passwd", "CON", "x" * 300, "Qualität ✓ 文件", "a\x00b", "/abs/path", "C:\\evil"]
    for text in hostile:
        component = safe_component(text)
        assert component and "/" not in component and "\\" not in component and ".." not in component
        assert len(component) <= 40 and component.upper() != "CON" and component.isascii()
    assert safe_extension("../../etc/passwd") == ".bin"
    assert safe_extension("report.PDF") == ".pdf"
    assert safe_extension("a\x00.exe/..") == ".bin"


def test_writer_never_reuses_a_name(tmp_path: Path) -> None:
    with zipfile.ZipFile(tmp_path / "t.zip", "w") as archive:
        writer = PackWriter(archive)
        first = writer.add_bytes("documents/0001-SOP-0001-rev1.md", b"a", source="a")
        second = writer.add_bytes("documents/0001-SOP-0001-rev1.md", b"b", source="b")
    assert first.path != second.path == "documents/0001-SOP-0001-rev1-2.md"


def _copy_with(source: Path, target: Path, changed: str) -> None:
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(target, "w") as copy:
        for info in original.infolist():
            content = original.read(info)
            if info.filename == changed:
                content = bytes([content[0] ^ 1]) + content[1:]
            copy.writestr(info, content)


def test_verification_passes_on_the_pack_and_names_the_file_changed(
    history: dict[str, Any], quality_manager: Any, tmp_path: Path, capsys: Any
) -> None:
    pack = _build(quality_manager)
    original = tmp_path / "pack.zip"
    with pack.file.open("rb") as handle:
        original.write_bytes(handle.read())
    report = verify_pack(original, expected_manifest_sha256=pack.manifest_sha256)
    assert report.ok, report.differences
    call_command("verify_evidence_pack", str(original))
    assert "OK" in capsys.readouterr().out

    tampered = tmp_path / "tampered.zip"
    changed = f"documents/0002-{history['document'].number}-rev2.md"
    _copy_with(original, tampered, changed)
    report = verify_pack(tampered)
    assert not report.ok
    assert len(report.differences) == 1 and report.differences[0].startswith(f"{changed}: SHA-256")
    with pytest.raises(CommandError):
        call_command("verify_evidence_pack", str(tampered))
    assert changed in capsys.readouterr().out


def test_verification_where_the_pack_was_made_checks_the_audit_trail_up_to_the_head_it_recorded(
    history: dict[str, Any], quality_manager: Any, tmp_path: Path, capsys: Any
) -> None:
    seal_pending()  # as after the commits the test's transaction never makes
    head = TrailSeal.objects.order_by("-id").first()
    assert head is not None
    pack = _build(quality_manager)
    path = tmp_path / "pack.zip"
    with pack.file.open("rb") as handle:
        path.write_bytes(handle.read())
    seal_pending()  # the pack's own history, sealed after the head it recorded

    report = verify_pack(path, against_trail=True)
    assert report.ok, report.differences
    assert (report.trail_seal, report.trail_sha256) == (head.pk, head.sha256)
    assert report.trail_outcome.startswith(f"The audit trail up to seal #{head.pk}, the head the pack recorded, is")
    call_command("verify_evidence_pack", str(path))
    assert f"{head.pk}, the head the pack recorded, is unchanged" in capsys.readouterr().out

    # A history row of the period, changed behind the application after the pack was handed over.
    capa_row = Capa.history.model.objects.filter(id=history["capa"].pk).earliest("history_id")
    with around_the_application():
        Capa.history.model.objects.filter(history_id=capa_row.history_id).update(title="Nothing was wrong")
    report = verify_pack(path, against_trail=True)
    assert report.differences == [
        f"audit trail: capa.historicalcapa {capa_row.history_id}: changed since it was sealed by "
        f"#{TrailSeal.objects.get(record_model='capa.historicalcapa', record_id=capa_row.history_id).pk}"
    ]
    assert verify_pack(path, against_trail=True, check_rows=False).ok  # the links alone do not show it
    assert verify_pack(path).ok  # nor do the files: the pack itself is intact

    # The head's seal rewritten: the trail no longer ends where the pack said it did.
    with around_the_application():
        TrailSeal.objects.filter(pk=head.pk).update(sha256="f" * 64)
    differences = verify_pack(path, against_trail=True, check_rows=False).differences
    assert (
        f"audit trail: seal #{head.pk} now hashes to {'f' * 64}, the pack recorded {head.sha256}: the trail "
        in (differences[-1])
    )
    with pytest.raises(CommandError):
        call_command("verify_evidence_pack", str(path))
    call_command("verify_evidence_pack", "--files-only", str(path))


def test_verification_reports_a_manifest_that_does_not_parse(tmp_path: Path) -> None:
    path = tmp_path / "bad.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("manifest.json", "{not json")
        archive.writestr("../evil.txt", "x")
    differences = verify_pack(path).differences
    assert any(d.startswith("manifest.json: does not parse") for d in differences)
    assert "../evil.txt: unsafe entry name" in differences


def test_external_auditor_pack_holds_only_what_the_role_sees(history: dict[str, Any], external_auditor: Any) -> None:
    pack = _build(external_auditor, clauses=["7.5", "10.2"])
    with pack.file.open("rb") as handle, zipfile.ZipFile(handle) as archive:
        assert _register(archive, "capas") == []  # cancelled, not closed: not theirs to see
        assert len(_register(archive, "documents")) == 1  # effective documents are
        index = archive.read("index.html").decode()
    assert "No evidence" in index  # 10.2 has none visible to them


ALLOWED = {"quality_manager": 202, "auditor": 202, "external_auditor": 202, "employee": 403, "outsider": 403}


@pytest.mark.parametrize(("persona", "expected"), ALLOWED.items())
def test_who_may_ask_for_a_pack(personas: dict[str, Any], persona: str, expected: int) -> None:
    body = {"period_start": "2026-03-01", "period_end": "2026-03-31", "clauses": ["9.2"]}
    response = api_as(personas[persona]).post("/api/v1/evidence-packs/", body, format="json")
    assert response.status_code == expected, response.content
    if expected == 202:
        assert response.json()["kind"] == "evidence_pack"
        detail = api_as(personas[persona]).get(response.json()["evidence_pack"])
        assert detail.status_code == 200
        assert set(detail.json()) >= {"status", "progress", "download_url", "sha256", "manifest_sha256", "expires_at"}


def test_nonconformities_ideas_and_history_are_shown_as_they_were_at_period_end(
    history: dict[str, Any], quality_manager: Any, employee: Any
) -> None:
    """An entry reported in March and closed in April, an idea accepted in April: the pack says open and submitted."""
    from capa.models import Nonconformity
    from improvement import services as idea_services

    with time_machine.travel(_at(date(2026, 3, 20)), tick=False):
        entry = capa_services.nonconformity_report(
            actor=employee, title="Scratched housings", description="12 housings scratched at packing"
        )
        idea = idea_services.idea_submit(
            actor=employee, title="Foam inserts", problem="Housings rub in the box", proposal="Add foam inserts"
        )
    with time_machine.travel(_at(date(2026, 4, 5)), tick=False):
        capa_services.nonconformity_close(
            actor=quality_manager,
            nonconformity=entry,
            disposition=Nonconformity.Disposition.REWORK,
            note="Polished; a one-off handling slip",
        )
        idea_services.idea_advance(actor=quality_manager, idea=idea, to="accepted", champion=employee)
    pack = _build(quality_manager)
    with pack.file.open("rb") as handle, zipfile.ZipFile(handle) as archive:
        [row] = _register(archive, "nonconformities")
        assert (row["status_at_period_end"], row["status_now"]) == ("open", "closed")
        [row] = _register(archive, "ideas")
        assert (row["stage_at_period_end"], row["stage_now"]) == ("submitted", "accepted")
        [document] = _register(archive, "documents")
        assert document["status_at_period_end"] == "effective"
        changes = _register(archive, "history")
    kinds = {row["record_type"] for row in changes}
    assert {"document", "revision", "approval", "capa", "nonconformity", "idea"} <= {kind.lower() for kind in kinds}
    assert all(row["at"] < "2026-04-01" for row in changes), "nothing after the period"
    assert not any(row["record"] == entry.reference and row["change"] == "changed" for row in changes)


def test_the_index_pdf_names_the_first_records_of_each_kind_and_index_html_lists_them_all(
    history: dict[str, Any], quality_manager: Any, employee: Any
) -> None:
    """A busy clause would take pages of references in the PDF; it names the first few and counts the rest."""
    clause = Clause.objects.get(number="8.7")
    with time_machine.travel(_at(date(2026, 3, 20)), tick=False):
        entries = [
            capa_services.nonconformity_report(
                actor=employee, title=f"Scratched housing {n}", description="Scratched at packing", clause=clause
            )
            for n in range(PDF_RECORDS_PER_KIND + 3)
        ]
    pack = _build(quality_manager, clauses=["8.7"])
    with pack.file.open("rb") as handle, zipfile.ZipFile(handle) as archive:
        index = archive.read("index.html").decode()
        text = " ".join(
            " ".join(page.extract_text() for page in PdfReader(io.BytesIO(archive.read("index.pdf"))).pages).split()
        )
    references = sorted(entry.reference for entry in entries)
    assert all(f"<li>Nonconformity {reference}</li>" in index for reference in references)
    assert f"Nonconformities ({len(references)}):" in text
    assert references[PDF_RECORDS_PER_KIND - 1] in text and references[PDF_RECORDS_PER_KIND] not in text
    assert "… and 3 more" in text


def test_the_index_pdf_lists_the_first_files_and_the_manifest_and_index_html_list_them_all(
    history: dict[str, Any], quality_manager: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A pack of a large QMS holds thousands of files: the PDF lists the first and counts the rest (here the first
    one, so the history's two revision files and the registers are more than that)."""
    monkeypatch.setattr("qms.evidence.builder.PDF_FILES_LISTED", 1)
    pack = _build(quality_manager)
    with pack.file.open("rb") as handle, zipfile.ZipFile(handle) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        index = archive.read("index.html").decode()
        text = " ".join(
            " ".join(page.extract_text() for page in PdfReader(io.BytesIO(archive.read("index.pdf"))).pages).split()
        )
    paths = [entry["path"] for entry in manifest["files"]]
    assert len(paths) > 2
    assert all(f"<code>{path}</code>" in index for path in paths)
    assert paths[0] in text and paths[-1] not in text
    assert f"… and {len(paths) - 1} more files: manifest.json lists every one" in text


def test_the_files_follow_the_clauses_asked_for_and_the_registers_stay_whole(
    history: dict[str, Any], quality_manager: Any
) -> None:
    number = history["document"].number
    audits_only = _build(quality_manager, clauses=["9.2"])
    with audits_only.file.open("rb") as handle, zipfile.ZipFile(handle) as archive:
        assert not [name for name in archive.namelist() if name.startswith("documents/")]
        assert [row["number"] for row in _register(archive, "documents")] == [number]
        assert "9.2" in archive.read("index.html").decode()
    support = _build(quality_manager, clauses=["7"])  # 7.5, where the SOP is filed, is a sub-clause of 7
    with support.file.open("rb") as handle, zipfile.ZipFile(handle) as archive:
        assert f"documents/0001-{number}-rev1.md" in archive.namelist()
        manifest = json.loads(archive.read("manifest.json"))
        assert "7.5" in manifest["clauses"] and manifest["clauses_asked"] == ["7"]


def test_the_202_answer_leads_to_the_pack_and_its_zip(
    history: dict[str, Any], external_auditor: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = api_as(external_auditor)
    body = {"period_start": PERIOD_START.isoformat(), "period_end": PERIOD_END.isoformat()}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/api/v1/evidence-packs/", body, format="json")
    assert response.status_code == 202, response.content
    answer = response.json()
    assert answer["url"] == answer["evidence_pack"] and response["Location"].endswith(answer["url"])
    followed = client.get(answer["url"]).json()
    assert followed["status"] == "done" and followed["progress"] == 100
    download = client.get(followed["download_url"])
    assert download.status_code == 200 and download["Content-Type"] == "application/zip"
    content = b"".join(download.streaming_content)
    assert hashlib.sha256(content).hexdigest() == followed["sha256"]
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        assert "manifest.json" in archive.namelist()


def test_a_pack_is_not_seen_by_another_auditor(auditor: Any, external_auditor: Any) -> None:
    pack, _ = services.evidence_pack_request(actor=auditor, period_start=PERIOD_START, period_end=PERIOD_END)
    assert api_as(external_auditor).get(f"/api/v1/evidence-packs/{pack.pk}/").status_code == 404


def test_a_bad_period_or_clause_is_refused(quality_manager: Any) -> None:
    client = api_as(quality_manager)
    backwards = {"period_start": "2026-03-31", "period_end": "2026-03-01"}
    assert client.post("/api/v1/evidence-packs/", backwards, format="json").status_code == 400
    unknown = {"period_start": "2026-03-01", "period_end": "2026-03-31", "clauses": ["99.9"]}
    assert client.post("/api/v1/evidence-packs/", unknown, format="json").status_code == 400


def test_download_is_recorded_in_history_and_refused_once_expired(
    history: dict[str, Any], quality_manager: Any
) -> None:
    pack = _build(quality_manager)
    client = api_as(quality_manager)
    response = client.get(f"/api/v1/evidence-packs/{pack.pk}/download/")
    assert response.status_code == 200
    assert response["Digest"].startswith("sha-256=")
    assert b"".join(response.streaming_content)[:2] == b"PK"
    last = pack.history.order_by("-history_date", "-history_id").first()
    assert last is not None and last.history_change_reason == f"Downloaded by {quality_manager.get_username()}"
    assert last.downloads == 1

    pack.expires_at = pack.created_at - timedelta(days=1)
    pack.save(update_fields=["expires_at"])
    assert client.get(f"/api/v1/evidence-packs/{pack.pk}/download/").status_code == 400
    assert client.get(f"/api/v1/evidence-packs/{pack.pk}/").json()["download_url"] is None


def test_document_model_is_untouched_by_building(history: dict[str, Any], quality_manager: Any) -> None:
    before = Document.history.count()
    _build(quality_manager)
    assert Document.history.count() == before


def test_a_missing_document_file_fails_the_pack_and_names_the_revision(
    history: dict[str, Any], quality_manager: Any
) -> None:
    from django.core.files.storage import default_storage

    revision = history["document"].revisions.get(revision=1)
    default_storage.delete(revision.file.name)
    pack, job = services.evidence_pack_request(actor=quality_manager, period_start=PERIOD_START, period_end=PERIOD_END)
    run_job(job.pk, build_pack)
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert job.error == (
        f"The file of {history['document'].number} rev 1 is missing from storage, so the pack would be incomplete."
    )
    pack.refresh_from_db()
    assert not pack.file


def test_expired_packs_lose_their_zip_but_keep_their_record(
    history: dict[str, Any], quality_manager: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from django.core.files.storage import default_storage

    from qms.evidence.tasks import delete_expired_evidence_packs

    pack = _build(quality_manager)
    name = pack.file.name
    assert delete_expired_evidence_packs() == 0, "a pack that has not expired keeps its file"
    with time_machine.travel(pack.expires_at + timedelta(minutes=1)):
        with django_capture_on_commit_callbacks(execute=True):
            assert delete_expired_evidence_packs() == 1
        assert delete_expired_evidence_packs() == 0, "safe to run twice"
    pack.refresh_from_db()
    assert not pack.file and not default_storage.exists(name)
    assert pack.sha256 and pack.manifest_sha256
    assert pack.history.first().history_change_reason.startswith("Expired")


def test_the_worker_knows_the_evidence_tasks() -> None:
    from qms.celery import app

    app.loader.import_default_modules()
    assert {"qms.evidence.tasks.build_evidence_pack", "qms.evidence.tasks.delete_expired_evidence_packs"} <= set(
        app.tasks
    )
