"""Search over number, title and the text of the effective revision; on PostgreSQL served by the GIN index."""

import pytest
from django.db import connection

from documents import services
from documents.models import Document
from documents.search import search_documents
from tests.documents.conftest import make_effective, text_file

pytestmark = pytest.mark.django_db


@pytest.fixture
def library(quality_manager, employee, approver, sop_type):
    titles = {
        "Calibration of torque wrenches": "# Calibration\n\nUse the reference torque analyser every month.\n",
        "Handling customer complaints": "# Complaints\n\nLog every complaint within one working day.\n",
    }
    for title, text in titles.items():
        document = services.document_create(actor=quality_manager, document_type=sop_type, title=title, owner=employee)
        revision = services.revision_create(actor=employee, document=document, file=text_file(text), change_summary="1")
        make_effective(revision, approver)


def _numbers(query):
    return set(search_documents(Document.objects.all(), query).values_list("number", flat=True))


def test_search_finds_by_title_number_and_text(library):
    assert _numbers("torque") == {"SOP-0001"}
    assert _numbers("SOP-0002") == {"SOP-0002"}
    assert _numbers("complaint") == {"SOP-0002"}
    assert _numbers("analyser") == {"SOP-0001"}
    assert _numbers("nothing-like-this") == set()


@pytest.mark.postgres
def test_a_title_match_ranks_before_a_match_in_the_text(quality_manager, employee, approver, sop_type):
    in_text = services.document_create(
        actor=quality_manager, document_type=sop_type, title="Goods receipt", owner=employee
    )
    revision = services.revision_create(
        actor=employee, document=in_text, file=text_file("Check the supplier certificate.\n"), change_summary="1"
    )
    make_effective(revision, approver)
    in_title = services.document_create(
        actor=quality_manager, document_type=sop_type, title="Supplier approval", owner=employee
    )
    ranked = search_documents(Document.objects.all(), "supplier").values_list("pk", flat=True)
    assert list(ranked) == [in_title.pk, in_text.pk]


@pytest.mark.postgres
def test_the_stored_vector_follows_a_title_change(library):
    document = Document.objects.get(number="SOP-0001")
    document.title = "Calibration of pressure gauges"
    document.save()
    assert _numbers("gauge") == {"SOP-0001"}


def test_hostile_queries_are_just_text(library):
    for query in ["'; DROP TABLE documents_document; --", "%", "_", "a & | ! ( )", "x" * 5000]:
        _numbers(query)
    assert Document.objects.count() == 2


@pytest.mark.postgres
def test_postgresql_search_uses_the_gin_index(library):
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        queryset = search_documents(Document.objects.all(), "torque")
        sql, params = queryset.query.sql_with_params()
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute("SET enable_seqscan = on")
    assert "document_search_vector_gin" in plan, plan
