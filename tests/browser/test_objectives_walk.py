"""Browser: a quality objective in Chromium, from the quality manager setting it to its trend against the target.

Helen, the quality manager, finds the empty register, sets an objective for fewer customer complaints owned by Emily
in Sales; Emily finds it, enters a value dated tomorrow (refused next to the date, what she typed kept), then two
values for past months, and the trend shows them against the target and the planned path. On a phone the page does
not scroll sideways (the chart scrolls in its own frame). Screenshots of each step go to test-results/.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from qms.objectives.models import Objective
from tests.browser.test_login_dashboard import SCREENSHOTS, _sign_in
from tests.conftest import PASSWORD
from tests.qms.factories import DepartmentFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TITLE = "Halve customer complaints"
WHY = "Complaints cost re-deliveries and the trust of our two largest customers."


@pytest.fixture
def owner(db: None):
    return UserFactory(
        username="emily.turner",
        password=PASSWORD,
        roles=["employee"],
        first_name="Emily",
        last_name="Turner",
        department=DepartmentFactory(name="Sales", code="SALES"),
    )


def _shot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=SCREENSHOTS / name, full_page=True)


def _message(page: Page):
    return page.locator(".messages").get_by_role("status")


def _sign_out(page: Page, user) -> None:
    page.locator("details.account > summary", has_text=user.display_name).click()
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_title("Sign in · QMS")


def test_a_quality_manager_sets_an_objective_and_its_owner_measures_it(page: Page, live_server, quality_manager, owner):
    today = timezone.localdate()
    start, due = today - timedelta(days=120), today + timedelta(days=240)
    script_errors: list[str] = []
    page.on("pageerror", lambda error: script_errors.append(str(error)))

    # 1. Helen opens the empty register from the main navigation and sets the objective.
    _sign_in(page, live_server, quality_manager.username)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Objectives").click()
    expect(page.get_by_role("heading", name="Quality objectives")).to_be_visible()
    expect(page.get_by_text("No quality objectives yet.")).to_be_visible()
    page.get_by_role("link", name="New objective").click()
    expect(page.get_by_role("heading", name="Set a quality objective")).to_be_visible()
    page.get_by_role("textbox", name="Title").fill(TITLE)
    page.get_by_role("textbox", name="Why it matters").fill(WHY)
    expect(page.get_by_role("combobox", name="Values come from").locator("option:checked")).to_have_text(
        "Entered by hand"
    )
    page.get_by_role("textbox", name="Metric").fill("Customer complaints per month")
    page.get_by_role("textbox", name="Unit").fill("complaints")
    page.get_by_role("combobox", name="Direction").select_option(label="Lower is better")
    page.get_by_role("spinbutton", name="Target").fill("5")
    page.get_by_role("spinbutton", name="Baseline").fill("11")
    page.get_by_label("Start date").fill(start.isoformat())
    page.get_by_label("Due date").fill(due.isoformat())
    page.get_by_role("combobox", name="Owner").select_option(label="Emily Turner (Sales)")
    expect(page.get_by_role("listbox", name="Clauses").locator("option:checked")).to_have_text(
        re.compile(r"^6\.2 Quality objectives")
    )
    _shot(page, "objective-set.png")
    page.get_by_role("button", name="Set the objective").click()

    expect(page.get_by_role("heading", name=f"OBJ-0001 {TITLE}")).to_be_visible()
    expect(_message(page)).to_have_text("Set OBJ-0001. Emily Turner was told.")
    expect(page.locator(".lead .standing")).to_have_text(re.compile("No data"))
    expect(page.get_by_role("button", name="Close the objective")).to_be_hidden()  # folded away until asked for
    expect(page.get_by_role("link", name="Change")).to_be_visible()
    _sign_out(page, quality_manager)

    # 2. Emily finds it in the register and enters a value dated tomorrow: refused next to the date, nothing lost.
    _sign_in(page, live_server, owner.username)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Objectives").click()
    row = page.get_by_role("row").filter(has_text="OBJ-0001")
    expect(row).to_contain_text("No data")
    row.get_by_role("link", name="OBJ-0001").click()
    values = page.get_by_role("region", name=re.compile("^Values"))
    form = values.locator("form")
    expect(form).to_be_visible()  # no value yet, so the form is open
    date_field = form.get_by_label("Date")
    date_field.fill((today + timedelta(days=1)).isoformat())
    form.get_by_role("spinbutton", name="Value (complaints)").fill("8")
    form.get_by_role("textbox", name="Note").fill("From the nonconformity log")
    form.get_by_role("button", name="Record the value").click()
    refusal = "A value is entered once it is measured: the date cannot be in the future."
    date_field = page.get_by_role("region", name=re.compile("^Values")).get_by_label("Date")
    expect(date_field).to_have_accessible_description(re.compile(re.escape(refusal)))
    expect(page.get_by_role("alert")).to_contain_text("The value is not recorded yet")
    expect(page.get_by_role("spinbutton", name="Value (complaints)")).to_have_value("8")
    assert not Objective.objects.get().measurements.exists()

    # 3. The right dates: two months, two values; the trend shows them against the target.
    for days_ago, value in ((60, "8"), (30, "6")):
        values = page.get_by_role("region", name=re.compile("^Values"))
        if not values.locator("form").is_visible():
            values.get_by_text("Record a value", exact=True).click()
        form = values.locator("form")
        form.get_by_label("Date").fill((today - timedelta(days=days_ago)).isoformat())
        form.get_by_role("spinbutton", name="Value (complaints)").fill(value)
        form.get_by_role("textbox", name="Note").fill("From the nonconformity log")
        form.get_by_role("button", name="Record the value").click()
        expect(_message(page)).to_have_text(f"Value for {(today - timedelta(days=days_ago)).isoformat()} recorded.")

    chart = page.get_by_role("img", name="Customer complaints per month against the target of 5 complaints")
    expect(chart).to_be_visible()
    expect(chart.locator("circle.marker")).to_have_count(2)
    expect(chart.locator("path.measured")).to_have_count(1)
    expect(chart.locator("line.target")).to_have_count(1)
    expect(chart.locator("path.planned")).to_have_count(1)
    expect(chart).to_have_accessible_description(re.compile("2 values, from 8 complaints on .* to 6 complaints on"))
    table = page.get_by_role("table", name=re.compile("Every value of OBJ-0001"))
    expect(table.get_by_role("row")).to_have_count(3)
    expect(table.get_by_role("row").nth(1)).to_contain_text("6 complaints")
    # 6 three months into twelve, on the way from 11 to 5: better than the planned path, not yet the target.
    expect(page.locator(".lead .standing")).to_have_text(re.compile("On track"))
    expect(page.get_by_role("link", name="Change")).to_have_count(0)  # the owner measures; managers change
    _shot(page, "objective-trend.png")

    # 4. On a phone: the page fits, the chart scrolls in its own frame, the values stay readable.
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    expect(chart).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    _shot(page, "objective-trend-phone.png")
    page.get_by_role("button", name="Menu").click()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Objectives").click()
    expect(page.get_by_role("row").filter(has_text="OBJ-0001")).to_contain_text("On track")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    _shot(page, "objective-register-phone.png")
    assert script_errors == []
