"""Browser: a quality manager moves documents in: template and sample files downloaded, a list with a mistake checked
and refused line by line, the corrected list checked and imported; then downloads the people's export."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from documents.models import Document
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-results" / "import"


def test_a_quality_manager_checks_a_list_fixes_it_and_imports_it(
    page: Page, live_server: Any, quality_manager: Any, settings: Any, tmp_path: Path
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(quality_manager.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_text(quality_manager.display_name).click()  # the account menu
    page.get_by_role("link", name="Import records").click()
    expect(page.get_by_role("heading", name="Import records", level=1)).to_be_visible()
    expect(page.get_by_text("Nothing imported yet")).to_be_visible()
    page.screenshot(path=SCREENSHOTS / "start.png", full_page=True)

    template = page.request.get(f"{live_server.url}/imports/documents/template.csv").body()
    sample = page.request.get(f"{live_server.url}/imports/documents/sample.zip").body()
    wrong = template.replace(quality_manager.username.encode(), b"nobody", 1)

    _upload(page, wrong, sample)
    expect(page.get_by_role("heading", name="Fix the list, then upload it again")).to_be_visible()
    problems = page.get_by_role("table")
    expect(problems).to_contain_text("SOP-0012")
    expect(problems).to_contain_text("Unknown owner 'nobody'")
    expect(page.get_by_role("button", name=re.compile("^Import"))).to_have_count(0)
    page.screenshot(path=SCREENSHOTS / "problems.png", full_page=True)

    page.get_by_role("link", name="Import records").first.click()
    _upload(page, template, sample)
    expect(page.get_by_role("heading", name="Ready to import")).to_be_visible()
    page.get_by_role("button", name="Import 2 now").click()
    expect(page.get_by_role("heading", name="Imported", exact=True)).to_be_visible()
    page.screenshot(path=SCREENSHOTS / "imported.png", full_page=True)
    assert sorted(Document.objects.values_list("number", flat=True)) == ["SOP-0012", "WI-0003"]

    page.goto(f"{live_server.url}/documents/{Document.objects.get(number='SOP-0012').pk}/")
    page.get_by_role("link", name=re.compile("revision 3|rev 3|^3$")).first.click()
    expect(page.get_by_text("nobody approved or signed it here")).to_be_visible()
    page.screenshot(path=SCREENSHOTS / "imported-revision.png", full_page=True)

    # Moving out again: the people, as their import reads them, downloaded from the same page.
    page.locator("summary", has_text=quality_manager.display_name).click()
    page.get_by_role("link", name="Import records").click()
    exports = page.get_by_role("list", name="Export what is here")
    with page.expect_download() as download:
        exports.get_by_role("listitem").filter(has_text="People and departments").get_by_role(
            "link", name="export (CSV)"
        ).click()
    people = Path(download.value.path()).read_text(encoding="utf-8").splitlines()
    assert people[0].startswith("username,") and any(line.startswith(f"{quality_manager.username},") for line in people)


def _upload(page: Page, master: bytes, archive: bytes) -> None:
    page.get_by_label("What to import").select_option("documents")
    page.get_by_label("Master list (CSV)").set_input_files(
        {"name": "master list.csv", "mimeType": "text/csv", "buffer": master}
    )
    page.get_by_label("Second file").set_input_files(
        {"name": "files.zip", "mimeType": "application/zip", "buffer": archive}
    )
    page.get_by_role("button", name="Upload and check").click()
