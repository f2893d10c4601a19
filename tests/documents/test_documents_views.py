"""Browser pages of document control: register, export, document and revision pages, and who may open what."""

import csv
import io

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext

from documents import services
from documents.models import Document
from qms.models import Role, User
from tests.conftest import PASSWORD
from tests.documents.conftest import make_effective, text_file
from tests.qms.factories import DepartmentFactory, UserFactory

pytestmark = pytest.mark.django_db


def _register(client, user, query=""):
    client.force_login(User.objects.get(pk=user.pk))
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/documents/{query}")
    assert response.status_code == 200
    return response, len(queries)


def test_register_lists_documents_with_a_fixed_number_of_queries(client, quality_manager, sop_type, approver):
    owner = UserFactory(roles=["employee"], password=PASSWORD)

    def add(count):
        for index in range(count):
            document = services.document_create(
                actor=quality_manager,
                document_type=sop_type,
                title=f"Procedure {index}",
                owner=owner,
                clauses=[],
                distribution_departments=[owner.department],
            )
            make_effective(
                services.revision_create(actor=owner, document=document, file=text_file(), change_summary="1"), approver
            )

    add(2)
    _, few = _register(client, quality_manager)
    add(7)
    response, many = _register(client, quality_manager)
    assert many == few
    assert response.content.decode().count('href="/documents/') >= 9


def test_register_searches_and_filters(client, effective, quality_manager, sop_type):
    services.document_create(
        actor=quality_manager, document_type=sop_type, title="Supplier evaluation", owner=quality_manager
    )
    page = _register(client, quality_manager, "?q=nozzle")[0].content.decode()  # found through the file's text
    assert "Cleaning the filling line" in page and "Supplier evaluation" not in page
    page = _register(client, quality_manager, "?status=draft")[0].content.decode()
    assert "Supplier evaluation" in page and "Cleaning the filling line" not in page
    page = _register(client, quality_manager, "?q=zzzz")[0].content.decode()
    assert "No document matches" in page


def test_register_answers_htmx_with_the_results_alone(client, effective, quality_manager):
    client.force_login(quality_manager)
    response = client.get("/documents/?q=SOP-0001", headers={"HX-Request": "true"})
    assert "<html" not in response.content.decode()
    assert "SOP-0001" in response.content.decode()


def test_csv_export_is_the_filtered_master_list_and_safe_in_spreadsheets(client, effective, quality_manager, sop_type):
    services.document_create(
        actor=quality_manager, document_type=sop_type, title='=HYPERLINK("http://x")', owner=quality_manager
    )
    client.force_login(quality_manager)
    response = client.get("/documents/export.csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:4] == ["number", "title", "type", "status"]
    by_number = {row[0]: row for row in rows[1:]}
    assert by_number["SOP-0001"][4] == "1"  # revision in force
    assert by_number["SOP-0002"][1].startswith("'=")


def test_document_page_shows_revision_approvals_and_readers(client, effective, employee, quality_manager):
    client.force_login(quality_manager)
    page = client.get(f"/documents/{effective.document_id}/").content.decode()
    assert "Revision in force" in page and effective.sha256 in page
    assert "Read and understood" in page and "not yet" in page
    page = client.get(f"/documents/{effective.document_id}/revisions/1/").content.decode()
    assert "Approved by Ann Approver" in page and "UTC" in page


def test_the_reader_acknowledges_in_the_browser(client, effective, employee):
    client.force_login(employee)
    page = client.get(f"/documents/{effective.document_id}/").content.decode()
    assert "I have read and understood revision 1" in page
    response = client.post(f"/documents/{effective.document_id}/acknowledge/", follow=True)
    assert "You acknowledged revision 1" in response.content.decode()


def test_a_quality_manager_is_asked_to_read_only_when_in_the_distribution(client, effective, quality_manager):
    # A quality manager sees everyone's reading; whether they must read themselves is taken from that same list.
    client.force_login(quality_manager)
    url = f"/documents/{effective.document_id}/"
    assert quality_manager.department_id != effective.document.department_id
    assert "I have read and understood revision 1" not in client.get(url).content.decode()
    services.document_update(
        actor=quality_manager,
        document=effective.document,
        reason="Every employee reads it",
        distribution_roles=[Group.objects.get(name=Role.EMPLOYEE)],
    )
    assert "I have read and understood revision 1" in client.get(url).content.decode()


def test_approving_with_a_wrong_password_shows_why_and_signs_nothing(client, draft, employee, approver):
    services.revision_submit(actor=employee, revision=draft, approvers=[approver])
    client.force_login(approver)
    url = f"/documents/{draft.document_id}/revisions/1/approve/"
    response = client.post(url, {"approve-password": "nope"}, follow=True)
    assert "The password is not correct. Nothing was signed." in response.content.decode()
    response = client.post(url, {"approve-password": PASSWORD, "approve-comment": "Good"}, follow=True)
    assert "Approved and signed." in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == "effective"


def test_uploading_a_disguised_file_in_the_browser_shows_the_error(client, document, employee):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(employee)
    fake = SimpleUploadedFile("manual.pdf", b"MZ\x90\x00" + b"\x00" * 100, content_type="application/pdf")
    response = client.post(f"/documents/{document.pk}/upload/", {"file": fake, "change_summary": "x"})
    assert response.status_code == 400
    assert "accepted" in response.content.decode()


def test_confirming_a_review_with_the_wrong_password_fails_visibly(client, effective, employee):
    client.force_login(employee)
    response = client.post(f"/documents/{effective.document_id}/review/", {"review-password": "nope"}, follow=True)
    assert "The password is not correct" in response.content.decode()


def test_compare_shows_the_changed_lines(client, effective, employee, approver):
    second = services.revision_create(
        actor=employee,
        document=effective.document,
        file=text_file("# Cleaning procedure\n\n1. Stop the line.\n2. Rinse the nozzle.\n"),
        change_summary="Rinse, not clean",
    )
    client.force_login(employee)
    page = client.get(f"/documents/{effective.document_id}/compare/?old=1&new={second.revision}").content.decode()
    assert "Rinse" in page and "<ins" in page


def test_training_matrix_lists_who_has_not_read(client, effective, quality_manager, employee):
    client.force_login(quality_manager)
    page = client.get("/documents/training/").content.decode()
    assert "SOP-0001" in page and employee.display_name in page and "not read" in page


QM, AUD, EMP, EXT, NONE = "quality_manager", "auditor", "employee", "external_auditor", "outsider"


@pytest.mark.parametrize(
    ("path", "allowed"),
    [
        ("/documents/", {QM, AUD, EMP, EXT}),
        ("/documents/export.csv", {QM, AUD, EMP, EXT}),
        ("/documents/new/", {QM}),
        ("/documents/types/", {QM}),
        ("/documents/training/", {QM, AUD}),
        ("/documents/{doc}/", {QM, AUD, EMP, EXT}),
        ("/documents/{doc}/history/", {QM, AUD, EMP, EXT}),
        ("/documents/{doc}/edit/", {QM, EMP}),  # the employee persona owns the document
        ("/documents/{doc}/upload/", {QM, EMP}),
        ("/documents/{doc}/revisions/1/", {QM, AUD, EMP, EXT}),
        ("/documents/{doc}/revisions/1/file/", {QM, AUD, EMP, EXT}),
    ],
)
def test_who_may_open_each_document_page(client, personas, effective, path, allowed):
    url = path.format(doc=effective.document_id)
    for role, user in personas.items():
        client.force_login(user)
        status = client.get(url).status_code
        if role in allowed:
            assert status == 200, (role, url, status)
        else:
            assert status in {403, 404}, (role, url, status)


def test_a_restricted_document_is_not_found_by_other_departments(client, effective, quality_manager):
    services.document_update(
        actor=quality_manager,
        document=Document.objects.get(pk=effective.document_id),
        reason="Confidential",
        restricted=True,
    )
    outsider = UserFactory(roles=["employee"], department=DepartmentFactory(code="SALES"))
    client.force_login(outsider)
    assert client.get(f"/documents/{effective.document_id}/").status_code == 404
    assert client.get(f"/documents/{effective.document_id}/revisions/1/file/").status_code == 404
    assert "SOP-0001" not in client.get("/documents/").content.decode()


def test_workflow_posts_refuse_get(client, effective, quality_manager):
    client.force_login(quality_manager)
    assert client.get(f"/documents/{effective.document_id}/revisions/1/approve/").status_code == 405


def test_dashboard_shows_approvals_and_reading(client, draft, employee, approver):
    services.revision_submit(actor=employee, revision=draft, approvers=[approver])
    client.force_login(approver)
    assert "Approvals waiting for you" in client.get("/").content.decode()
    assert "SOP-0001 rev 1" in client.get("/").content.decode()


def test_a_controlled_copy_of_an_effective_pdf_is_stamped(client, document, employee, approver):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from pypdf import PdfReader
    from weasyprint import HTML

    original = HTML(string="<h1>Filling line</h1><p>Step one.</p>").write_pdf()
    pdf_file = SimpleUploadedFile("line.pdf", original, content_type="application/pdf")
    revision = services.revision_create(actor=employee, document=document, file=pdf_file, change_summary="PDF issue")
    make_effective(revision, approver)
    client.force_login(employee)
    response = client.get(f"/documents/{document.pk}/revisions/1/controlled-copy/")
    assert response["Content-Type"] == "application/pdf"
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "SOP-0001 rev 1" in text
    assert "Ann Approver" in text
    assert "Uncontrolled when printed".lower() in text.lower()
    assert "Filling line" in text


def test_a_controlled_copy_is_only_for_effective_pdfs(client, effective, employee):
    client.force_login(employee)
    response = client.get(f"/documents/{effective.document_id}/revisions/1/controlled-copy/", follow=True)
    assert "Controlled copies are made of the effective revision of PDF documents." in response.content.decode()


def test_a_refused_save_leaves_no_orphan_file(draft, employee, settings):
    media = settings.MEDIA_ROOT
    files_before = {path for path in media.rglob("*") if path.is_file()}
    with pytest.raises(Exception, match="still draft"):
        services.revision_create(
            actor=employee, document=draft.document, file=text_file("# other\n"), change_summary="x"
        )
    assert {path for path in media.rglob("*") if path.is_file()} == files_before


def test_a_refused_signature_keeps_what_was_typed_except_the_password(client, draft, employee, approver):
    services.revision_submit(actor=employee, revision=draft, approvers=[approver])
    client.force_login(approver)
    response = client.post(
        f"/documents/{draft.document_id}/revisions/1/reject/",
        {"reject-password": "nope", "reject-comment": "Step 2 contradicts WI-0004"},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Step 2 contradicts WI-0004" in page
    assert 'value="nope"' not in page
    assert "The password is not correct" in page


def test_document_history_includes_approvals_and_their_comments(client, effective, employee):
    client.force_login(employee)
    page = client.get(f"/documents/{effective.document_id}/history/").content.decode()
    assert "Approved with electronic signature" in page
    assert "Fine" in page  # the approver's comment
