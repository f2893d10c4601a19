"""Browser: a management review in Chromium, from its start to the chair's signature.

One walk through the real pages, with two people: the quality manager starts the review of a period (the register's
empty state explains what a review is), finds the inputs assembled with links to the records behind them, writes an
input no record holds, records the meeting, a decision and its action, and turns the action into a CAPA in one step
(the CAPA links back). The managing director, who chairs, finds the review to sign on his dashboard, mistypes his
password (refused next to it, nothing signed), then signs; the report PDF is made in the background and downloads.
The signed review is then read on a phone. Screenshots of each step go to test-results/.
"""

import io
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Locator, Page, expect
from pypdf import PdfReader

from capa import services as capa_services
from capa.models import Capa
from qms.models import Signature, SignatureFailure
from qms.reviews.models import ManagementReview
from tests.browser.test_login_dashboard import SCREENSHOTS, _sign_in
from tests.conftest import PASSWORD
from tests.qms.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DECISION = "Labelling complaints are the biggest customer theme: remove their cause, not only the single complaints."
ACTION = "Investigate the causes of labelling complaints across lines 1 and 2"
MINUTES = "1. Inputs presented one by one.\n2. Labelling complaints discussed at length."
CONCLUSION = "The QMS is suitable, adequate and effective; labelling needs corrective action."


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def chair(db: None):
    return UserFactory(
        username="ceo",
        password=PASSWORD,
        roles=["employee"],
        first_name="Richard",
        last_name="Hughes",
        job_title="Managing Director",
    )


@pytest.fixture
def production_manager(db: None):
    return UserFactory(
        username="prod.manager",
        password=PASSWORD,
        roles=["employee"],
        first_name="Maria",
        last_name="Gonzalez",
        job_title="Production Manager",
    )


def _shot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=SCREENSHOTS / name, full_page=True)


def _message(page: Page) -> Locator:
    return page.locator(".messages").get_by_role("status")


def _region(page: Page, heading: str) -> Locator:
    return page.get_by_role("region", name=re.compile(rf"^{re.escape(heading)}"))


def _sign_out(page: Page, user) -> None:
    page.locator("details.account > summary", has_text=user.display_name).click()
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_title("Sign in · QMS")


def _fits_the_screen(page: Page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_a_review_from_its_start_to_the_chairs_signature(
    page: Page, live_server, quality_manager, chair, production_manager
):
    today = timezone.localdate()
    complaint = capa_services.nonconformity_report(
        actor=production_manager,
        title="Wrong batch on labels for Acme",
        description="Lot 12 labels show batch 11.",
        source="customer_complaint",
        customer="Acme Foods",
        reply_due=today + timedelta(days=10),
    )
    reference = f"MR-{today.year}-001"
    script_errors: list[str] = []
    page.on("pageerror", lambda error: script_errors.append(str(error)))

    # 1. Helen, the quality manager, opens the register from the menu: it explains what a review is.
    _sign_in(page, live_server, quality_manager.username)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Management review").click()
    expect(page.get_by_role("heading", name="Management reviews", exact=True)).to_be_visible()
    expect(page.get_by_text("No management review yet.")).to_be_visible()
    _shot(page, "review-register-empty.png")
    page.get_by_role("link", name="Start the first review").click()

    # 2. She names the period, the meeting, the chair and who is invited.
    expect(page.get_by_role("heading", name="Start a management review")).to_be_visible()
    page.get_by_label("Title").fill(f"Management review {today.year}")
    page.get_by_label("Period from").fill((today - timedelta(days=90)).isoformat())
    page.get_by_label("Period to").fill(today.isoformat())
    page.get_by_label("Meeting planned on").fill((today + timedelta(days=7)).isoformat())
    chair_choice = page.get_by_role("combobox", name="Chair")
    expect(chair_choice).to_have_accessible_description(re.compile("top management"))
    chair_choice.select_option(label="Richard Hughes, Managing Director")
    page.get_by_role("group", name="Invited").get_by_role("checkbox", name="Maria Gonzalez, Production Manager").check()
    _shot(page, "review-start.png")
    page.get_by_role("button", name="Start the review").click()

    # 3. The review page: preparing, the inputs of 9.3.2 assembled, each leading to its records.
    expect(page.get_by_role("heading", name=f"{reference} Management review {today.year}")).to_be_visible()
    expect(_message(page)).to_contain_text(f"Started {reference}.")
    stepper = page.get_by_role("list", name="Progress of the review")
    expect(stepper.locator("[aria-current=step]")).to_contain_text("Preparing")
    feedback = _region(page, "9.3.2 c) 1) Customer satisfaction and feedback")
    expect(feedback).to_contain_text("1 customer complaint from 1 customer")
    feedback.locator("summary", has_text="Customer complaints").click()
    expect(feedback.get_by_role("link", name=complaint.reference)).to_be_visible()
    index = page.get_by_role("navigation", name="Inputs")
    expect(index.get_by_role("link")).to_have_count(13)
    _shot(page, "review-preparing.png")

    # 4. She writes the adequacy of resources, an input no record holds.
    page.get_by_text("Written inputs (9.3.2 b, d, e)").click()
    page.get_by_label("Adequacy of resources (9.3.2 d)").fill("One inspector for two shifts: final inspection waits.")
    page.get_by_role("button", name="Save the written inputs").click()
    expect(_message(page)).to_have_text("Saved the written inputs.")
    expect(_region(page, "9.3.2 d) Adequacy of resources")).to_contain_text("One inspector for two shifts")

    # 5. After the meeting she records it: the inputs are frozen, the review is held.
    meeting = _region(page, "Meeting")
    # The form is open while the review is prepared: the next step's "Record the meeting" leads straight to it.
    page.get_by_role("link", name="Record the meeting").click()
    meeting.get_by_label("Held on").fill(today.isoformat())
    meeting.get_by_role("group", name="Attended").get_by_role(
        "checkbox", name="Maria Gonzalez, Production Manager"
    ).check()
    meeting.get_by_label("Minutes").fill(MINUTES)
    meeting.get_by_label("Conclusion").fill(CONCLUSION)
    meeting.get_by_role("button", name="Record the meeting").click()
    expect(_message(page)).to_contain_text("the inputs of")
    expect(stepper.locator("[aria-current=step]")).to_contain_text("Held")
    expect(stepper.get_by_role("listitem").first).to_contain_text("(done)")
    expect(page.get_by_role("button", name="Refresh the inputs")).to_have_count(0)

    # 6. The decision and its action; the page says what is missing before the chair can sign, then that nothing is.
    next_step = _region(page, "Next:")
    expect(next_step).to_contain_text("Record at least one decision")
    decisions = _region(page, "Decisions and actions")
    decisions.get_by_role("group", name="Kind of decision").get_by_role(
        "radio", name="Opportunity for improvement"
    ).check()
    decisions.get_by_label("Decision", exact=True).fill(DECISION)
    decisions.get_by_label("Action (optional)").fill(ACTION)
    decisions.get_by_role("combobox", name="Action owner").select_option(label="Maria Gonzalez, Production Manager")
    decisions.get_by_label("Action due").fill((today + timedelta(days=60)).isoformat())
    decisions.get_by_role("button", name="Record the decision").click()
    expect(_message(page)).to_have_text("Decision recorded.")
    expect(_region(page, "Next:")).to_contain_text("Nothing is missing")
    decisions = _region(page, "Decisions and actions")
    row = decisions.get_by_role("row").filter(has_text="A1").first
    expect(row).to_contain_text(ACTION)
    expect(row).to_contain_text("Maria Gonzalez")
    expect(row).to_contain_text("Open")

    # On a phone the decisions and the forms that follow an action up fit the screen.
    page.set_viewport_size({"width": 390, "height": 844})
    _region(page, "Decisions and actions").get_by_text("Turn A1 into a document change request").click()
    assert _fits_the_screen(page)
    _region(page, "Decisions and actions").screenshot(path=SCREENSHOTS / "review-decisions-phone.png")
    page.set_viewport_size({"width": 1280, "height": 720})
    page.reload()

    # 7. The action becomes a CAPA in one step, and the two link to each other.
    decisions.get_by_text("Turn A1 into a CAPA").click()
    decisions.get_by_role("combobox", name="Severity").select_option(label="High")
    decisions.get_by_role("button", name="Open the CAPA").click()
    expect(_message(page)).to_have_text("Opened CAPA-0001 from the action.")
    capa = Capa.objects.get()
    row = _region(page, "Decisions and actions").get_by_role("row").filter(has_text="A1").first
    expect(row.get_by_role("link", name="CAPA-0001")).to_be_visible()
    expect(_region(page, "Decisions and actions").get_by_text("Turn A1 into a CAPA")).to_have_count(0)
    _shot(page, "review-held.png")
    row.get_by_role("link", name="CAPA-0001").click()
    expect(page.get_by_role("heading", name=f"CAPA-0001 {capa.title}")).to_be_visible()
    page.get_by_role("link", name=f"From management review {reference}/A1").click()
    expect(page.get_by_role("heading", name=f"{reference} Management review {today.year}")).to_be_visible()
    _sign_out(page, quality_manager)

    # 8. Richard, the chair, finds the review to sign on his dashboard and mistypes his password: refused next to the
    # password, nothing signed, the failure logged.
    _sign_in(page, live_server, chair.username)
    to_sign = _region(page, "Management reviews to sign")
    to_sign.get_by_role("link", name=re.compile(reference)).click()
    signing = _region(page, "Signature of the chair")
    password = signing.get_by_label("Password")
    expect(password).to_have_accessible_description(re.compile("electronic signature"))
    password.fill("not-my-password")
    signing.get_by_role("button", name="Sign the review").click()
    refusal = "The password is not correct. Nothing was signed."
    signing = _region(page, "Signature of the chair")
    expect(signing.get_by_label("Password")).to_have_accessible_description(re.compile(re.escape(refusal)))
    expect(signing.get_by_text(refusal)).to_be_in_viewport()
    assert ManagementReview.objects.get().status == ManagementReview.Status.HELD
    assert not Signature.objects.exists() and SignatureFailure.objects.filter(user=chair).count() == 1
    _shot(page, "review-sign-refused.png")

    # 9. With his password the review is signed: every step done, the signature and its hash on the page.
    signing.get_by_label("Password").fill(PASSWORD)
    signing.get_by_role("button", name="Sign the review").click()
    expect(_message(page)).to_have_text(f"Signed: {reference} is approved and can no longer change.")
    steps = page.get_by_role("list", name="Progress of the review").get_by_role("listitem")
    for step, label in zip(steps.all(), ["Preparing", "Held", "Signed"], strict=True):
        expect(step).to_contain_text(f"{label} (done)")
    review = ManagementReview.objects.get()
    expect(page.get_by_text("Signed (approved) by Richard Hughes on")).to_be_visible()
    expect(page.get_by_text(review.signature.content_sha256)).to_be_visible()
    expect(page.get_by_role("button", name="Sign the review")).to_have_count(0)
    _shot(page, "review-signed.png")

    # 10. The report is made in the background and downloads as a PDF with the signature on it.
    report = _region(page, "Report (PDF)")
    report.get_by_role("button", name="Make the report").click()
    expect(report.get_by_role("status")).to_contain_text("Management review report ready")
    link = report.get_by_role("link", name=re.compile("^Download"))
    response = page.request.get(live_server.url + (link.get_attribute("href") or ""))
    assert response.ok and response.headers["content-type"] == "application/pdf"
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(response.body())).pages).split())
    assert reference in text and "Signed (approved) by Richard Hughes" in text and ACTION in text

    # 11. On a phone the signed review reads in one column, nothing wider than the screen.
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    expect(page.get_by_role("heading", name=f"{reference} Management review {today.year}")).to_be_visible()
    assert _fits_the_screen(page)
    _shot(page, "review-signed-phone.png")
    assert not script_errors, script_errors
