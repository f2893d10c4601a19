"""Browser: the whole life of a controlled document in Chromium, from registering it to the reader's acknowledgement.

One walk through the real pages, as each person in turn: the quality manager registers the document and uploads its
first revision, an approver signs (after one wrong password), the employee in the distribution acknowledges it, and
the quality manager finds the record. Screenshots of each step go to test-results/.
"""

import re
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect

from documents.models import DocumentType
from qms.models import Clause
from tests.browser.test_login_dashboard import SCREENSHOTS, _sign_in
from tests.conftest import PASSWORD
from tests.qms.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TITLE = "Cleaning the filling line"
SOP = "# Cleaning the filling line\n\n1. Stop the line.\n2. Clean the nozzle.\n3. Record it on the line log.\n"
SHA256 = re.compile(r"^[0-9a-f]{64}$")
DATE = re.compile(r"^\d{4}-\d\d-\d\d$")


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def _catalogue(db: None) -> None:
    """Transactional tests flush what the migrations loaded; put back the type and the clause this test picks."""
    DocumentType.objects.get_or_create(
        code="SOP", defaults={"name": "Standard operating procedure", "default_review_period_months": 12}
    )
    Clause.objects.get_or_create(number="7.5.3", defaults={"title": "Control of documented information"})


def _shot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=SCREENSHOTS / name, full_page=True)


def _sign_out(page: Page) -> None:
    page.get_by_role("banner").get_by_role("group").click()  # the account menu, a <details> named after the user
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()


def _panel(page: Page, title: str) -> Locator:
    """A dashboard panel: a region named by its heading, which ends with the count."""
    return page.get_by_role("region", name=re.compile(rf"^{re.escape(title)} \d+$"))


def _status_pill(page: Page) -> Locator:
    return page.locator(".lead .pill")


@pytest.mark.usefixtures("_catalogue")
def test_a_document_is_registered_approved_and_read(page: Page, live_server, quality_manager, employee, tmp_path):
    UserFactory(username="ann.approver", password=PASSWORD, roles=["employee"], first_name="Ann", last_name="Approver")
    department = employee.department.name
    script_errors: list[str] = []
    page.on("pageerror", lambda error: script_errors.append(str(error)))

    # 1. The quality manager registers an SOP owned by the employee and read by the employee's department.
    _sign_in(page, live_server, quality_manager.username)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Documents").click()
    expect(page.get_by_role("heading", name="Controlled documents")).to_be_visible()
    _shot(page, "register.png")
    page.get_by_role("link", name="Register a document").click()
    expect(page.get_by_role("heading", name="Register a document")).to_be_visible()
    page.get_by_role("combobox", name="Document type").select_option(label="SOP — Standard operating procedure")
    page.get_by_role("textbox", name="Title").fill(TITLE)
    page.get_by_role("combobox", name="Owner").select_option(label=employee.display_name)
    page.get_by_role("combobox", name="Department").select_option(label=department)
    page.get_by_role("listbox", name="Clauses").select_option(label="7.5.3 Control of documented information")
    page.get_by_role("group", name="Must be read by departments").get_by_role("checkbox", name=department).check()
    _shot(page, "document-form.png")
    page.get_by_role("button", name="Register").click()

    # 2. The upload page. Sending no file is refused with the summary kept; then the file goes up through the
    # JavaScript (XHR with a progress bar) and the draft revision is shown.
    expect(page.get_by_role("heading", name="New revision of SOP-0001")).to_be_visible()
    expect(page.get_by_role("status")).to_have_text("Registered SOP-0001. Upload its first revision.")
    summary = "First issue: cleaning steps for the filling line."
    page.get_by_role("textbox", name="Change summary").fill(summary)
    page.get_by_role("button", name="Upload draft").click()
    expect(page.locator(".field-error")).to_contain_text("This field is required.")
    expect(page.get_by_role("textbox", name="Change summary")).to_have_value(summary)
    source = tmp_path / "cleaning-sop.md"
    source.write_text(SOP)
    page.get_by_label("File").set_input_files(source)
    expect(page.get_by_text("Selected: cleaning-sop.md")).to_be_visible()
    _shot(page, "upload.png")
    with page.expect_request(lambda request: request.method == "POST" and request.resource_type == "xhr"):
        page.get_by_role("button", name="Upload draft").click()
    expect(page.get_by_role("heading", name="SOP-0001 revision 1")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/documents/\d+/revisions/1/$"))
    expect(page.get_by_role("status")).to_have_text(
        "Uploaded SOP-0001 rev 1 as a draft. Submit it for approval when ready."
    )
    expect(_status_pill(page)).to_have_text("Draft")
    expect(page.locator("dd.mono")).to_have_text(SHA256)
    expect(page.get_by_text("cleaning-sop.md · text/markdown")).to_be_visible()
    _shot(page, "revision-draft.png")

    # 3. Submitted for approval to Ann.
    page.get_by_role("group", name="Approvers").get_by_role("checkbox", name="Ann Approver (ann.approver)").check()
    page.get_by_role("button", name="Submit", exact=True).click()
    expect(page.get_by_role("status")).to_have_text("Submitted for approval. The approvers have been notified.")
    expect(_status_pill(page)).to_have_text("In review")
    revision_url = page.url

    # 4. Ann finds it on her dashboard and signs: a mistyped password signs nothing, her own password approves.
    _sign_out(page)
    _sign_in(page, live_server, "ann.approver")
    _panel(page, "Approvals waiting for you").get_by_role("link", name=f"SOP-0001 rev 1 {TITLE}").click()
    expect(page).to_have_url(revision_url)
    decision = page.get_by_role("region", name="Your decision")
    decision.get_by_role("textbox", name="Password").fill("not-my-password")
    decision.get_by_role("textbox", name="Comment").fill("Steps are clear.")
    decision.get_by_role("button", name="Sign: approved").click()
    # The page comes back with the reason next to the password, and her comment still typed in.
    expect(decision.get_by_text("The password is not correct. Nothing was signed.")).to_be_visible()
    expect(decision.get_by_role("textbox", name="Comment")).to_have_value("Steps are clear.")
    expect(decision.get_by_role("textbox", name="Password")).to_have_value("")
    expect(_status_pill(page)).to_have_text("In review")
    expect(page.get_by_role("region", name="Approvals and electronic signatures")).to_contain_text("Pending")
    _shot(page, "approve.png")
    decision.get_by_role("textbox", name="Password").fill(PASSWORD)
    decision.get_by_role("button", name="Sign: approved").click()
    expect(page.get_by_role("status")).to_have_text("Approved and signed.")
    expect(_status_pill(page)).to_have_text("Effective")
    signatures = page.get_by_role("region", name="Approvals and electronic signatures")
    expect(signatures).to_contain_text("Approved by Ann Approver")
    expect(signatures).to_contain_text("Steps are clear.")

    # 5. The employee, in the distribution, is asked to read it and acknowledges.
    _sign_out(page)
    _sign_in(page, live_server, employee.username)
    _panel(page, "Documents to read and acknowledge").get_by_role("link", name=f"SOP-0001 rev 1 {TITLE}").click()
    expect(page.get_by_role("heading", name=f"SOP-0001 {TITLE}")).to_be_visible()
    reading = page.get_by_role("region", name="Reading required")
    reading.get_by_role("button", name="I have read and understood revision 1").click()
    expect(page.get_by_role("status")).to_have_text("Recorded: you have read and understood SOP-0001.")
    expect(page.get_by_text("You acknowledged revision 1.")).to_be_visible()
    expect(page.get_by_role("region", name="Reading required")).to_have_count(0)
    _shot(page, "acknowledged.png")

    # 6. The quality manager finds it effective in the register, the employee as a reader, and the signed history.
    _sign_out(page)
    _sign_in(page, live_server, quality_manager.username)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Documents").click()
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name="SOP-0001"))
    expect(row.get_by_role("cell")).to_have_text(
        ["SOP-0001", re.compile(TITLE), "Effective", "1", DATE, employee.display_name, department, DATE]
    )
    row.get_by_role("link", name="SOP-0001").click()
    readers = page.get_by_role("region", name=re.compile(r"^Read and understood"))
    expect(readers.get_by_role("listitem")).to_have_text(
        re.compile(rf"^{re.escape(employee.display_name)}\s+read \d{{4}}-")
    )
    expect(page.get_by_role("region", name="Revision in force").locator("dd.mono")).to_have_text(SHA256)
    _shot(page, "document-effective.png")
    page.get_by_role("link", name="History").click()
    expect(page.get_by_role("heading", name=f"History of SOP-0001 {TITLE}")).to_be_visible()
    entries = page.get_by_role("listitem").filter(has_text="SOP-0001 rev 1")
    expect(
        entries.filter(has_text="by Ann Approver").filter(has_text="Reason: Approved by every approver")
    ).to_have_count(1)
    expect(
        entries.filter(has_text="by Helen Carter").filter(has_text="Reason: Submitted for approval to Ann Approver")
    ).to_have_count(1)
    _shot(page, "history.png")
    assert script_errors == []
