"""The training matrix: who has read each document in force they must follow, a page of documents at a time, in a
fixed number of queries however many documents and readers a page shows."""

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext

from documents import services
from qms.roles import Role
from tests.documents.conftest import make_effective, text_file
from tests.qms.factories import DepartmentFactory, UserFactory

pytestmark = pytest.mark.django_db


def _published(title, quality_manager, owner, approver, sop_type, **distribution):
    document = services.document_create(
        actor=quality_manager, document_type=sop_type, title=title, owner=owner, **distribution
    )
    revision = services.revision_create(actor=owner, document=document, file=text_file(), change_summary="1")
    return make_effective(revision, approver)


def _queries(client, url="/documents/training/"):
    with CaptureQueriesContext(connection) as captured:
        page = client.get(url).content.decode()
    return len(captured.captured_queries), page


def test_the_page_makes_the_same_queries_for_one_document_and_for_many(
    client, quality_manager, employee, approver, sop_type
):
    client.force_login(quality_manager)
    _published("Gowning", quality_manager, employee, approver, sop_type, distribution_departments=[employee.department])
    one, _ = _queries(client)
    auditors = Group.objects.get(name=Role.AUDITOR)
    for number in range(4):
        other = DepartmentFactory()
        UserFactory(department=other, first_name=f"Reader{number}")
        _published(
            f"Procedure {number}",
            quality_manager,
            employee,
            approver,
            sop_type,
            distribution_departments=[other, employee.department],
            distribution_roles=[auditors],
        )
    many, page = _queries(client)
    assert many == one
    assert page.count('class="matrix"') == 5 and "Reader3" in page


def test_readers_by_role_and_department_show_what_they_read(
    client, quality_manager, employee, auditor, approver, sop_type
):
    revision = _published(
        "Line clearance",
        quality_manager,
        employee,
        approver,
        sop_type,
        distribution_departments=[employee.department],
        distribution_roles=[Group.objects.get(name=Role.AUDITOR)],
    )
    services.document_acknowledge(actor=employee, document=revision.document)
    client.force_login(quality_manager)
    page = client.get("/documents/training/").content.decode()
    assert "1 of 2 read" in page
    assert page.index(auditor.display_name) < page.index(employee.display_name)  # the unread first
    only_employees = client.get(f"/documents/training/?department={employee.department_id}").content.decode()
    assert "1 of 1 read" in only_employees and auditor.display_name not in only_employees


def test_a_department_with_no_reader_shows_no_document(client, quality_manager, employee, approver, sop_type):
    _published("Gowning", quality_manager, employee, approver, sop_type, distribution_departments=[employee.department])
    client.force_login(quality_manager)
    page = client.get(f"/documents/training/?department={DepartmentFactory().pk}").content.decode()
    assert "Nothing to show." in page


def test_documents_come_twenty_to_a_page(client, quality_manager, employee, approver, sop_type):
    for number in range(21):
        _published(
            f"Form {number:02}",
            quality_manager,
            employee,
            approver,
            sop_type,
            distribution_departments=[employee.department],
        )
    client.force_login(quality_manager)
    first = client.get("/documents/training/").content.decode()
    assert "Page 1" in first and "page=2" in first and first.count('class="matrix"') == 20
    second = client.get("/documents/training/?page=2").content.decode()
    assert second.count('class="matrix"') == 1 and "Form 20" in second and "page=3" not in second
    for nonsense in ("0", "-1", "abc", "9" * 30):
        answer = client.get(f"/documents/training/?page={nonsense}")
        assert answer.status_code == 200, nonsense


def test_my_work_counts_documents_to_read_up_to_a_bound(client, quality_manager, employee, approver, sop_type):
    for title in ("Gowning", "Line clearance", "Weighing"):
        _published(
            title, quality_manager, quality_manager, approver, sop_type, distribution_departments=[employee.department]
        )
    client.force_login(employee)
    assert 'Documents to read and acknowledge <span class="count">3</span>' in client.get("/").content.decode()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("documents.panels.PENDING_COUNTED_UP_TO", 2)
        page = client.get("/").content.decode()
    assert 'Documents to read and acknowledge <span class="count">2+</span>' in page
    assert "See all 2+" in page
