"""Evidence files on checklist answers: checked like document uploads, downloaded with their digest, only by those
who see the audit."""

import base64
import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from audits.models import EvidenceFile
from tests.conftest import api_as
from tests.qms.factories import DepartmentFactory, UserFactory

pytestmark = pytest.mark.django_db

PHOTO = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
)


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_an_auditor_attaches_a_photo_and_anyone_who_sees_the_audit_downloads_it(in_progress, co_auditor, lead):
    item = in_progress.checklist_items.first()
    response = api_as(co_auditor).post(
        f"/api/v1/checklist-items/{item.pk}/evidence/",
        {"file": SimpleUploadedFile("../hold area.png", PHOTO, content_type="image/png")},
        format="multipart",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["content_type"] == "image/png"
    assert body["original_filename"] == "hold area.png"
    download = api_as(lead).get(body["download_url"])
    content = b"".join(download.streaming_content)
    assert content == PHOTO
    assert download["Digest"] == "sha-256=" + base64.b64encode(hashlib.sha256(PHOTO).digest()).decode()
    checklist = api_as(lead).get(f"/api/v1/audits/{in_progress.pk}/checklist/").json()
    assert checklist[0]["evidence_files"][0]["sha256"] == hashlib.sha256(PHOTO).hexdigest()


def test_a_disguised_file_is_refused_and_nothing_is_kept(in_progress, co_auditor, settings):
    item = in_progress.checklist_items.first()
    response = api_as(co_auditor).post(
        f"/api/v1/checklist-items/{item.pk}/evidence/",
        {"file": SimpleUploadedFile("photo.png", b"MZ\x90\x00" + b"\x00" * 64, content_type="image/png")},
        format="multipart",
    )
    assert response.status_code == 400
    assert "file" in response.json()
    assert not EvidenceFile.objects.exists()
    media = settings.MEDIA_ROOT
    assert not media.exists() or not any(path.is_file() for path in media.rglob("*"))


def test_people_outside_the_audit_team_cannot_add_or_see_evidence(in_progress, co_auditor, auditee):
    item = in_progress.checklist_items.first()
    png = SimpleUploadedFile("a.png", PHOTO, content_type="image/png")
    assert (
        api_as(auditee)
        .post(f"/api/v1/checklist-items/{item.pk}/evidence/", {"file": png}, format="multipart")
        .status_code
        == 403
    )
    evidence = (
        api_as(co_auditor)
        .post(
            f"/api/v1/checklist-items/{item.pk}/evidence/",
            {"file": SimpleUploadedFile("b.png", PHOTO, content_type="image/png")},
            format="multipart",
        )
        .json()
    )
    stranger = UserFactory(roles=["employee"], department=DepartmentFactory(code="SALES"))
    assert api_as(stranger).get(evidence["download_url"]).status_code == 404


def test_evidence_is_added_in_the_browser_and_listed_on_the_question(client, in_progress, co_auditor):
    item = in_progress.checklist_items.first()
    client.force_login(co_auditor)
    response = client.post(
        f"/audits/{in_progress.pk}/checklist/{item.pk}/evidence/",
        {"file": SimpleUploadedFile("label.png", PHOTO, content_type="image/png")},
        follow=True,
    )
    page = response.content.decode()
    assert "Added label.png as evidence for question 1." in page
    evidence = EvidenceFile.objects.get()
    assert f"/audits/{in_progress.pk}/evidence/{evidence.pk}/" in page
    assert b"".join(client.get(f"/audits/{in_progress.pk}/evidence/{evidence.pk}/").streaming_content) == PHOTO


def test_a_question_gives_one_finding_in_one_step(in_progress, co_auditor):
    from audits import services
    from qms.errors import DomainError

    item = in_progress.checklist_items.first()
    services.checklist_answer(actor=co_auditor, item=item, result="nonconforming", notes="No label")
    first = services.finding_from_checklist_item(actor=co_auditor, item=item, type="minor_nc")
    assert first.statement == "No label" and first.evidence.startswith("Checklist question 1")
    with pytest.raises(DomainError, match=f"already gave {first.reference}"):
        services.finding_from_checklist_item(actor=co_auditor, item=item, type="minor_nc")
