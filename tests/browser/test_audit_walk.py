"""Browser: an internal audit in Chromium, from planning it to the report, as its lead auditor.

One walk through the real pages: the lead auditor plans an audit of Production (after the independence rule refuses
an auditor from Production, with nothing typed lost), starts it, answers the checklist with the result buttons and
notes (autosaved through HTMX, no save button), records the nonconforming answer as a finding, generates the report
and downloads the PDF, finishes fieldwork, and finds that the audit cannot close while its nonconformity has no CAPA.
Three smaller tests guard the notes typed in the audit room: kept in the browser while the connection is down and
saved once it is back, not lost when typed while a result is being saved, and left in the box when the server refuses
them. Screenshots of each step of the walk go to test-results/.
"""

import io
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Locator, Page, expect
from pypdf import PdfReader

from audits import services
from audits.models import Audit, ChecklistItem
from qms.models import Clause
from tests.browser.test_login_dashboard import SCREENSHOTS, _sign_in
from tests.conftest import PASSWORD
from tests.qms.factories import DepartmentFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TITLE = "Production control"
SCOPE = "Filling lines 1 and 2, all shifts"
CONFORMING_NOTES = "Work instructions posted at each station; batch records 2024-117 to 2024-121 signed."
NONCONFORMING_NOTES = "Rejected bottles from line 2 stored next to released stock, without a hold label."
CONCLUSION = "Production is controlled; the segregation of nonconforming output needs a CAPA."


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


def _shot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=SCREENSHOTS / name, full_page=True)


def _status_pill(page: Page) -> Locator:
    return page.locator(".lead .pill")


def _message(page: Page) -> Locator:
    """The one-time message at the top of the page (the checklist's save states are status regions too)."""
    return page.locator(".messages").get_by_role("status")


def _question(page: Page, number: int) -> Locator:
    """One checklist question: a list item of the checklist, found by the group of its result buttons."""
    checklist = page.get_by_role("region", name=re.compile(r"^Checklist"))
    return checklist.get_by_role("listitem").filter(has=page.get_by_role("group", name=f"Result of question {number}"))


def _answer(page: Page, number: int, result: str, notes: str) -> None:
    """Pick a result and write the notes; each saves by itself (no button), and the question says so."""
    question = _question(page, number)
    with page.expect_response(lambda response: response.request.method == "POST" and "/checklist/" in response.url):
        question.get_by_role("radio", name=result, exact=True).check()
    expect(question.get_by_role("status")).to_have_text("Saved")
    with page.expect_response(lambda response: response.request.method == "POST" and "/checklist/" in response.url):
        question.get_by_role("textbox", name=f"Notes and evidence for question {number}").fill(notes)
    expect(question.get_by_role("status")).to_have_text("Saved")


def _pdf_text(path: Path) -> str:
    text = " ".join(sheet.extract_text() or "" for sheet in PdfReader(io.BytesIO(path.read_bytes())).pages)
    return re.sub(r"\s+", " ", text)


def test_a_lead_auditor_plans_runs_and_reports_an_audit(page: Page, live_server, lead, auditee, production, tmp_path):
    insider = UserFactory(
        username="tom.becker",
        roles=["auditor", "employee"],
        first_name="Tom",
        last_name="Becker",
        department=production,
    )
    clauses = {number: str(Clause.objects.get(number=number)) for number in ("8.5.1", "8.7")}
    start = timezone.localdate() + timedelta(days=7)
    end = start + timedelta(days=1)
    reference = f"IA-{start.year}-001"
    script_errors: list[str] = []
    page.on("pageerror", lambda error: script_errors.append(str(error)))

    # 1. The lead auditor plans the audit of Production against two clauses, first with Tom from Production on the
    # team: the independence rule refuses him by name, next to the team, and everything typed is still there.
    _sign_in(page, live_server, lead.username)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Audits").click()
    expect(page.get_by_role("heading", name=f"Audit programme {timezone.localdate().year}")).to_be_visible()
    page.get_by_role("link", name="Plan an audit").click()
    expect(page.get_by_role("heading", name="Plan an audit")).to_be_visible()
    page.get_by_role("textbox", name="Title").fill(TITLE)
    page.get_by_role("textbox", name="Scope").fill(SCOPE)
    page.get_by_role("combobox", name="Department").select_option(label="Production")
    page.get_by_role("listbox", name="Clauses").select_option(label=list(clauses.values()))
    page.get_by_role("combobox", name="Lead auditor").select_option(label=lead.display_name)
    team = page.get_by_role("group", name="Team")
    team.get_by_role("checkbox", name="Tom Becker (Production)").check()
    page.get_by_role("listbox", name="Auditees").select_option(label="Marco Rossi (Production)")
    page.get_by_label("Planned start").fill(start.isoformat())
    page.get_by_label("Planned end").fill(end.isoformat())
    page.get_by_role("button", name="Plan the audit").click()

    refusal = "Tom Becker belongs to Production, the audited department: an auditor never audits their own department."
    expect(page.get_by_role("alert")).to_contain_text("The audit is not planned yet; everything you entered is kept.")
    expect(page.get_by_role("alert").get_by_role("link", name="Team")).to_be_visible()
    expect(team).to_have_accessible_description(re.compile(re.escape(refusal)))
    expect(page.get_by_text(refusal)).to_be_visible()
    expect(page.get_by_role("textbox", name="Title")).to_have_value(TITLE)
    expect(page.get_by_role("textbox", name="Scope")).to_have_value(SCOPE)
    expect(page.get_by_role("combobox", name="Department").locator("option:checked")).to_have_text("Production")
    expect(page.get_by_role("listbox", name="Clauses").locator("option:checked")).to_have_text(list(clauses.values()))
    expect(page.get_by_role("combobox", name="Lead auditor").locator("option:checked")).to_have_text(lead.display_name)
    expect(team.get_by_role("checkbox", name="Tom Becker (Production)")).to_be_checked()
    expect(page.get_by_role("listbox", name="Auditees").locator("option:checked")).to_have_text(
        "Marco Rossi (Production)"
    )
    expect(page.get_by_label("Planned start")).to_have_value(start.isoformat())
    expect(page.get_by_label("Planned end")).to_have_value(end.isoformat())
    assert not Audit.objects.exists()
    _shot(page, "audit-plan.png")

    team.get_by_role("checkbox", name="Tom Becker (Production)").uncheck()
    page.get_by_role("button", name="Plan the audit").click()
    expect(page.get_by_role("heading", name=f"{reference} {TITLE}")).to_be_visible()
    expect(_message(page)).to_have_text(f"Planned {reference}. Its checklist is drafted from the clauses.")
    expect(_status_pill(page)).to_have_text("Planned")
    checklist = page.get_by_role("region", name=re.compile(r"^Checklist"))
    expect(checklist.get_by_role("heading")).to_have_text("Checklist 0 of 2 answered")
    expect(checklist.locator("ol.checklist > li")).to_have_count(2)
    expect(_question(page, 1)).to_contain_text(f"How does the organisation meet {clauses['8.5.1']}?")
    expect(_question(page, 2)).to_contain_text(f"How does the organisation meet {clauses['8.7']}?")
    audit_url = page.url
    assert insider.pk not in Audit.objects.get().team.values_list("pk", flat=True)

    # 2. The audit starts.
    page.get_by_role("button", name="Start the audit").click()
    expect(_message(page)).to_have_text("The audit has started.")
    expect(_status_pill(page)).to_have_text("In progress")

    # 3. The checklist is answered with the result buttons and notes; each answer saves itself through HTMX, without
    # a page load or a save button, and is still there after a reload.
    page.evaluate("window.__notReloaded = true")
    _answer(page, 1, "Conforming", CONFORMING_NOTES)
    expect(checklist.get_by_role("heading")).to_have_text("Checklist 1 of 2 answered")
    _answer(page, 2, "Nonconforming", NONCONFORMING_NOTES)
    expect(checklist.get_by_role("heading")).to_have_text("Checklist 2 of 2 answered")
    expect(_question(page, 2).get_by_role("button", name="Record as a finding")).to_be_visible()
    assert page.evaluate("window.__notReloaded") is True
    assert page.evaluate("Object.keys(window.localStorage)") == []
    _shot(page, "audit-checklist.png")
    page.reload()
    expect(checklist.get_by_role("heading")).to_have_text("Checklist 2 of 2 answered")
    expect(_question(page, 1).get_by_role("radio", name="Conforming", exact=True)).to_be_checked()
    expect(_question(page, 1).get_by_role("textbox")).to_have_value(CONFORMING_NOTES)
    expect(_question(page, 2).get_by_role("radio", name="Nonconforming")).to_be_checked()
    expect(_question(page, 2).get_by_role("textbox")).to_have_value(NONCONFORMING_NOTES)
    assert list(ChecklistItem.objects.order_by("order").values_list("result", "notes")) == [
        ("conforming", CONFORMING_NOTES),
        ("nonconforming", NONCONFORMING_NOTES),
    ]

    # 4. The nonconforming answer becomes a minor nonconformity in one step; it needs a CAPA before the audit closes.
    nonconforming = _question(page, 2)
    expect(nonconforming.get_by_role("button", name="Record as a finding")).to_be_visible()
    expect(_question(page, 1).get_by_role("button", name="Record as a finding")).to_have_count(0)
    nonconforming.get_by_role("combobox", name="Finding type").select_option(label="Minor nonconformity")
    nonconforming.get_by_role("button", name="Record as a finding").click()
    finding = f"{reference}-F01"
    expect(_message(page)).to_have_text(f"Recorded {finding} from checklist question 2.")
    expect(_question(page, 2).get_by_role("link", name=finding)).to_be_visible()
    findings = page.get_by_role("region", name=re.compile(r"^Findings"))
    entry = findings.get_by_role("listitem").filter(has_text=finding)
    expect(entry).to_contain_text("Minor nonconformity")
    expect(entry).to_contain_text(NONCONFORMING_NOTES)
    expect(entry).to_contain_text("Needs a CAPA before the audit can close")
    _shot(page, "audit-finding.png")

    # 5. The report: its progress bar reaches 100% and offers the PDF, which carries the finding and page numbers.
    # (Celery runs in-process here, so the job may be done by the first answer; what is checked is where it ends.)
    reports = page.get_by_role("region", name=re.compile(r"^Reports"))
    reports.get_by_role("button", name="Generate the report").click()
    job = reports.locator(".job")
    bar = job.get_by_role("progressbar", name="Audit report")
    expect(bar).to_be_visible()
    expect(bar).to_have_attribute("value", "100")
    expect(job.get_by_role("status")).to_have_text(f"Audit report ready: {reference}-report-v1.pdf.")
    download_link = job.get_by_role("link", name=f"Download {reference}-report-v1.pdf")
    expect(download_link).to_be_visible()
    _shot(page, "audit-report.png")
    with page.expect_download() as download_info:
        download_link.click()
    download = download_info.value
    assert download.suggested_filename == f"{reference}-report-v1.pdf"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    assert saved.read_bytes().startswith(b"%PDF-")
    text = _pdf_text(saved)
    assert NONCONFORMING_NOTES in text
    assert finding in text
    assert "Page 1 of" in text
    page.reload()
    expect(reports.get_by_role("link", name="Version 1 of the report (PDF)")).to_be_visible()

    # 6. Fieldwork ends with the conclusion; the audit is in reporting, and it cannot close while its nonconformity
    # has no CAPA: the close section says so before anyone signs, and the refusal names the finding.
    page.get_by_role("region", name="Finish fieldwork").get_by_role("textbox", name="Conclusion").fill(CONCLUSION)
    page.get_by_role("button", name="Move to reporting").click()
    expect(_message(page)).to_have_text("Fieldwork finished: the audit is in reporting.")
    expect(_status_pill(page)).to_have_text("Reporting")
    expect(page.get_by_role("region", name="Finish fieldwork")).to_have_count(0)
    closing = page.get_by_role("region", name="Close the audit")
    expect(closing).to_contain_text("Every nonconformity needs a CAPA")
    expect(closing).to_contain_text(f"{finding} has no CAPA yet: the audit cannot close until one is raised for it.")
    closing.get_by_role("textbox", name="Password").fill(PASSWORD)
    closing.get_by_role("button", name="Sign: closed").click()
    closing = page.get_by_role("region", name="Close the audit")
    expect(closing.get_by_role("alert")).to_have_text(
        f"These nonconformities have no CAPA yet: {finding}. Raise one for each before closing."
    )
    expect(_status_pill(page)).to_have_text("Reporting")
    assert Audit.objects.get().status == Audit.Status.REPORTING
    assert page.url == f"{audit_url}close/"
    _shot(page, "audit-close.png")

    # The programme lists the audit among those the lead auditor leads, and ticks its clauses in the coverage matrix.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Audits").click()
    page.get_by_role("navigation", name="Programme year").get_by_role("link", name=str(start.year)).click()
    mine = page.get_by_role("region", name="Audits you lead")
    expect(mine.get_by_role("link", name=f"{reference} {TITLE}")).to_be_visible()
    expect(mine).to_contain_text("Reporting")
    coverage = page.get_by_role("region", name=re.compile(r"^Coverage of ISO 9001"))
    for number in clauses:
        row = coverage.get_by_role("row").filter(has=page.get_by_role("rowheader", name=re.compile(rf"^{number} ")))
        expect(row.get_by_role("cell", name="covered")).to_have_count(1)
    expect(coverage.get_by_role("cell", name="covered")).to_have_count(2)
    _shot(page, "audit-programme.png")
    assert script_errors == []


def _audit_in_progress(lead, auditee, production) -> Audit:
    start = timezone.localdate()
    audit = services.audit_create(
        actor=lead,
        title=TITLE,
        scope=SCOPE,
        clauses=Clause.objects.filter(number__in=["8.5.1", "8.7"]),
        lead_auditor=lead,
        auditees=[auditee],
        department=production,
        planned_start=start,
        planned_end=start,
    )
    return services.audit_start(actor=lead, audit=audit)


def test_checklist_notes_typed_offline_are_kept_and_saved_when_back_online(
    page: Page, live_server, lead, auditee, production
):
    audit = _audit_in_progress(lead, auditee, production)
    item = audit.checklist_items.order_by("order").first()
    draft_key = f"qms-draft:audit-{audit.pk}-item-{item.pk}"
    _sign_in(page, live_server, lead.username)
    page.goto(f"{live_server.url}{audit.get_absolute_url()}")
    question = _question(page, 1)

    page.context.set_offline(True)
    question.get_by_role("textbox", name="Notes and evidence for question 1").fill(NONCONFORMING_NOTES)
    expect(question.get_by_role("status")).to_contain_text("Not saved: no connection.")
    assert page.evaluate("key => window.localStorage.getItem(key)", draft_key) == NONCONFORMING_NOTES
    item.refresh_from_db()
    assert item.notes == ""

    page.context.set_offline(False)
    page.reload()
    question = _question(page, 1)
    expect(question.get_by_role("textbox", name="Notes and evidence for question 1")).to_have_value(NONCONFORMING_NOTES)
    expect(question.get_by_role("status")).to_have_text("Saved")
    item.refresh_from_db()
    assert item.notes == NONCONFORMING_NOTES
    assert page.evaluate("key => window.localStorage.getItem(key)", draft_key) is None


def test_notes_typed_while_a_result_is_being_saved_are_not_lost(page: Page, live_server, lead, auditee, production):
    audit = _audit_in_progress(lead, auditee, production)
    item = audit.checklist_items.order_by("order").first()
    _sign_in(page, live_server, lead.username)
    page.goto(f"{live_server.url}{audit.get_absolute_url()}")
    question = _question(page, 1)
    held = []
    page.route(re.compile(r"/checklist/\d+/$"), lambda route: held.append(route) if not held else route.continue_())

    # The result's answer is slow to come back (a tablet on the audit room's Wi-Fi); the auditor writes meanwhile.
    with page.expect_request(lambda request: request.method == "POST"):
        question.get_by_role("radio", name="Nonconforming", exact=True).check()
    notes = question.get_by_role("textbox", name="Notes and evidence for question 1")
    notes.fill(NONCONFORMING_NOTES)
    assert len(held) == 1
    # The result's answer replaces the question, textarea included; the notes are put back and sent in turn.
    with page.expect_response(lambda response: "notes=Rejected" in (response.request.post_data or "")):
        held[0].continue_()
    expect(notes).to_have_value(NONCONFORMING_NOTES)
    expect(question.get_by_role("status")).to_have_text("Saved")
    item.refresh_from_db()
    assert (item.result, item.notes) == ("nonconforming", NONCONFORMING_NOTES)
    assert page.evaluate("Object.keys(window.localStorage)") == []
    page.reload()
    expect(notes).to_have_value(NONCONFORMING_NOTES)


def test_notes_the_server_refuses_stay_in_the_box_with_the_reason(page: Page, live_server, lead, auditee, production):
    audit = _audit_in_progress(lead, auditee, production)
    item = audit.checklist_items.order_by("order").first()
    too_long = "x" * 10001
    _sign_in(page, live_server, lead.username)
    page.goto(f"{live_server.url}{audit.get_absolute_url()}")
    question = _question(page, 1)
    notes = question.get_by_role("textbox", name="Notes and evidence for question 1")
    with page.expect_response(lambda response: response.status == 400):
        notes.fill(too_long)
    expect(question.get_by_role("status")).to_have_text(
        "Not saved: Ensure this value has at most 10000 characters (it has 10001)."
    )
    expect(notes).to_have_value(too_long)
    draft_key = f"qms-draft:audit-{audit.pk}-item-{item.pk}"
    assert page.evaluate("key => window.localStorage.getItem(key)", draft_key) == too_long
    item.refresh_from_db()
    assert item.notes == ""
