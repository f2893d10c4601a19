"""Browser: the whole life of a controlled document in Chromium, from registering it to the reader's acknowledgement.

One walk through the real pages, as each person in turn: the quality manager registers and uploads, an approver signs
(after one wrong password), the employee in the distribution acknowledges, and the quality manager sees the record.
Screenshots of each step go to test-results/.
"""

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from documents.models import DocumentType
from qms.models import Clause
from tests.browser.test_login_dashboard import SCREENSHOTS, _sign_in
from tests.conftest import PASSWORD
from tests.qms.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TITLE = "Cleaning the filling line"
SOP = "# Cleaning the filling line\n\n1. Stop the line.\n2. Clean the nozzle.\n3. Record it on the line log.\n"


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def _catalogue(db: None) -> None:
    """Transactional tests flush the tables the migrations filled; put back the type and the clause this test picks."""
    DocumentType.objects.get_or_create(
        code="SOP", defaults={"name": "Standard operating procedure", "default_review_period_months": 12}
    )
    Clause.objects.get_or_create(number="7.5.3", defaults={"title": "Control of documented information"})


def _shot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=SCREENSHOTS / name, full_page=True)


def _sign_out(page: Page) -> None:
    page.locator("details.account > summary").click()
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()


def _panel(page: Page, title: str):
    return page.get_by_role("region", name=re.compile(rf"^{re.escape(title)}"))


@pytest.mark.usefixtures("_catalogue")
def test_a_document_is_registered_approved_and_read(page: Page, live_server, quality_manager, employee, tmp_path):
    approver = UserFactory(
        username="ann.approver", password=PASSWORD, roles=["employee"], first_name="Ann", last_name="Approver"
    )
    department = employee.department.name

    # 1. The quality manager registers the document.
    _sign_in(page, live_server, quality_manager.username)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Documents").click()
    expect(page.get_by_role("heading", name="Controlled documents")).to_be_visible()
    _shot(page, "register.png")
    page.get_by_role("link", name="Register a document").click()
    expect(page.get_by_role("heading", name="Register a document")).to_be_visible()
    page.get_by_label("Document type").select_option(label="SOP — Standard operating procedure")
    page.get_by_label("Title").fill(TITLE)
    page.get_by_label("Owner").select_option(label=employee.display_name)
    page.get_by_label("Department", exact=True).select_option(label=department)
    page.get_by_label("Clauses").select_option(label="7.5.3 Control of documented information")
    page.get_by_role("group", name="Must be read by departments").get_by_label(department).check()
    _shot(page, "document-form.png")
    page.get_by_role("button", name="Register").click()

    # 2. It lands on the upload page; the first revision goes up through the file input and the XHR progress bar.
    expect(page.get_by_role("heading", name="New revision of SOP-0001")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("Registered SOP-0001. Upload its first revision.")
    source = tmp_path / "cleaning-sop.md"
    source.write_text(SOP)
    page.get_by_label("File").set_input_files(source)
    page.get_by_label("Change summary").fill("First issue: cleaning steps for the filling line.")
    _shot(page, "upload.png")
    page.get_by_role("button", name="Upload draft").click()
    expect(page.get_by_role("heading", name="SOP-0001 revision 1")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("as a draft")
    expect(page.locator(".lead .pill")).to_have_text("Draft")
    expect(page.locator("dd.mono")).to_have_text(re.compile(r"^[0-9a-f]{64}$"))
    expect(page.get_by_text("cleaning-sop.md")).to_be_visible()
    _shot(page, "revision-draft.png")

    # 3. Submitted for approval to Ann.
    page.get_by_role("group", name="Approvers").get_by_label(re.compile(r"^Ann Approver")).check()
    page.get_by_role("button", name="Submit", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("Submitted for approval")
    expect(page.locator(".lead .pill")).to_have_text("In review")
    revision_url = page.url

    # 4. Ann finds it on her dashboard, mistypes her password once, then signs.
    _sign_out(page)
    _sign_in(page, live_server, approver.username)
    waiting = _panel(page, "Approvals waiting for you")
    waiting.get_by_role("link", name=f"SOP-0001 rev 1 {TITLE}").or_(waiting.get_by_role("link", name=TITLE)).click()
    page.wait_for_url(revision_url)
    expect(page.get_by_role("heading", name="Your decision")).to_be_visible()
    page.get_by_label("Password").fill("not-my-password")
    page.get_by_label("Comment").first.fill("Steps are clear.")
    page.get_by_role("button", name="Sign: approved").click()
    expect(page.get_by_role("status")).to_contain_text("password")
    expect(page.locator(".lead .pill")).to_have_text("In review")
    _shot(page, "approve.png")
    page.get_by_label("Password").first.fill(PASSWORD)
    page.get_by_label("Comment").first.fill("Steps are clear.")
    page.get_by_role("button", name="Sign: approved").click()
    expect(page.get_by_role("status")).to_contain_text("Approved and signed.")
    expect(page.locator(".lead .pill")).to_have_text("Effective")

    # 5. The employee, in the distribution, reads it and acknowledges.
    _sign_out(page)
    _sign_in(page, live_server, employee.username)
    _panel(page, "Documents to read and acknowledge").get_by_role("link", name=re.compile(TITLE)).click()
    expect(page.get_by_role("heading", name=f"SOP-0001 {TITLE}")).to_be_visible()
    expect(page.get_by_role("region", name="Reading required")).to_be_visible()
    page.get_by_role("button", name="I have read and understood revision 1").click()
    expect(page.get_by_role("status")).to_contain_text("Recorded: you have read and understood SOP-0001.")
    expect(page.get_by_text("You acknowledged revision 1.")).to_be_visible()
    _shot(page, "acknowledged.png")

    # 6. The quality manager sees the reader, the register and the signed history.
    _sign_out(page)
    _sign_in(page, live_server, quality_manager.username)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Documents").click()
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name="SOP-0001"))
    expect(row).to_contain_text("Effective")
    expect(row).to_contain_text(TITLE)
    row.get_by_role("link", name="SOP-0001").click()
    readers = page.get_by_role("region", name=re.compile(r"^Read and understood"))
    expect(readers.get_by_role("listitem").filter(has_text=employee.display_name)).to_contain_text("read ")
    expect(page.get_by_role("region", name="Revision in force")).to_contain_text("cleaning-sop.md")
    _shot(page, "document-effective.png")
    page.get_by_role("link", name="History").click()
    expect(page.get_by_role("heading", name=re.compile(r"^History of SOP-0001"))).to_be_visible()
    approval = page.get_by_role("listitem").filter(has_text="Ann Approver").filter(has_text="Steps are clear.")
    expect(approval.first).to_be_visible()
    _shot(page, "history.png")
