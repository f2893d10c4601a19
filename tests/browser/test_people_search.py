"""Browser: a quality manager finds a person by typing; HTMX replaces the results without reloading the page."""

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_login_dashboard import SCREENSHOTS, _sign_in
from tests.qms.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_typing_in_people_search_filters_the_list_in_place(page: Page, live_server, quality_manager):
    UserFactory(username="grace.mensah", first_name="Grace", last_name="Mensah", roles=["employee"])
    UserFactory(username="ivan.petrov", first_name="Ivan", last_name="Petrov", roles=["auditor"])
    _sign_in(page, live_server, quality_manager.username)
    page.get_by_role("link", name="People").click()
    results = page.locator("#user-results")
    expect(results.get_by_role("link", name="Ivan Petrov")).to_be_visible()
    page.evaluate("window.__notReloaded = true")
    page.get_by_label("Search people").fill("mensah")
    expect(results.get_by_role("link", name="Ivan Petrov")).to_have_count(0)
    expect(results.get_by_role("link", name="Grace Mensah")).to_be_visible()
    assert page.evaluate("window.__notReloaded") is True
    expect(page).to_have_url(f"{live_server.url}/users/?q=mensah")
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "people-search.png", full_page=True)
