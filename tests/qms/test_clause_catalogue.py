import csv
from pathlib import Path

import pytest

from qms.models import Clause

pytestmark = pytest.mark.django_db

SHARED_CATALOGUE = Path(__file__).resolve().parents[3] / "shared" / "reference" / "iso9001_2015_clauses.csv"
PROJECT_CATALOGUE = Path(__file__).resolve().parents[2] / "qms" / "data" / "iso9001_2015_clauses.csv"


def test_every_clause_of_the_catalogue_is_loaded_with_its_parent():
    with PROJECT_CATALOGUE.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert Clause.objects.count() == len(rows) == 73
    clause = Clause.objects.select_related("parent").get(number="7.5.3")
    assert clause.title == "Control of documented information"
    assert clause.parent.number == "7.5"
    assert Clause.objects.get(number="9.2").documented_information.startswith("retain: evidence of the implementation")


@pytest.mark.skipif(not SHARED_CATALOGUE.exists(), reason="shared/ is not beside the checkout")
def test_the_project_copy_of_the_catalogue_matches_the_shared_reference():
    assert PROJECT_CATALOGUE.read_text(encoding="utf-8") == SHARED_CATALOGUE.read_text(encoding="utf-8")


def test_clauses_sort_by_number_not_by_text():
    numbers = list(Clause.objects.values_list("number", flat=True))
    assert numbers.index("9.3.3") < numbers.index("10")
    assert numbers.index("4.4") < numbers.index("5") < numbers.index("5.1.2")


def test_clause_browser_lists_every_clause(client, employee):
    client.force_login(employee)
    response = client.get("/clauses/")
    assert response.status_code == 200
    assert response.content.decode().count('class="number"') == 73


def test_clause_page_shows_documented_information_and_sub_clauses(client, employee):
    client.force_login(employee)
    response = client.get("/clauses/7.5/")
    page = response.content.decode()
    assert "Documented information" in page
    assert "7.5.1 General" in page and "7.5.3 Control of documented information" in page
    assert "No controlled document names this clause yet." in page


def test_unknown_clause_is_not_found(client, employee):
    client.force_login(employee)
    assert client.get("/clauses/99.9/").status_code == 404


def test_clauses_api_looks_up_by_number(employee):
    from tests.conftest import api_as

    response = api_as(employee).get("/api/v1/clauses/7.5.3/")
    assert response.status_code == 200
    assert response.json() == {
        "number": "7.5.3",
        "title": "Control of documented information",
        "parent": "7.5",
        "documented_information": Clause.objects.get(number="7.5.3").documented_information,
    }


def test_browser_links_lead_to_browser_pages_not_the_api(client, quality_manager):
    from qms.models import Clause

    assert Clause.objects.get(number="7.5").get_absolute_url() == "/clauses/7.5/"
    client.force_login(quality_manager)
    page = client.get("/").content.decode()
    assert 'href="/users/"' in page
    assert 'href="/clauses/"' in page
    assert "/api/v1/users/" not in page
