"""Lists never read the derived text kept for search and comparison (a document's search text and vector, a
revision's extracted text): a 40-page procedure's runs to hundreds of kilobytes, and a page of fifty rows would carry
megabytes it does not show. The pages that do use it read it on their own."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from documents import services
from documents.models import Document, Revision
from qms.evidence import registers
from qms.periods import Period
from tests.documents.conftest import make_effective, text_file

pytestmark = pytest.mark.django_db

# One of them fetched as a column of the SELECT list (search still ranks by the vector, inside ts_rank(...)).
HEAVY_COLUMN = re.compile(r'(?:SELECT |, )"\w+"\."(search_text|search_vector|extracted_text)"(?:,|$)')


def _heavy_columns_read(client: Client, path: str) -> list[str]:
    """The heavy columns that the queries serving `path` fetch."""
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    selects = [query["sql"].split(" FROM ")[0] for query in captured.captured_queries]
    return [column for select in selects for column in HEAVY_COLUMN.findall(select)]


@pytest.fixture
def work(document: Document, employee: Any, approver: Any) -> dict[str, Client]:
    """The employee owns a document in force (theirs to read, in their department) and has its next revision in
    review with the approver: every dashboard panel and list about documents has a row."""
    first = services.revision_create(actor=employee, document=document, file=text_file(), change_summary="First issue")
    make_effective(first, approver)
    second = services.revision_create(
        actor=employee, document=document, file=text_file("# Cleaning\n\nNew nozzle."), change_summary="New nozzle"
    )
    services.revision_submit(actor=employee, revision=second, approvers=[approver])
    clients = {}
    for name, person in {"employee": employee, "approver": approver}.items():
        clients[name] = Client()
        clients[name].force_login(person)
    return clients


@pytest.mark.parametrize(
    ("who", "path"),
    [
        ("employee", "/"),
        ("approver", "/"),
        ("employee", "/documents/"),
        ("employee", "/documents/?q=cleaning"),
        ("employee", "/documents/?to_read=1"),
        ("employee", "/api/v1/documents/"),
        ("employee", "/api/v1/revisions/"),
    ],
)
def test_lists_and_the_dashboard_leave_the_derived_text_unread(work: dict[str, Client], who: str, path: str) -> None:
    assert _heavy_columns_read(work[who], path) == []


def test_the_evidence_pack_s_registers_of_revisions_and_acknowledgements_leave_it_unread(
    work: dict[str, Client], document: Document, quality_manager: Any, employee: Any
) -> None:
    revision = Revision.objects.get(document=document, status=Revision.Status.EFFECTIVE)
    services.document_acknowledge(actor=employee, document=document)
    today = timezone.localdate()
    period = Period(today - timedelta(days=1), today + timedelta(days=1))
    with CaptureQueriesContext(connection) as captured:
        in_force = list(registers.revisions_in_period(quality_manager, period))
        acknowledged = list(registers.acknowledgement_register(quality_manager, period))
    assert in_force == [revision]
    assert len(acknowledged) == 2  # the header and the employee's acknowledgement
    selects = [query["sql"].split(" FROM ")[0] for query in captured.captured_queries]
    assert [column for select in selects for column in HEAVY_COLUMN.findall(select)] == []


def test_a_document_still_finds_its_text_and_the_comparison_shows_it(
    work: dict[str, Client], document: Document
) -> None:
    revision = Revision.objects.filter(document=document).order_by("revision").first()
    assert revision is not None
    assert "Stop the line" in revision.extracted_text  # read on its own when asked for
    assert "Cleaning" in Document.objects.get(pk=document.pk).search_text
    response = work["employee"].get(f"/documents/{document.pk}/compare/")
    assert response.status_code == 200
    assert "New nozzle" in response.content.decode()
