"""Browser: the quality manager's performance dashboard in Chromium, on the metrics test's data set.

The quality manager opens it from the main navigation, sets a period that ends before it starts (refused next to the
field, nothing lost), then January and February 2026; reads the numbers of the panels; reaches a heat-map cell from the
keyboard and follows it to the findings register, which lists exactly the two findings counted; goes back and takes a
quick period. Then the same page on a phone: nothing wider than the screen. Screenshots of each step go to
test-results/.
"""

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, ViewportSize, expect

from tests.browser.test_login_dashboard import SCREENSHOTS, _sign_in
from tests.qms.test_performance_metrics import build

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE: ViewportSize = {"width": 390, "height": 844}
DESKTOP: ViewportSize = {"width": 1280, "height": 900}


@pytest.fixture
def dataset(settings: Any, tmp_path: Path) -> dict[str, Any]:
    settings.MEDIA_ROOT = tmp_path / "media"
    return build()


def _shot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=SCREENSHOTS / name, full_page=True)


def _panel(page: Page, heading: str) -> Any:
    return page.get_by_role("region", name=heading)


def test_the_quality_manager_reads_the_dashboard_and_follows_a_heat_map_cell(page: Page, live_server, dataset):
    script_errors: list[str] = []
    page.on("pageerror", lambda error: script_errors.append(str(error)))
    page.set_viewport_size(DESKTOP)
    _sign_in(page, live_server, "qm")

    # 1. From the main navigation, on the default period (the last 12 months).
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Performance").click()
    expect(page.get_by_role("heading", name="Quality performance", level=1)).to_be_visible()
    expect(page.get_by_role("link", name="Last 12 months")).to_have_attribute("aria-current", "true")
    documents = _panel(page, "Controlled documents")
    expect(documents.get_by_text("Now", exact=True)).to_be_visible()
    expect(documents.get_by_role("img", name="Documents by status, now")).to_be_visible()
    expect(documents.get_by_role("link", name="3 effective documents")).to_be_visible()
    _shot(page, "performance-default.png")

    # 2. A period that ends before it starts is refused next to its end, the days typed kept.
    page.get_by_label("From", exact=True).fill("2026-03-01")
    page.get_by_label("To", exact=True).fill("2026-02-28")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_label("To", exact=True)).to_have_accessible_description(
        "The period must end on or after its start."
    )
    expect(page.get_by_label("From", exact=True)).to_have_value("2026-03-01")
    expect(page.get_by_text("Correct the period to see the numbers.")).to_be_visible()
    _shot(page, "performance-period-refused.png")

    # 3. January and February 2026.
    page.get_by_label("From", exact=True).fill("2026-01-01")
    page.get_by_label("To", exact=True).fill("2026-02-28")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_text("1 Jan 2026 to 28 Feb 2026", exact=True)).to_be_visible()
    findings = _panel(page, "Audit findings by clause")
    expect(findings.get_by_text("In the period", exact=True)).to_be_visible()
    expect(findings.get_by_role("link", name="4 findings raised in the period").first).to_be_visible()
    outcomes = _panel(page, "CAPAs closed on time and effective")
    expect(outcomes).to_contain_text("1 of the 2 CAPAs closed in the period were closed by their due date.")
    expect(outcomes).to_contain_text("2 of the 3 effectiveness checks signed in the period found the CAPA effective")
    expect(
        _panel(page, "Repeat nonconformities").get_by_role("link", name="2 nonconformities reported")
    ).to_be_visible()
    _shot(page, "performance-period.png")

    # 4. The heat-map cell of 7.1, minor nonconformities, is reached from the keyboard and opens its two findings.
    cell = findings.get_by_role("link", name="2 minor nonconformity findings against 7.1 Resources")
    cell.focus()
    expect(cell).to_be_focused()
    _shot(page, "performance-heat-map-focus.png")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Audit findings", level=1)).to_be_visible()
    rows = page.locator("table tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.filter(has_text="7.1.5")).to_have_count(1)
    expect(page.get_by_label("Within clause")).to_have_value("7.1")
    expect(page.get_by_label("Raised from")).to_have_value("2026-01-01")
    _shot(page, "performance-heat-map-findings.png")

    # 5. Back, and a quick period: last year (2025), which holds one finding a second before 2026.
    page.go_back()
    page.get_by_role("link", name="Last year").click()
    expect(page.get_by_role("link", name="Last year")).to_have_attribute("aria-current", "true")
    expect(page.get_by_label("From", exact=True)).to_have_value("2025-01-01")

    # 6. On a phone: the period form, the charts and the heat map fit the screen; wide tables scroll in their frame.
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/performance/?start=2026-01-01&end=2026-02-28")
    expect(page.get_by_role("heading", name="Audit findings by clause")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    heat_map = page.locator("table.heat-map")
    assert heat_map.evaluate("table => table.getBoundingClientRect().right") <= PHONE["width"]
    _shot(page, "performance-phone.png")
    assert script_errors == []
