"""The documents API as spec/api.md describes it: paths, fields, status codes, files and digests."""

import base64
import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from documents import services
from documents.models import Document, Revision
from qms.models import User
from tests.conftest import PASSWORD, api_as
from tests.documents.conftest import CLEANING_SOP, make_effective, text_file
from tests.qms.factories import DepartmentFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_quality_manager_registers_a_document(quality_manager, employee):
    response = api_as(quality_manager).post(
        "/api/v1/documents/",
        {"title": "Calibration of torque wrenches", "document_type": "WI", "owner": employee.pk, "clauses": ["7.1.5"]},
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["number"] == "WI-0001"
    assert body["status"] == "draft"
    assert body["current_revision"] is None
    assert body["clauses"] == ["7.1.5"]
    assert {"id", "number", "title", "status", "current_revision", "next_review_due"} <= set(body)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"title": "x", "document_type": "NOPE", "owner": 1}, "document_type"),
        ({"title": "x", "document_type": "SOP", "owner": 999999}, "owner"),
        ({"title": "x", "document_type": "SOP", "owner": 1, "clauses": ["99.9"]}, "clauses"),
        ({"title": "x", "document_type": "SOP", "owner": 1, "review_period_months": 0}, "review_period_months"),
        ({"document_type": "SOP", "owner": 1}, "title"),
    ],
)
def test_bad_document_input_gets_field_errors(quality_manager, body, field):
    response = api_as(quality_manager).post("/api/v1/documents/", body)
    assert response.status_code == 400
    assert field in response.json()
    assert not Document.objects.exists()


def test_the_whole_workflow_through_the_api(document, employee, approver):
    author = api_as(employee)
    upload = author.post(
        f"/api/v1/documents/{document.pk}/revisions/",
        {"file": text_file(), "change_summary": "First issue"},
        format="multipart",
    )
    assert upload.status_code == 201, upload.content
    revision = upload.json()
    assert revision["status"] == "draft"
    assert revision["sha256"] == hashlib.sha256(CLEANING_SOP.encode()).hexdigest()
    assert revision["size"] == len(CLEANING_SOP.encode())
    assert revision["content_type"] == "text/markdown"

    submitted = author.post(f"/api/v1/revisions/{revision['id']}/submit/", {"approvers": [approver.pk]})
    assert submitted.json()["status"] == "in_review"

    wrong = api_as(approver).post(f"/api/v1/revisions/{revision['id']}/approve/", {"password": "nope"})
    assert wrong.status_code == 400
    assert wrong.json() == {"password": ["The password is not correct. Nothing was signed."]}

    approved = api_as(approver).post(f"/api/v1/revisions/{revision['id']}/approve/", {"password": PASSWORD})
    assert approved.status_code == 200
    assert approved.json()["status"] == "effective"
    signature = approved.json()["approvals"][0]["signature"]
    assert signature["meaning"] == "approved"
    assert signature["signer_name"] == "Ann Approver"

    acknowledged = author.post(f"/api/v1/documents/{document.pk}/acknowledge/")
    assert acknowledged.status_code == 201
    assert acknowledged.json()["revision"] == revision["id"]
    detail = author.get(f"/api/v1/documents/{document.pk}/").json()
    assert detail["status"] == "effective"
    assert detail["current_revision"]["revision"] == 1


def test_reject_needs_a_comment_and_returns_to_draft(draft, employee, approver):
    services.revision_submit(actor=employee, revision=draft, approvers=[approver])
    client = api_as(approver)
    assert client.post(f"/api/v1/revisions/{draft.pk}/reject/", {"password": PASSWORD}).status_code == 400
    response = client.post(f"/api/v1/revisions/{draft.pk}/reject/", {"password": PASSWORD, "comment": "Unclear"})
    assert response.json()["status"] == "draft"


def test_illegal_transitions_are_400_and_strangers_403(effective, employee, approver):
    assert (
        api_as(employee).post(f"/api/v1/revisions/{effective.pk}/submit/", {"approvers": [approver.pk]}).status_code
        == 400
    )
    stranger = UserFactory(roles=["employee"], department=effective.document.department)
    response = api_as(stranger).post(f"/api/v1/revisions/{effective.pk}/withdraw/", {"reason": "mine now"})
    assert response.status_code == 403


def test_the_file_is_streamed_with_its_digest_and_a_safe_name(document, employee):
    hostile = text_file(name='../../evil"\r\nX-Injected: 1;.md')
    revision = services.revision_create(actor=employee, document=document, file=hostile, change_summary="x")
    response = api_as(employee).get(f"/api/v1/revisions/{revision.pk}/file/")
    assert response.status_code == 200
    content = b"".join(response.streaming_content)
    assert content == CLEANING_SOP.encode()
    assert response["Digest"] == "sha-256=" + base64.b64encode(hashlib.sha256(content).digest()).decode()
    assert response["Content-Type"] == "text/markdown"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "\n" not in disposition and "\r" not in disposition and "../" not in disposition
    assert 'filename="SOP-0001-rev1-' in disposition


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (SimpleUploadedFile("empty.pdf", b"", content_type="application/pdf"), "empty"),
        (
            SimpleUploadedFile("report.pdf", b"\x7fELF\x02\x01\x01" + b"\x00" * 200, content_type="application/pdf"),
            "not accepted",
        ),
        (SimpleUploadedFile("notes.txt", b"\x00\x01\x02binary\xff\xfe", content_type="text/plain"), ""),
    ],
    ids=["empty", "disguised-executable", "binary-as-text"],
)
def test_bad_uploads_are_refused_with_a_message_and_leave_no_file(document, employee, upload, message, settings):
    response = api_as(employee).post(
        f"/api/v1/documents/{document.pk}/revisions/", {"file": upload, "change_summary": "x"}, format="multipart"
    )
    assert response.status_code == 400
    assert "file" in response.json()
    assert message.lower() in response.json()["file"][0].lower()
    assert not Revision.objects.exists()
    media = settings.MEDIA_ROOT
    assert not media.exists() or not any(path.is_file() for path in media.rglob("*"))


def test_an_oversized_upload_is_refused(document, employee, settings):
    settings.MAX_UPLOAD_SIZE = 100
    response = api_as(employee).post(
        f"/api/v1/documents/{document.pk}/revisions/",
        {"file": text_file("# big\n" + "x" * 500), "change_summary": "x"},
        format="multipart",
    )
    assert response.status_code == 400
    assert "MB" in response.json()["file"][0]


def test_history_covers_the_document_and_its_revisions(effective, employee):
    entries = api_as(employee).get(f"/api/v1/documents/{effective.document_id}/history/").json()
    records = {entry["record"] for entry in entries}
    assert {"SOP-0001 Cleaning the filling line", "SOP-0001 rev 1"} <= records
    assert {"at", "user", "action", "changes", "reason"} <= set(entries[0])
    assert any(entry["reason"] == "Became effective" for entry in entries)


def test_obsolete_is_signed_by_a_quality_manager(effective, quality_manager, employee):
    url = f"/api/v1/documents/{effective.document_id}/obsolete/"
    assert api_as(employee).post(url, {"password": PASSWORD, "comment": "x"}).status_code == 403
    assert api_as(quality_manager).post(url, {"password": "bad", "comment": "x"}).status_code == 400
    response = api_as(quality_manager).post(url, {"password": PASSWORD, "comment": "Replaced by WI-0003"})
    assert response.json()["status"] == "obsolete"


def test_documents_of_other_departments_that_are_restricted_are_not_found(document, quality_manager, effective):
    services.document_update(actor=quality_manager, document=document, reason="Confidential", restricted=True)
    outsider = UserFactory(roles=["employee"], department=DepartmentFactory(code="SALES"))
    client = api_as(outsider)
    assert client.get(f"/api/v1/documents/{document.pk}/").status_code == 404
    assert client.get(f"/api/v1/revisions/{effective.pk}/file/").status_code == 404
    assert document.pk not in [d["id"] for d in client.get("/api/v1/documents/").json()["results"]]


def test_drafts_are_seen_only_by_those_involved(draft, employee, external_auditor):
    other = UserFactory(roles=["employee"], department=draft.document.department)
    assert api_as(other).get(f"/api/v1/revisions/{draft.pk}/").status_code == 404
    assert api_as(external_auditor).get(f"/api/v1/documents/{draft.document_id}/").status_code == 404
    assert api_as(employee).get(f"/api/v1/revisions/{draft.pk}/").status_code == 200


def test_external_auditors_read_effective_documents_but_change_nothing(effective, external_auditor):
    client = api_as(external_auditor)
    assert client.get(f"/api/v1/documents/{effective.document_id}/").status_code == 200
    assert client.post(f"/api/v1/documents/{effective.document_id}/acknowledge/").status_code in {201, 403}
    assert client.patch(f"/api/v1/documents/{effective.document_id}/", {"title": "x"}).status_code == 403
    assert client.post("/api/v1/documents/", {"title": "x", "document_type": "SOP", "owner": 1}).status_code == 403


def test_document_list_runs_a_fixed_number_of_queries(quality_manager, sop_type, approver):
    owner = UserFactory(roles=["employee"], password=PASSWORD)

    def add_effective_documents(count):
        for index in range(count):
            document = services.document_create(
                actor=quality_manager,
                document_type=sop_type,
                title=f"Procedure {index}",
                owner=owner,
                clauses=[],
                distribution_departments=[owner.department],
            )
            revision = services.revision_create(actor=owner, document=document, file=text_file(), change_summary="1")
            make_effective(revision, approver)

    def count_queries():
        client = api_as(User.objects.get(pk=quality_manager.pk))
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/api/v1/documents/?page_size=100")
        assert response.status_code == 200
        return len(queries), response.json()["count"]

    add_effective_documents(2)
    few = count_queries()
    add_effective_documents(6)
    many = count_queries()
    assert many[1] == few[1] + 6
    assert many[0] == few[0]


def test_document_types_are_read_by_all_and_kept_by_quality_managers(quality_manager, employee):
    assert "SOP" in [t["code"] for t in api_as(employee).get("/api/v1/document-types/").json()]
    assert api_as(employee).post("/api/v1/document-types/", {"code": "SPEC", "name": "Spec"}).status_code == 403
    created = api_as(quality_manager).post("/api/v1/document-types/", {"code": "SPEC", "name": "Specification"})
    assert created.status_code == 201
    renamed = api_as(quality_manager).patch(f"/api/v1/document-types/{created.json()['id']}/", {"code": "SPX"})
    assert renamed.status_code == 400


def test_change_requests_through_the_api(effective, employee, auditor):
    created = api_as(auditor).post("/api/v1/change-requests/", {"document": effective.document_id, "reason": "Typo"})
    assert created.status_code == 201, created.content
    assert created.json()["reference"].startswith("CR-")
    assert api_as(auditor).post(f"/api/v1/change-requests/{created.json()['id']}/accept/").status_code == 403
    accepted = api_as(employee).post(f"/api/v1/change-requests/{created.json()['id']}/accept/")
    assert accepted.json()["status"] == "accepted"
