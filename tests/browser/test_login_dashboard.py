"""Browser: a person signs in through Chromium and sees their dashboard. Screenshots go to test-results/."""

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.conftest import PASSWORD

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-results"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _sign_in(page: Page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}/")
    expect(page).to_have_title("Sign in · QMS")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/")


def test_a_quality_manager_signs_in_and_sees_the_dashboard(page: Page, live_server, quality_manager):
    SCREENSHOTS.mkdir(exist_ok=True)
    page.goto(f"{live_server.url}/")
    page.screenshot(path=SCREENSHOTS / "login.png", full_page=True)
    _sign_in(page, live_server, quality_manager.username)
    expect(page.get_by_role("heading", name="Good to see you, Helen")).to_be_visible()
    expect(page.get_by_role("navigation", name="Main").get_by_role("link", name="Documents")).to_be_visible()
    expect(page.get_by_role("link", name="People")).to_be_visible()
    page.screenshot(path=SCREENSHOTS / "dashboard.png", full_page=True)


def test_the_skip_link_is_the_first_stop_for_keyboard_users(page: Page, live_server, employee):
    _sign_in(page, live_server, employee.username)
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to content")).to_be_focused()
    expect(page.get_by_role("link", name="People")).to_have_count(0)


def test_a_wrong_password_is_explained_on_the_page(page: Page, live_server, employee):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(employee.username)
    page.get_by_label("Password").fill("not-my-password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("Please enter a correct username and password")


def test_the_phone_layout_folds_the_menu(page: Page, live_server, employee):
    page.set_viewport_size({"width": 390, "height": 844})
    _sign_in(page, live_server, employee.username)
    menu = page.get_by_role("button", name="Menu")
    expect(menu).to_have_attribute("aria-expanded", "false")
    menu.click()
    expect(menu).to_have_attribute("aria-expanded", "true")
    expect(page.get_by_role("navigation", name="Main").get_by_role("link", name="Audits")).to_be_visible()
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "dashboard-phone.png", full_page=True)
