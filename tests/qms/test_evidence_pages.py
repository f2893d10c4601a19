"""The evidence pack pages: who may open them, the request form, the list, downloads and checking a copy."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from qms.evidence import services
from qms.evidence.builder import MANIFEST, build_pack
from qms.evidence.models import EvidencePack
from qms.jobs import run_job

pytestmark = pytest.mark.django_db

START, END = date(2026, 3, 1), date(2026, 3, 31)


@pytest.fixture(autouse=True)
def _media_in_tmp(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def _request(actor: Any) -> EvidencePack:
    pack, _ = services.evidence_pack_request(actor=actor, period_start=START, period_end=END, clauses=["7.5"])
    return pack


def _built(actor: Any) -> EvidencePack:
    pack = _request(actor)
    assert pack.job is not None
    run_job(pack.job.pk, build_pack)
    pack.refresh_from_db()
    assert pack.file
    return pack


def _zip_bytes(pack: EvidencePack) -> bytes:
    with pack.file.open("rb") as handle:
        return handle.read()


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("quality_manager", 200), ("auditor", 200), ("external_auditor", 200), ("employee", 403), ("outsider", 403)],
)
@pytest.mark.parametrize("path", ["/evidence-packs/", "/evidence-packs/verify/"])
def test_who_may_open_the_pages(client: Any, personas: dict[str, Any], persona: str, expected: int, path: str) -> None:
    client.force_login(personas[persona])
    assert client.get(path).status_code == expected


def test_anonymous_visitors_go_to_sign_in(client: Any) -> None:
    assert client.get("/evidence-packs/").status_code == 302


def test_form_defaults_to_the_last_year_and_every_clause(client: Any, auditor: Any) -> None:
    client.force_login(auditor)
    form = client.get("/evidence-packs/").context["form"]
    start, end = form["period_start"].value(), form["period_end"].value()
    assert (end - start).days == 365
    assert "4" in form["clauses"].value() and "10.3" in form["clauses"].value()


def test_asking_for_a_pack_starts_its_job(client: Any, auditor: Any) -> None:
    client.force_login(auditor)
    response = client.post(
        "/evidence-packs/", {"period_start": "2026-03-01", "period_end": "2026-03-31", "clauses": ["7.5", "9.2"]}
    )
    assert response.status_code == 302
    pack = EvidencePack.objects.get()
    assert pack.created_by == auditor and pack.clauses == ["7.5", "9.2"] and pack.job is not None


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"period_start": "2026-04-01", "period_end": "2026-03-01", "clauses": ["7.5"]}, "period_end"),
        ({"period_start": "not a date", "period_end": "2026-03-01", "clauses": ["7.5"]}, "period_start"),
        ({"period_start": "2026-03-01", "period_end": "2026-03-31", "clauses": ["99.9"]}, "clauses"),
        ({"period_start": "2026-03-01", "period_end": "2026-03-31"}, "clauses"),
    ],
)
def test_form_errors_are_shown_by_their_fields(client: Any, auditor: Any, data: dict[str, Any], field: str) -> None:
    client.force_login(auditor)
    response = client.post("/evidence-packs/", data)
    assert response.status_code == 400
    assert list(response.context["form"].errors) == [field]
    assert not EvidencePack.objects.exists()


def test_the_list_shows_own_packs_and_quality_managers_all(
    client: Any, auditor: Any, external_auditor: Any, quality_manager: Any
) -> None:
    mine, theirs = _request(auditor), _request(external_auditor)
    client.force_login(auditor)
    response = client.get("/evidence-packs/")
    assert list(response.context["packs"]) == [mine]
    assert f'hx-get="/evidence-packs/{mine.pk}/row/"' in response.content.decode()  # the running pack's row polls
    client.force_login(quality_manager)
    assert set(client.get("/evidence-packs/").context["packs"]) == {mine, theirs}


def test_the_polled_row_offers_the_zip_once_ready_and_stops_polling(client: Any, auditor: Any) -> None:
    client.force_login(auditor)
    pending = _request(auditor)
    row = client.get(f"/evidence-packs/{pending.pk}/row/").content.decode()
    assert "<progress" in row and "hx-trigger" in row
    ready = _built(auditor)
    row = client.get(f"/evidence-packs/{ready.pk}/row/").content.decode()
    assert f"/evidence-packs/{ready.pk}/download/" in row and ready.sha256 in row
    assert "hx-trigger" not in row and "/jobs/" not in row


def test_another_users_row_is_not_found(client: Any, auditor: Any, external_auditor: Any) -> None:
    pack = _request(auditor)
    client.force_login(external_auditor)
    assert client.get(f"/evidence-packs/{pack.pk}/row/").status_code == 404


def test_the_list_costs_the_same_queries_for_one_pack_or_five(client: Any, auditor: Any) -> None:
    client.force_login(auditor)
    _built(auditor)
    client.get("/evidence-packs/")  # warm the session and the clause catalogue
    with CaptureQueriesContext(connection) as one:
        assert client.get("/evidence-packs/").status_code == 200
    _built(auditor)
    for _ in range(3):
        _request(auditor)
    with CaptureQueriesContext(connection) as five:
        response = client.get("/evidence-packs/")
    assert len(response.context["packs"]) == 5
    assert len(five) == len(one), [q["sql"] for q in five]


def test_download_streams_the_zip_and_is_recorded_in_history(client: Any, auditor: Any) -> None:
    pack = _built(auditor)
    client.force_login(auditor)
    page = client.get("/evidence-packs/").content.decode()
    assert f"/evidence-packs/{pack.pk}/download/" in page and pack.sha256 in page and pack.manifest_sha256 in page
    response = client.get(f"/evidence-packs/{pack.pk}/download/")
    assert response.status_code == 200
    assert response["Digest"].startswith("sha-256=")
    assert "attachment" in response["Content-Disposition"]
    assert b"".join(response.streaming_content)[:2] == b"PK"
    last = pack.history.order_by("-history_date", "-history_id").first()
    assert last is not None and last.history_change_reason == f"Downloaded by {auditor.get_username()}"
    assert last.downloads == 1


def test_another_users_pack_is_not_found(client: Any, auditor: Any, external_auditor: Any) -> None:
    pack = _built(external_auditor)
    client.force_login(auditor)
    assert client.get(f"/evidence-packs/{pack.pk}/download/").status_code == 404


def test_an_unfinished_pack_is_not_downloaded(client: Any, auditor: Any) -> None:
    pack = _request(auditor)
    client.force_login(auditor)
    response = client.get(f"/evidence-packs/{pack.pk}/download/", follow=True)
    assert "not ready" in response.content.decode()


def test_verify_says_intact_for_a_real_pack(client: Any, auditor: Any) -> None:
    pack = _built(auditor)
    client.force_login(auditor)
    upload = SimpleUploadedFile("pack.zip", _zip_bytes(pack), content_type="application/zip")
    response = client.post("/evidence-packs/verify/", {"pack": upload, "manifest_sha256": pack.manifest_sha256})
    assert response.status_code == 200
    assert response.context["report"].ok
    assert "Intact" in response.content.decode()


def test_verify_names_the_changed_file(client: Any, auditor: Any) -> None:
    original = _zip_bytes(_built(auditor))
    with zipfile.ZipFile(io.BytesIO(original)) as archive:
        listed = json.loads(archive.read(MANIFEST))["files"]
        changed = listed[0]["path"]
        tampered = io.BytesIO()
        with zipfile.ZipFile(tampered, "w") as copy:
            for info in archive.infolist():
                body = archive.read(info) if info.filename != changed else archive.read(info) + b"tampered"
                copy.writestr(info, body)
    client.force_login(auditor)
    upload = SimpleUploadedFile("pack.zip", tampered.getvalue(), content_type="application/zip")
    response = client.post("/evidence-packs/verify/", {"pack": upload})
    assert response.status_code == 200
    assert not response.context["report"].ok
    assert changed in response.content.decode()


def test_verify_refuses_a_file_too_large_and_reports_a_non_zip(client: Any, auditor: Any, monkeypatch: Any) -> None:
    client.force_login(auditor)
    response = client.post("/evidence-packs/verify/", {"pack": SimpleUploadedFile("x.zip", b"not a zip")})
    assert response.status_code == 200
    assert "x.zip: not a readable ZIP file" in response.content.decode()
    monkeypatch.setattr("qms.evidence.views.MAX_VERIFY_BYTES", 4)
    response = client.post("/evidence-packs/verify/", {"pack": SimpleUploadedFile("x.zip", b"not a zip")})
    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["pack"]
