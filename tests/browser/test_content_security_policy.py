"""Browser: under the Content Security Policy (no inline script or style, nothing from another origin), every page
renders and works with nothing refused; markup smuggled into a record's text does not run."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from playwright.sync_api import ConsoleMessage, Page, expect

from documents import services as document_services
from documents.models import DocumentType
from improvement import services as idea_services
from improvement.models import Idea
from tests.conftest import PASSWORD
from tests.documents.conftest import make_effective, text_file
from tests.qms.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HOSTILE = '<script>window.__xss = 1</script><img src=x onerror="window.__xss = 2"><b>bold</b>'
# Files, feeds and answers that are not pages: a browser would download them instead of showing them.
_NOT_PAGES = re.compile(r"(^api/(?!docs/$))|export|\.csv$|\.pdf$|\.zip$|download|logout|healthz|^admin/")


def _pages(resolver: URLResolver | None = None, prefix: str = "") -> list[str]:
    """Every URL of the site that takes no argument (the registers, boards, dashboards, forms)."""
    found = []
    for entry in (resolver or get_resolver()).url_patterns:
        route = prefix + str(entry.pattern)
        if "<" in route or route.startswith("^"):
            continue
        if isinstance(entry, URLResolver):
            found.extend(_pages(entry, route))
        elif isinstance(entry, URLPattern) and not _NOT_PAGES.search(route):
            found.append("/" + route)
    return sorted(set(found))


@pytest.fixture
def superuser(db: None) -> Any:
    return UserFactory(
        username="csp.admin",
        password=PASSWORD,
        roles=["quality_manager", "employee"],
        is_staff=True,
        is_superuser=True,
        first_name="Casey",
        last_name="Admin",
    )


def _sign_in(page: Page, live_server: Any, username: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/")


def test_every_page_renders_with_nothing_refused_and_hostile_text_stays_text(
    page: Page, live_server: Any, superuser: Any
) -> None:
    document = document_services.document_create(
        actor=superuser, document_type=DocumentType.objects.get(code="SOP"), title=HOSTILE, owner=superuser
    )
    make_effective(
        document_services.revision_create(
            actor=superuser, document=document, file=text_file(f"# {HOSTILE}\n", "sop.md"), change_summary=HOSTILE
        ),
        UserFactory(username="csp.approver", password=PASSWORD, roles=["employee"]),
    )
    idea = idea_services.idea_submit(
        actor=superuser, title=HOSTILE[:150], problem=HOSTILE, proposal=HOSTILE, category=Idea.Category.QUALITY
    )
    refused: list[str] = []

    def _watch(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text or "Refused to" in message.text:
            refused.append(f"{page.url}: {message.text}")

    page.on("console", _watch)
    page.on("pageerror", lambda error: refused.append(f"{page.url}: script error {error}"))
    _sign_in(page, live_server, superuser.username)

    pages = [*_pages(), f"/documents/{document.pk}/", f"/improvement/ideas/{idea.pk}/", "/admin/"]
    assert len(pages) > 30
    for path in pages:
        if page.request.get(f"{live_server.url}{path}").status == 405:
            continue  # a POST-only action, not a page
        response = page.goto(f"{live_server.url}{path}")
        assert response is not None and response.status < 400, path
        header = response.header_value("content-security-policy") or ""
        assert "script-src 'self'" in header and "unsafe-inline" not in header, path
        page.wait_for_load_state("load")
        assert page.evaluate("window.__xss") is None, path

    # The pages with the hostile title show it as text.
    page.goto(f"{live_server.url}/documents/{document.pk}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("<script>window.__xss = 1</script>")
    # The API documentation starts from its script file, not an inline one.
    page.goto(f"{live_server.url}/api/docs/")
    expect(page.locator(".swagger-ui .info .title")).to_be_visible(timeout=15_000)
    # htmx runs: the register's search answers as one types.
    page.goto(f"{live_server.url}/documents/")
    page.wait_for_load_state("load")
    page.locator("#doc-search").fill("nothing-matches-this")
    expect(page.locator("#register-results")).to_contain_text("No document matches.", timeout=10_000)
    assert page.evaluate("window.__xss") is None
    assert not refused, "\n".join(refused)
