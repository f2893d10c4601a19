"""Browser: a CAPA in Chromium, from the audit finding that raised it to its signed, effective closure.

One walk through the real pages, with three people: the lead auditor raises a CAPA from a minor nonconformity on the
audit page; its owner starts the investigation, writes a 5 Whys with the root cause, plans an action, completes it with
evidence and a file, and moves the CAPA to verifying; a quality manager signs the effectiveness check, first with a
wrong password (refused next to the password, nothing signed), then with the right one, and the CAPA is closed; its
summary PDF downloads. A smaller test reports a customer complaint in the nonconformity log on a phone, first without
the customer (the refusal is next to the field, nothing typed is lost), and a quality manager escalates it to a CAPA.
Screenshots of each step go to test-results/.
"""

import io
import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Locator, Page, expect
from pypdf import PdfReader

from audits import services as audit_services
from audits.models import Finding
from capa.models import Capa, EffectivenessCheck, Nonconformity
from qms.models import Clause, Signature
from tests.browser.test_login_dashboard import SCREENSHOTS, _sign_in
from tests.conftest import PASSWORD
from tests.qms.factories import DepartmentFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

STATEMENT = "Rejected bottles from line 2 stored next to released stock, without a hold label."
EVIDENCE = "Pallet 14 of rejects in bay C, beside released batch 2024-118."
FIVE_WHYS = [
    ("Why were rejected bottles stored with released stock?", "The hold area was full."),
    ("Why was the hold area full?", "Rejects are only cleared once a week."),
    ("Why only once a week?", "Clearing the hold area is not in anyone's routine."),
]
ROOT_CAUSE = "Clearing the hold area is nobody's task, so it fills up and rejects overflow into the released area."
ACTION = "Add daily clearing of the hold area to the line 2 shift checklist"
ACTION_EVIDENCE = "Shift checklist SC-12 revision C in use on all shifts since Monday; first week's sheets signed."
CRITERIA = "No rejects found outside the hold area in 3 months of weekly walks."
VERDICT = "Twelve weekly walks: the hold area was cleared daily and no reject stood in the released area."


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def production(db: None):
    return DepartmentFactory(name="Production", code="PROD")


@pytest.fixture
def lead(db: None):
    return UserFactory(
        username="lead.auditor",
        password=PASSWORD,
        roles=["auditor", "employee"],
        first_name="Priya",
        last_name="Nair",
        department=DepartmentFactory(name="Quality", code="QA"),
    )


@pytest.fixture
def auditee(production):
    return UserFactory(
        username="line.lead",
        password=PASSWORD,
        roles=["employee"],
        first_name="Marco",
        last_name="Rossi",
        department=production,
    )


@pytest.fixture
def owner(production):
    """The shift supervisor who will own the CAPA: an employee of the audited department, not its auditee."""
    return UserFactory(
        username="shift.supervisor",
        password=PASSWORD,
        roles=["employee"],
        first_name="Sam",
        last_name="Okafor",
        department=production,
    )


def _shot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=SCREENSHOTS / name, full_page=True)


def _message(page: Page) -> Locator:
    """The one-time message at the top of the page."""
    return page.locator(".messages").get_by_role("status")


def _status_pill(page: Page) -> Locator:
    """The status pill under the heading (the severity pill follows it)."""
    return page.locator(".lead .pill").first


def _region(page: Page, heading: str) -> Locator:
    return page.get_by_role("region", name=re.compile(rf"^{re.escape(heading)}"))


def _sign_out(page: Page, user) -> None:
    page.locator("details.account > summary", has_text=user.display_name).click()
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_title("Sign in · QMS")


def _pdf_text(data: bytes) -> str:
    text = " ".join(sheet.extract_text() or "" for sheet in PdfReader(io.BytesIO(data)).pages)
    return re.sub(r"\s+", " ", text)


def _audit_with_a_finding(lead, auditee, production) -> Finding:
    """An audit of Production in progress, led by Priya, with a minor nonconformity against 8.7."""
    today = timezone.localdate()
    audit = audit_services.audit_create(
        actor=lead,
        title="Production control",
        scope="Filling lines 1 and 2, all shifts",
        clauses=Clause.objects.filter(number__in=["8.5.1", "8.7"]),
        lead_auditor=lead,
        auditees=[auditee],
        department=production,
        planned_start=today,
        planned_end=today,
    )
    audit = audit_services.audit_start(actor=lead, audit=audit)
    return audit_services.finding_create(
        actor=lead,
        audit=audit,
        type=Finding.Type.MINOR_NC,
        clause=Clause.objects.get(number="8.7"),
        statement=STATEMENT,
        evidence=EVIDENCE,
        requirement="Nonconforming outputs are identified and controlled to prevent their unintended use.",
    )


def test_a_capa_from_a_finding_to_its_signed_closure(
    page: Page, live_server, lead, auditee, owner, production, quality_manager, tmp_path
):
    finding = _audit_with_a_finding(lead, auditee, production)
    audit = finding.audit
    clause = Clause.objects.get(number="8.7")
    today = timezone.localdate()
    due = today + timedelta(days=45)
    action_due = today + timedelta(days=14)
    reference = "CAPA-0001"
    title = f"{finding.reference}: {STATEMENT}"
    script_errors: list[str] = []
    page.on("pageerror", lambda error: script_errors.append(str(error)))

    # 1. The lead auditor raises a CAPA from the finding on the audit page. The raise page says what the CAPA starts
    # with and suggests the auditee of Production as owner; she names Sam, the shift supervisor, and a due date.
    _sign_in(page, live_server, lead.username)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Audits").click()
    page.get_by_role("link", name=f"{audit.reference} {audit.title}").first.click()
    expect(page.get_by_role("heading", name=f"{audit.reference} {audit.title}")).to_be_visible()
    findings = _region(page, "Findings")
    entry = findings.get_by_role("listitem").filter(has_text=finding.reference)
    expect(entry).to_contain_text("Minor nonconformity")
    expect(entry).to_contain_text("Needs a CAPA before the audit can close")
    entry.get_by_role("link", name="Raise CAPA").click()

    expect(page.get_by_role("heading", name=f"Raise a CAPA from {finding.reference}")).to_be_visible()
    starts_with = _region(page, "What the CAPA starts with")
    expect(starts_with).to_contain_text(title)
    expect(starts_with).to_contain_text("Audit finding (minor nonconformity)")
    expect(starts_with).to_contain_text("Medium")
    expect(starts_with).to_contain_text(f"8.7 {clause.title}")
    expect(starts_with).to_contain_text("Production")
    expect(starts_with).to_contain_text(f"Evidence: {EVIDENCE}")
    owner_choice = page.get_by_role("combobox", name="Owner")
    expect(owner_choice.locator("option:checked")).to_have_text("Marco Rossi (Production)")
    expect(owner_choice).to_have_accessible_description(re.compile("Who investigates the cause"))
    expect(page.get_by_label("Due date")).to_have_value((today + timedelta(days=30)).isoformat())
    owner_choice.select_option(label="Sam Okafor (Production)")
    page.get_by_label("Due date").fill(due.isoformat())
    _shot(page, "capa-raise.png")
    page.get_by_role("button", name="Raise the CAPA").click()

    expect(page.get_by_role("heading", name=f"{reference} {title}")).to_be_visible()
    expect(_message(page)).to_have_text(f"Raised {reference} from {finding.reference}.")
    expect(_status_pill(page)).to_have_text("Open")
    lead_text = page.locator(".lead")
    expect(lead_text).to_contain_text("Corrective · Audit finding · owned by Sam Okafor")
    expect(lead_text).to_contain_text(f"due {due.isoformat()}")
    stepper = page.get_by_role("list", name="Progress of the CAPA")
    expect(stepper.locator("[aria-current=step]")).to_contain_text("Open")
    timeline = _region(page, "Timeline")
    expect(timeline.get_by_role("link", name=f"Audit finding {finding.reference}")).to_be_visible()
    expect(timeline).to_contain_text(f"Minor nonconformity, {audit.reference}: {STATEMENT}")
    expect(timeline).to_contain_text("CAPA opened")
    expect(_region(page, "About").get_by_role("link", name=finding.reference)).to_be_visible()
    capa_url = page.url
    # The finding's link in the timeline leads back to the audit page, where it now links to its CAPA instead of
    # offering to raise one.
    timeline.get_by_role("link", name=f"Audit finding {finding.reference}").click()
    expect(page.get_by_role("heading", name=f"{audit.reference} {audit.title}")).to_be_visible()
    entry = _region(page, "Findings").get_by_role("listitem").filter(has_text=finding.reference)
    expect(entry.get_by_role("link", name=f"{reference} (open)")).to_be_visible()
    expect(entry.get_by_role("link", name="Raise CAPA")).to_have_count(0)
    expect(entry).not_to_contain_text("Needs a CAPA")
    _sign_out(page, lead)

    # 2. Sam finds the CAPA among his work and starts the investigation; the page then says what stands between the
    # CAPA and implementing, and the button to move on waits until it is done.
    _sign_in(page, live_server, owner.username)
    mine = _region(page, "CAPAs you own")
    mine.get_by_role("link", name=f"{reference} {title}").click()
    assert page.url == capa_url
    missing = _region(page, "What is still missing")
    expect(missing.get_by_role("heading", name="To move to investigating")).to_be_visible()
    expect(missing).to_contain_text("Nothing: the CAPA can move to investigating.")
    missing.get_by_role("button", name="Move to investigating").click()
    expect(_message(page)).to_have_text(f"{reference} moved to investigating.")
    expect(_status_pill(page)).to_have_text("Investigating")
    expect(stepper.locator("[aria-current=step]")).to_contain_text("Investigating")
    expect(stepper.get_by_role("listitem").first).to_contain_text("(done)")
    missing = _region(page, "What is still missing")
    expect(missing.get_by_role("heading", name="To move to implementing")).to_be_visible()
    to_implement = [
        "Write the root cause (the summary of the analysis).",
        "File the root cause under a cause category.",
        "Record the analysis: a 5 Whys chain or a fishbone.",
        "Plan at least one action.",
    ]
    expect(missing.get_by_role("list").first.get_by_role("listitem")).to_have_text(to_implement)
    move_on = missing.get_by_role("button", name="Move to implementing")
    expect(move_on).to_be_disabled()
    expect(move_on).to_have_accessible_description(re.compile(re.escape(to_implement[0])))

    # 3. The 5 Whys: the method shows its own rows (the fishbone's are put away), three whys and their answers, the
    # root cause in a sentence and its 6M category.
    analysis = _region(page, "Root-cause analysis")
    analysis.get_by_role("group", name="Method").get_by_role("radio", name="5 Whys").check()
    expect(analysis.get_by_role("group", name=re.compile(r"^Fishbone"))).to_be_hidden()
    expect(analysis.get_by_role("group", name=re.compile(r"^5 Whys"))).to_be_visible()
    for number, (why, because) in enumerate(FIVE_WHYS, start=1):
        analysis.get_by_role("textbox", name=f"Why {number}?", exact=True).fill(why)
        analysis.get_by_role("textbox", name=f"Because {number}", exact=True).fill(because)
    analysis.get_by_role("textbox", name="Root cause").fill(ROOT_CAUSE)
    analysis.get_by_role("combobox", name="Cause category").select_option(label="Method")
    analysis.get_by_role("button", name="Save the analysis").click()
    expect(_message(page)).to_have_text("Saved the root-cause analysis.")
    analysis = _region(page, "Root-cause analysis")
    expect(analysis.get_by_role("heading")).to_have_text("Root-cause analysis 5 Whys")
    whys = analysis.get_by_role("list", name="5 Whys").get_by_role("listitem")
    expect(whys).to_have_count(3)
    for step, (why, because) in zip(whys.all(), FIVE_WHYS, strict=True):
        expect(step).to_contain_text(why)
        expect(step).to_contain_text(because)
    expect(analysis.locator("dl.facts")).to_contain_text(ROOT_CAUSE)
    expect(analysis.locator("dl.facts")).to_contain_text("Method")
    missing = _region(page, "What is still missing")
    expect(missing.get_by_role("list").first.get_by_role("listitem")).to_have_text(["Plan at least one action."])
    _shot(page, "capa-analysis.png")

    # 4. One action, owned by Sam himself; then the CAPA moves to implementing.
    actions = _region(page, "Actions")
    actions.get_by_role("textbox", name="What will be done").fill(ACTION)
    actions.get_by_role("combobox", name="Owner").select_option(label="Sam Okafor (Production)")
    actions.get_by_label("Due date").fill(action_due.isoformat())
    actions.get_by_role("button", name="Plan the action").click()
    expect(_message(page)).to_have_text("Action planned.")
    actions = _region(page, "Actions")
    expect(actions.get_by_role("heading")).to_have_text("Actions 0 of 1 done")
    row = actions.get_by_role("row").filter(has_text="A1")
    expect(row.first.get_by_role("cell")).to_have_text(
        ["A1", ACTION, "Sam Okafor", action_due.isoformat(), "Open", "—"]
    )
    missing = _region(page, "What is still missing")
    expect(missing).to_contain_text("Nothing: the CAPA can move to implementing.")
    missing.get_by_role("button", name="Move to implementing").click()
    expect(_message(page)).to_have_text(f"{reference} moved to implementing.")
    expect(_status_pill(page)).to_have_text("Implementing")
    expect(_region(page, "Root-cause analysis").get_by_role("button", name="Save the analysis")).to_have_count(0)
    missing = _region(page, "What is still missing")
    expect(missing.get_by_role("list").first.get_by_role("listitem")).to_have_text(
        [
            "At least one action must be done.",
            f"Finish or cancel (with a reason) every action: {reference}/A1 still open.",
        ]
    )

    # 5. Sam reports the action done, with what was done and a scan of the signed checklist sheet.
    actions = _region(page, "Actions")
    actions.get_by_text("Report A1 done", exact=True).click()
    actions.get_by_role("textbox", name="Evidence").fill(ACTION_EVIDENCE)
    sheet = b"Shift checklist SC-12 rev C\nLine 2, week 1: hold area cleared daily, signed by each shift lead.\n"
    actions.get_by_label("Evidence files").set_input_files(
        {"name": "sc-12-week-1.txt", "mimeType": "text/plain", "buffer": sheet}
    )
    actions.get_by_role("button", name="A1 is done").click()
    expect(_message(page)).to_have_text("Action done.")
    actions = _region(page, "Actions")
    expect(actions.get_by_role("heading")).to_have_text("Actions 1 of 1 done")
    row = actions.get_by_role("row").filter(has_text="A1").first
    expect(row).to_contain_text("Done")
    expect(row).to_contain_text(f"{today.isoformat()} by Sam Okafor")
    expect(row).to_contain_text(ACTION_EVIDENCE)
    evidence_link = row.get_by_role("link", name="sc-12-week-1.txt")
    expect(evidence_link).to_be_visible()
    evidence = page.request.get(live_server.url + (evidence_link.get_attribute("href") or ""))
    assert evidence.ok
    assert evidence.body() == sheet
    _shot(page, "capa-actions.png")

    # 6. On to verifying: the effectiveness check is planned, 90 days after the action was done unless a date is
    # given, with what will show it worked; a quality manager signs it.
    missing = _region(page, "What is still missing")
    expect(missing).to_contain_text("Nothing: the CAPA can move to verifying.")
    expect(missing.get_by_label("Effectiveness check on")).to_have_accessible_description(
        re.compile("Empty: 90 days after the last action was done")
    )
    missing.get_by_role("textbox", name="What will show it worked").fill(CRITERIA)
    missing.get_by_role("button", name="Move to verifying").click()
    expect(_message(page)).to_have_text(
        f"{reference} moved to verifying. The effectiveness check is planned; a quality manager signs it."
    )
    expect(_status_pill(page)).to_have_text("Verifying")
    planned = today + timedelta(days=90)
    effectiveness = _region(page, "Effectiveness")
    expect(effectiveness.get_by_role("heading", level=2)).to_have_text("Effectiveness 1 check")
    expect(effectiveness.get_by_role("listitem")).to_contain_text(f"Pending planned for {planned.isoformat()}")
    expect(effectiveness.get_by_role("listitem")).to_contain_text(f"Criteria: {CRITERIA}")
    expect(effectiveness).to_contain_text("A quality manager signs the effectiveness check.")
    expect(effectiveness.get_by_role("button", name="Sign")).to_have_count(0)
    upcoming = _region(page, "Timeline").get_by_role("listitem").last
    expect(upcoming).to_contain_text("to come")
    expect(upcoming).to_contain_text("Effectiveness check planned")
    expect(upcoming).to_contain_text(f"Planned for {planned.isoformat()}: {CRITERIA}")
    _sign_out(page, owner)

    # 7. Helen, a quality manager, signs the check effective, but mistypes her password: the refusal is next to the
    # password, her verdict and comment are still there, nothing is signed and the CAPA stays in verifying.
    _sign_in(page, live_server, quality_manager.username)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="CAPA").click()
    expect(page.get_by_role("heading", name="Corrective and preventive actions")).to_be_visible()
    page.get_by_role("link", name=reference, exact=True).click()
    effectiveness = _region(page, "Effectiveness")
    expect(effectiveness.get_by_role("heading", name="Sign the effectiveness check")).to_be_visible()
    # Nothing but the signature itself stands between this CAPA and closing, so signing is not said to be refused.
    expect(effectiveness).not_to_contain_text("Signing it effective is refused")
    effectiveness.get_by_role("radio", name="Effective: the cause is gone; close the CAPA").check()
    effectiveness.get_by_role("textbox", name="Comment").fill(VERDICT)
    password = effectiveness.get_by_label("Password")
    expect(password).to_have_accessible_description(re.compile("Your password is your electronic signature"))
    password.fill("not-my-password")
    effectiveness.get_by_role("button", name="Sign").click()

    # The page comes back at the signing form, so the reason is in sight without scrolling.
    refusal = "The password is not correct. Nothing was signed."
    expect(page).to_have_url(f"{capa_url}verify/#verify")
    effectiveness = _region(page, "Effectiveness")
    password = effectiveness.get_by_label("Password")
    expect(password).to_have_accessible_description(re.compile(re.escape(refusal)))
    expect(effectiveness.get_by_text(refusal)).to_be_in_viewport()
    expect(password).to_have_value("")
    expect(effectiveness.get_by_role("radio", name="Effective: the cause is gone; close the CAPA")).to_be_checked()
    expect(effectiveness.get_by_role("textbox", name="Comment")).to_have_value(VERDICT)
    expect(_status_pill(page)).to_have_text("Verifying")
    expect(effectiveness.get_by_role("listitem").first).to_contain_text("Pending")
    capa = Capa.objects.get(reference=reference)
    assert capa.status == Capa.Status.VERIFYING
    assert not Signature.objects.exists()
    _shot(page, "capa-verify-refused.png")

    # 8. With her password the check is signed effective and the CAPA is closed: every step of the stepper is done,
    # and the timeline ends with the signed check.
    password.fill(PASSWORD)
    effectiveness.get_by_role("button", name="Sign").click()
    expect(_message(page)).to_have_text(f"Signed effective: {reference} is closed.")
    assert page.url.split("#")[0] == capa_url
    expect(_status_pill(page)).to_have_text("Closed")
    expect(
        page.get_by_text(f"Closed on {today.isoformat()}: the effectiveness check was signed effective.")
    ).to_be_visible()
    expect(_region(page, "What is still missing")).to_have_count(0)
    steps = stepper.get_by_role("listitem")
    expect(steps).to_have_count(5)
    for step, label in zip(steps.all(), ["Open", "Investigating", "Implementing", "Verifying", "Closed"], strict=True):
        expect(step).to_contain_text(f"{label} (done)")
    expect(stepper.locator("[aria-current]")).to_have_count(0)
    effectiveness = _region(page, "Effectiveness")
    expect(effectiveness.get_by_role("listitem")).to_contain_text("Effective")
    expect(effectiveness.get_by_role("listitem")).to_contain_text("Signed by Helen Carter")
    expect(effectiveness.get_by_role("listitem")).to_contain_text("(electronic signature)")
    expect(effectiveness.get_by_role("button", name="Sign")).to_have_count(0)
    events = _region(page, "Timeline").get_by_role("listitem")
    expect(events.filter(has_text="Effectiveness check: effective")).to_contain_text(
        f"Signed by Helen Carter: {VERDICT}"
    )
    expect(events.filter(has_text="Effectiveness check planned")).to_have_count(0)
    expect(events.first).to_contain_text(f"Audit finding {finding.reference}")
    check = EffectivenessCheck.objects.get(capa__reference=reference)
    assert (check.result, check.verified_by, check.signature.signer) == ("effective", quality_manager, quality_manager)
    _shot(page, "capa-closed.png")

    # 9. The CAPA summary downloads as a PDF with the whole chain on it.
    summary = page.get_by_role("link", name="CAPA summary (PDF)")
    response = page.request.get(live_server.url + (summary.get_attribute("href") or ""))
    assert response.ok
    assert response.headers["content-type"] == "application/pdf"
    with page.expect_download() as download_info:
        summary.click()
    download = download_info.value
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    assert saved.suffix == ".pdf"
    assert saved.read_bytes().startswith(b"%PDF-")
    text = _pdf_text(saved.read_bytes())
    assert reference in text
    assert finding.reference in text
    assert "Helen Carter" in text

    # 10. In the register, filtering by the CAPA's owner and department finds it, and the filters keep the choice.
    capa = Capa.objects.select_related("owner", "department").get(reference=reference)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="CAPA").click()
    filters = page.get_by_role("form", name="Filter the register")
    filters.get_by_label("Owner").select_option(label=capa.owner.display_name)
    if capa.department:
        filters.get_by_label("Department").select_option(label=capa.department.name)
    filters.get_by_role("button", name="Apply").click()
    expect(page.get_by_role("row").filter(has_text=reference)).to_be_visible()
    expect(filters.get_by_label("Owner")).to_have_value(str(capa.owner.pk))
    if capa.department:
        expect(filters.get_by_label("Department")).to_have_value(str(capa.department.pk))
    _shot(page, "capa-register-filtered.png")
    assert script_errors == []


def test_a_customer_complaint_reported_on_a_phone_is_escalated_to_a_capa(
    page: Page, live_server, production, quality_manager
):
    reporter: Any = UserFactory(
        username="ana.silva",
        password=PASSWORD,
        roles=["employee"],
        first_name="Ana",
        last_name="Silva",
        department=DepartmentFactory(name="Customer service", code="CS"),
    )
    UserFactory(username="line.lead", roles=["employee"], first_name="Marco", last_name="Rossi", department=production)
    clause = Clause.objects.get(number="8.7")
    reply_due = timezone.localdate() + timedelta(days=5)
    typed = {
        "Short title": "Bottles with loose caps delivered to Brightwater Foods",
        "What happened": "Brightwater Foods found 40 bottles with loose caps in order 55120, batch 2024-131.",
        "Where": "Filling line 2",
        "Containment": "Batch 2024-131 on hold in the warehouse; replacement bottles sent.",
        "Customer reference": "BW-COMPLAINT-884",
    }
    script_errors: list[str] = []
    page.on("pageerror", lambda error: script_errors.append(str(error)))
    page.set_viewport_size({"width": 390, "height": 844})

    # 1. Ana, from customer service, reports the complaint from her phone, forgetting to name the customer.
    _sign_in(page, live_server, reporter.username)
    menu = page.get_by_role("button", name="Menu")
    menu.click()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="CAPA").click()
    page.get_by_role("navigation", name="Nonconformity and CAPA").get_by_role("link", name="Nonconformity log").click()
    page.get_by_role("link", name="Report a nonconformity").first.click()
    expect(page.get_by_role("heading", name="Report a nonconformity")).to_be_visible()
    for label, value in typed.items():
        page.get_by_role("textbox", name=label).fill(value)
    page.get_by_role("combobox", name="Source").select_option(label="Customer complaint")
    page.get_by_role("combobox", name="Severity").select_option(label="High")
    page.get_by_role("combobox", name="Department").select_option(label="Production")
    page.get_by_role("combobox", name="Clause").select_option(label=f"8.7 {clause.title}")
    complaint = page.get_by_role("group", name="Customer complaint")
    expect(complaint.get_by_role("textbox", name="Customer", exact=True)).to_have_attribute("aria-required", "true")
    complaint.get_by_label("Reply due").fill(reply_due.isoformat())
    page.get_by_role("button", name="Report").click()

    refusal = "A customer complaint names its customer."
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Nothing was reported yet; everything you entered is kept.")
    expect(alert.get_by_role("link", name="Customer")).to_be_visible()
    customer = page.get_by_role("group", name="Customer complaint").get_by_role("textbox", name="Customer", exact=True)
    expect(customer).to_have_accessible_description(re.compile(re.escape(refusal)))
    expect(page.get_by_text(refusal)).to_be_visible()
    for label, value in typed.items():
        expect(page.get_by_role("textbox", name=label)).to_have_value(value)
    expect(page.get_by_role("combobox", name="Source").locator("option:checked")).to_have_text("Customer complaint")
    expect(page.get_by_role("combobox", name="Severity").locator("option:checked")).to_have_text("High")
    expect(page.get_by_role("combobox", name="Department").locator("option:checked")).to_have_text("Production")
    expect(page.get_by_role("combobox", name="Clause").locator("option:checked")).to_have_text(f"8.7 {clause.title}")
    expect(page.get_by_label("Reply due")).to_have_value(reply_due.isoformat())
    assert not Nonconformity.objects.exists()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    _shot(page, "nc-report-refused-phone.png")

    # The link in the summary takes her to the field; she names the customer and reports it.
    alert.get_by_role("link", name="Customer").click()
    expect(customer).to_be_focused()
    customer.fill("Brightwater Foods")
    page.get_by_role("button", name="Report").click()
    expect(_message(page)).to_have_text("Reported NC-0001. The quality managers were told and will triage it.")
    expect(page.get_by_role("heading", name=f"NC-0001 {typed['Short title']}")).to_be_visible()
    what = _region(page, "What happened")
    expect(what).to_contain_text("Brightwater Foods (their reference BW-COMPLAINT-884)")
    expect(what).to_contain_text(reply_due.isoformat())
    expect(_region(page, "Triage")).to_contain_text("Waiting for a quality manager to triage it.")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    _shot(page, "nc-reported-phone.png")
    _sign_out(page, reporter)

    # 2. Helen sees it among the entries to triage and escalates it to a CAPA owned by Marco, the line lead.
    _sign_in(page, live_server, quality_manager.username)
    _region(page, "Nonconformities to triage").get_by_role("link", name=f"NC-0001 {typed['Short title']}").click()
    triage = _region(page, "Triage")
    triage.get_by_text("Escalate to a CAPA", exact=True).click()
    triage.get_by_role("combobox", name="Owner").select_option(label="Marco Rossi (Production)")
    expect(triage.get_by_role("combobox", name="Kind").locator("option:checked")).to_have_text("Corrective")
    triage.get_by_role("button", name="Open the CAPA").click()

    expect(_message(page)).to_have_text("Escalated to CAPA-0001; Marco Rossi was told.")
    expect(page.get_by_role("heading", name=f"CAPA-0001 NC-0001: {typed['Short title']}")).to_be_visible()
    expect(page.locator(".lead")).to_contain_text("Corrective · Customer complaint · owned by Marco Rossi")
    expect(_region(page, "Problem")).to_contain_text("Customer: Brightwater Foods")
    expect(_region(page, "Problem")).to_contain_text(typed["Containment"])
    expect(_region(page, "Timeline").get_by_role("link", name="Nonconformity NC-0001 reported")).to_be_visible()
    expect(_region(page, "About").get_by_role("link", name="NC-0001")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    _shot(page, "nc-escalated-phone.png")
    _region(page, "About").get_by_role("link", name="NC-0001").click()
    expect(_region(page, "Triage")).to_contain_text("Escalated by Helen Carter")
    expect(_region(page, "Triage").get_by_role("link", name="CAPA-0001")).to_be_visible()
    assert Nonconformity.objects.get().status == Nonconformity.Status.ESCALATED
    assert script_errors == []
