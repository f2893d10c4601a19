"""The register counts a very large unfiltered table from PostgreSQL's statistics, and everything else exactly."""

import pytest
from django.db import connection

from documents import services
from documents.models import Document
from qms import pagination
from qms.pagination import EstimatedCountPaginator

pytestmark = pytest.mark.django_db


@pytest.fixture
def documents(quality_manager, employee, sop_type):
    for number in range(12):
        services.document_create(
            actor=quality_manager, document_type=sop_type, title=f"Procedure {number}", owner=employee
        )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE documents_document")


@pytest.mark.postgres
def test_a_whole_table_above_the_threshold_is_counted_from_the_statistics(documents, monkeypatch):
    monkeypatch.setattr(pagination, "ESTIMATE_ABOVE", 5)
    paginator = EstimatedCountPaginator(Document.objects.all(), 5)
    assert paginator.count == 12  # ANALYZE of a table this small reads every row, so the estimate is exact
    assert paginator.estimated
    assert paginator.num_pages == 3


@pytest.mark.postgres
def test_a_filtered_list_is_counted_exactly(documents, monkeypatch):
    monkeypatch.setattr(pagination, "ESTIMATE_ABOVE", 5)
    paginator = EstimatedCountPaginator(Document.objects.filter(title__endswith="1"), 5)
    assert paginator.count == 2
    assert not paginator.estimated


def test_a_table_below_the_threshold_is_counted_exactly(documents):
    paginator = EstimatedCountPaginator(Document.objects.all(), 5)
    assert paginator.count == 12
    assert not paginator.estimated


@pytest.mark.postgres
def test_the_register_says_about_when_the_count_is_an_estimate(documents, client, quality_manager, monkeypatch):
    monkeypatch.setattr(pagination, "ESTIMATE_ABOVE", 5)
    client.force_login(quality_manager)
    assert "About 12 documents" in client.get("/documents/").content.decode()
    assert "About" not in client.get("/documents/?status=draft").content.decode()
    monkeypatch.setattr(pagination, "whole_table_count", lambda queryset: (1_234_567, True))
    assert "About 1,234,567 documents" in client.get("/documents/").content.decode()


@pytest.mark.postgres
def test_a_broad_search_is_listed_by_number_and_counted_up_to_the_bound(
    documents, client, quality_manager, monkeypatch
):
    monkeypatch.setattr("documents.search.RANKED_AT_MOST", 5)
    monkeypatch.setattr("documents.views.RANKED_AT_MOST", 5)
    client.force_login(quality_manager)
    page = client.get("/documents/?q=procedure").content.decode()
    assert "More than 5 documents match, listed by number" in page
    assert page.index("SOP-0001") < page.index("SOP-0002")
    narrow = client.get("/documents/?q=procedure+11").content.decode()
    assert "More than" not in narrow and "SOP-0012" in narrow


def test_the_register_keeps_the_chosen_filters_selected(documents, client, quality_manager, employee):
    client.force_login(quality_manager)
    page = client.get(f"/documents/?owner={employee.pk}&type=SOP&status=draft&clause=7.5").content.decode()
    assert f'<option value="{employee.pk}" selected>{employee.display_name}</option>' in page
    assert '<option value="SOP" selected>SOP — Standard operating procedure</option>' in page
    assert '<option value="draft" selected>Draft</option>' in page
    assert '<option value="7.5" selected>7.5 Documented information</option>' in page
    assert page.count(" selected>") == 4
