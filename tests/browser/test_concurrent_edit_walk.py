"""Browser: two people edit the same document; the one who saves second sees what the first changed, keeps what they
typed, and decides."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from documents import services
from documents.models import Document, DocumentType
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-results" / "concurrent-edit"


def _signed_in(browser: Browser, live_server: Any, username: str) -> Page:
    page = browser.new_context().new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    return page


def test_the_second_save_shows_the_first_and_saves_only_when_saved_again(
    browser: Browser, live_server: Any, quality_manager: Any, employee: Any
) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    document = services.document_create(
        actor=quality_manager,
        document_type=DocumentType.objects.get(code="SOP"),
        title="Cleaning the filling line",
        owner=employee,
        department=employee.department,
    )
    edit = f"{live_server.url}/documents/{document.pk}/edit/"
    manager = _signed_in(browser, live_server, quality_manager.username)
    owner = _signed_in(browser, live_server, employee.username)
    manager.goto(edit)
    owner.goto(edit)

    owner.get_by_label("Title").fill("Cleaning and sanitising the filling line")
    owner.get_by_label("Reason for change").fill("Sanitising is part of it")
    owner.get_by_role("button", name="Save changes").click()
    expect(owner.get_by_text(f"Saved {document.number}.")).to_be_visible()

    manager.get_by_label("Title").fill("Filling line cleaning")
    manager.get_by_label("Reason for change").fill("Shorter title")
    manager.get_by_role("button", name="Save changes").click()
    panel = manager.get_by_role("region", name="What changed since you opened this page")
    expect(panel).to_be_visible()
    expect(panel).to_contain_text(employee.get_full_name())
    expect(panel).to_contain_text("Sanitising is part of it")
    expect(panel.get_by_role("row", name="Title")).to_contain_text("Cleaning and sanitising the filling line")
    expect(manager.get_by_role("alert")).to_contain_text("Nothing was saved")
    expect(manager.get_by_label("Title")).to_have_value("Filling line cleaning")
    manager.screenshot(path=SCREENSHOTS / "changed-meanwhile.png", full_page=True)
    assert Document.objects.get(pk=document.pk).title == "Cleaning and sanitising the filling line"

    manager.get_by_role("button", name="Save changes").click()
    expect(manager.get_by_text(f"Saved {document.number}.")).to_be_visible()
    assert Document.objects.get(pk=document.pk).title == "Filling line cleaning"
