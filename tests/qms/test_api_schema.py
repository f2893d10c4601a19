"""The OpenAPI schema generates with no warnings and validates; its docs page needs no CDN."""

import re

import pytest
from django.core.management import call_command

from tests.conftest import api_as

pytestmark = pytest.mark.django_db


def test_openapi_schema_validates_without_warnings(tmp_path):
    target = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    schema = target.read_text()
    for path in ("/api/v1/auth/token/", "/api/v1/users/me/", "/api/v1/users/", "/api/v1/users/{id}/history/"):
        assert f"  {path}:" in schema


def test_schema_is_served(employee):
    from tests.conftest import api_as

    response = api_as(employee).get("/api/schema/")
    assert response.status_code == 200


def test_api_docs_use_local_assets_only(client, employee):
    client.force_login(employee)
    page = client.get("/api/docs/").content.decode()
    assert "swagger-ui" in page
    # Every script, style and image comes from our own static files. (Not a search for "cdn" in the page: the page
    # carries a random CSRF token, which now and then contains those letters.)
    sources = re.findall(r"""(?:src|href)\s*=\s*["']([^"']+)""", page)
    # The start-up script is a file of its own (`?script`), so the Content Security Policy needs no inline script.
    assert sources and all(source.startswith(("/static/", "/api/docs/?script")) for source in sources), sources
    assert "<script>" not in page and "<style>" not in page
    assert "https://" not in page.replace("https://github.com", "")


def test_lists_are_paginated_with_page_size_capped_at_200(employee):
    from qms.models import Department
    from tests.conftest import api_as

    for number in range(205):
        Department.objects.create(name=f"Unit {number}", code=f"u{number}")
    data = api_as(employee).get("/api/v1/departments/?page_size=5000").json()
    assert set(data) == {"count", "next", "previous", "results"}
    assert len(data["results"]) == 200
    assert data["next"] is not None


def test_bad_paging_and_repeated_parameters_are_refused_with_400(employee):
    client = api_as(employee)
    assert client.get("/api/v1/departments/?page_size=true").json() == {
        "page_size": ["Give a whole number from 1 to 200."]
    }
    assert client.get("/api/v1/departments/?page=0").status_code == 400
    assert client.get("/api/v1/departments/?page=1&page=2").json() == {"page": ["Give this parameter once."]}
    assert client.get("/api/v1/departments/?page=1&page_size=5").status_code == 200
