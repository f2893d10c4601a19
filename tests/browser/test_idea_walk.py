"""Browser: an improvement idea in Chromium, from a phone to the wins wall.

One walk through the real pages, with four people: an operator suggests an improvement from her phone (the top bar's
"Suggest an improvement" button; a similar idea already on the board is pointed out while she types the title); a
colleague finds it in the register, votes for it (the vote stays after a reload) and comments in Markdown, a script in
his text shown as text and never run; Helen, a quality manager, accepts it on the board from the keyboard with the
card's "Move" control, becoming its champion, and takes it on the idea page through Plan (metric and baseline), Do
(what was tried) and Check (the measured result), where the board refuses to skip to Act before the result is
written, with the reason; in Act she requests a change of the controlled changeover procedure. The procedure's owner
and approver make the new revision effective (through the services); Helen records the measured benefit and the idea
is standardized and on the wins wall. The operator was told of every move. Screenshots of each step go to
test-results/.
"""

import re
from typing import Any

import pytest
from playwright.sync_api import Dialog, Locator, Page, ViewportSize, expect

from documents import services as document_services
from documents.models import Document, DocumentType, Revision
from improvement import services
from improvement.models import Idea
from qms.models import Notification
from tests.browser.test_login_dashboard import SCREENSHOTS, _sign_in
from tests.conftest import PASSWORD
from tests.documents.conftest import _media_in_tmp, make_effective, text_file  # noqa: F401
from tests.qms.factories import DepartmentFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE: ViewportSize = {"width": 390, "height": 844}
DESKTOP: ViewportSize = {"width": 1280, "height": 800}
TITLE = "Quick-release clamps for the filler changeover"
PROBLEM = "A format changeover on filling line 2 takes 50 minutes, most of it undoing 12 bolts on the guide rails."
PROPOSAL = "Swap the bolts on the guide rails for quick-release clamps, and mark each format on the rail."
BENEFIT = "Changeovers under 20 minutes: about 60 hours of line time a year."
COMMENT = "Clamps would be **great**: we lose the most time on the rails. <script>alert(1)</script>"
METRIC = "Changeover time on line 2 (minutes)"
BASELINE = "50"
TARGET = "20"
TRIED = "Clamps fitted on the rails of line 2 for two weeks; 9 changeovers timed by the shift leads."
MEASURED = "18 minutes on average (9 changeovers)"
WHAT_CHANGES = "Steps 4 to 7: open the clamps and slide the rails to the format's mark instead of unbolting them."
SOP_TEXT = "# Format changeover, line 2\n\n4. Unbolt the guide rails (12 bolts).\n"
NEW_SOP_TEXT = "# Format changeover, line 2\n\n4. Open the clamps and slide the rails to the format's mark.\n"


@pytest.fixture
def production(db: None) -> Any:
    return DepartmentFactory(name="Production", code="PROD")


@pytest.fixture
def operator(production) -> Any:
    """The submitter: an operator of filling line 2."""
    return UserFactory(
        username="marta.kowalski",
        password=PASSWORD,
        roles=["employee"],
        first_name="Marta",
        last_name="Kowalski",
        department=production,
    )


@pytest.fixture
def colleague(production) -> Any:
    """The line lead: votes for the idea, and owns the changeover procedure."""
    return UserFactory(
        username="sam.okafor",
        password=PASSWORD,
        roles=["employee"],
        first_name="Sam",
        last_name="Okafor",
        department=production,
    )


@pytest.fixture
def approver(db: None) -> Any:
    return UserFactory(
        username="ann.approver",
        password=PASSWORD,
        roles=["employee"],
        first_name="Ann",
        last_name="Approver",
        department=DepartmentFactory(name="Engineering", code="ENG"),
    )


@pytest.fixture
def changeover_sop(quality_manager, colleague, approver, production) -> Document:
    """The effective changeover procedure of line 2, owned by the line lead."""
    document = document_services.document_create(
        actor=quality_manager,
        document_type=DocumentType.objects.get(code="SOP"),
        title="Format changeover on filling line 2",
        owner=colleague,
        department=production,
        distribution_departments=[production],
    )
    draft = document_services.revision_create(
        actor=colleague, document=document, file=text_file(SOP_TEXT, "changeover.md"), change_summary="First issue"
    )
    make_effective(draft, approver)
    document.refresh_from_db()
    return document


def _shot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=SCREENSHOTS / name, full_page=True)


def _message(page: Page) -> Locator:
    """The one-time message at the top of the page."""
    return page.locator(".messages").get_by_role("status")


def _region(page: Page, heading: str) -> Locator:
    return page.get_by_role("region", name=re.compile(rf"^{re.escape(heading)}"))


def _stage_pill(page: Page) -> Locator:
    return page.locator(".page-head .lead .stage-pill")


def _sign_out(page: Page, user) -> None:
    page.locator("details.account > summary", has_text=user.display_name).click()
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_title("Sign in · QMS")


def _no_sideways_scroll(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def _pdca_stage(page: Page, key: str) -> Locator:
    return _region(page, "Plan, Do, Check, Act").locator(f"#{key}")


def _save_notes(page: Page, stage: str, values: dict[str, str]) -> None:
    """Open the current stage's notes (if folded), type them and save them."""
    section = _pdca_stage(page, stage.lower())
    editor = section.locator("details.notes-editor")
    if editor.get_attribute("open") is None:
        section.get_by_text(f"Write the {stage} notes", exact=True).click()
    for label, value in values.items():
        section.get_by_label(label, exact=True).fill(value)
    section.get_by_role("button", name="Save the notes").click()
    expect(_message(page)).to_have_text(f"Saved the {stage} notes.")


def _move_on(page: Page, reference: str, stage: str) -> None:
    """The next step's button, once nothing is missing."""
    next_step = _region(page, "Next step")
    expect(next_step.get_by_role("heading", name=f"To move to {stage}")).to_be_visible()
    expect(next_step).to_contain_text("Nothing is missing.")
    next_step.get_by_role("button", name=f"Move to {stage}").click()
    expect(_message(page)).to_have_text(f"{reference} moved to {stage}.")
    expect(_stage_pill(page)).to_have_text(stage.capitalize())


def test_an_idea_from_a_phone_to_the_wins_wall(
    page: Page, live_server, operator, colleague, approver, quality_manager, changeover_sop
):
    # Another idea about the filler's changeover is already on the board.
    earlier = services.idea_submit(
        actor=colleague,
        title="Changeover checklist at the filler",
        problem="Parts are forgotten at a changeover and the filler restarts late.",
        proposal="A laminated checklist for each changeover, hung at the filler.",
        category=Idea.Category.TIME,
    )
    reference = "IDEA-0002"
    script_errors: list[str] = []
    dialogs: list[str] = []
    page.on("pageerror", lambda error: script_errors.append(str(error)))

    def _dismiss(dialog: Dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", _dismiss)

    # 1. Marta suggests an improvement from her phone, with the button in the top bar of her dashboard.
    page.set_viewport_size(PHONE)
    _sign_in(page, live_server, operator.username)
    _no_sideways_scroll(page)
    page.get_by_role("banner").get_by_role("link", name="Suggest an improvement").click()
    expect(page.get_by_role("heading", name="Suggest an improvement", level=1)).to_be_visible()
    # htmx is a deferred script: until the page has loaded, typing in the title would not ask for similar ideas.
    page.wait_for_load_state("load")
    title = page.get_by_role("textbox", name="Title")
    expect(title).to_have_accessible_description(re.compile("One line, as it would appear on the board"))
    title.fill(TITLE)
    # While she types, the idea already on the board that sounds like hers is pointed out next to the title.
    hint = page.locator("#similar-hint")
    expect(hint.get_by_role("link", name="1 similar idea already on the board")).to_be_visible()
    expect(hint).to_contain_text("vote instead of duplicating?")
    similar = page.get_by_role("complementary", name="Similar ideas")
    expect(similar.get_by_role("link", name=f"{earlier.reference} {earlier.title}")).to_be_visible()
    expect(similar.get_by_role("button", name=f"Vote for {earlier.reference}")).to_be_visible()
    # It is about a checklist, not her clamps: she goes on with her own.
    page.get_by_role("textbox", name="What is the problem today?").fill(PROBLEM)
    page.get_by_role("textbox", name="What do you suggest?").fill(PROPOSAL)
    page.get_by_role("textbox", name=re.compile(r"^What would it bring\?")).fill(BENEFIT)
    page.get_by_role("combobox", name="Category").select_option(label="Time")
    expect(page.get_by_role("combobox", name=re.compile(r"^Department")).locator("option:checked")).to_have_text(
        "Production"
    )
    expect(similar.get_by_role("link", name=f"{earlier.reference} {earlier.title}")).to_be_visible()
    _no_sideways_scroll(page)
    _shot(page, "idea-submit-phone.png")
    page.get_by_role("button", name="Submit the idea").click()

    expect(page.get_by_role("heading", name=f"{reference} {TITLE}", level=1)).to_be_visible()
    expect(_message(page)).to_have_text(f"Thank you! {reference} is on the board. You will be told when it moves.")
    expect(_stage_pill(page)).to_have_text("Submitted")
    expect(page.locator(".page-head .lead")).to_contain_text("Time · submitted by Marta Kowalski")
    stepper = page.get_by_role("list", name="Progress of the idea")
    expect(stepper.locator("[aria-current=step]")).to_contain_text("Submitted")
    the_idea = _region(page, "The idea")
    for text in (PROBLEM, PROPOSAL, BENEFIT):
        expect(the_idea).to_contain_text(text)
    expect(_region(page, "Next step")).to_contain_text("Nothing is missing: a quality manager decides.")
    expect(_region(page, "Next step").get_by_role("button")).to_have_count(0)
    _no_sideways_scroll(page)
    idea_url = page.url
    idea = Idea.objects.get(reference=reference)
    assert (idea.submitter, idea.stage, idea.category) == (operator, Idea.Stage.SUBMITTED, Idea.Category.TIME)
    _sign_out(page, operator)

    # 2. Sam, the line lead, finds it in the register, votes for it; his vote is still there after a reload.
    page.set_viewport_size(DESKTOP)
    _sign_in(page, live_server, colleague.username)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Improvement").click()
    expect(page.get_by_role("heading", name="Improvement board")).to_be_visible()
    page.get_by_role("navigation", name="Continual improvement").get_by_role("link", name="All ideas").click()
    row = page.get_by_role("row").filter(has_text=reference)
    expect(row).to_contain_text("Marta Kowalski")
    row.get_by_role("link", name=reference).click()
    assert page.url == idea_url
    support = page.locator(".page-head .support")
    expect(support).to_contain_text("0 votes")
    support.get_by_role("button", name=f"Vote for {reference}").click()
    expect(support).to_contain_text("1 vote")
    expect(support).to_contain_text("You voted")
    expect(support.get_by_role("button", name=f"Withdraw my vote for {reference}")).to_be_visible()
    page.reload()
    support = page.locator(".page-head .support")
    expect(support).to_contain_text("1 vote")
    expect(support.get_by_role("button", name=f"Withdraw my vote for {reference}")).to_be_visible()
    expect(support.get_by_role("button", name=f"Vote for {reference}", exact=True)).to_have_count(0)

    # His comment is Markdown: the bold shows bold; the script he pasted is shown as text and does not run.
    comments = _region(page, "Comments")
    comments.get_by_role("textbox", name="Comment").fill(COMMENT)
    comments.get_by_role("button", name="Comment", exact=True).click()
    expect(_message(page)).to_have_text("Comment added.")
    comments = _region(page, "Comments")
    expect(comments.get_by_role("heading")).to_have_text("Comments 1")
    entry = comments.get_by_role("listitem").first
    expect(entry).to_contain_text("Sam Okafor")
    expect(entry.locator("strong", has_text="great")).to_be_visible()
    expect(entry).to_contain_text("<script>alert(1)</script>")
    expect(entry.locator("script")).to_have_count(0)
    expect(entry).not_to_contain_text("**")
    _shot(page, "idea-voted.png")
    _sign_out(page, colleague)

    # 3. Helen, a quality manager, accepts it on the board from the keyboard: the card's "Move" control opens with
    # Enter, the stages it may go to are listed, and accepting makes her the champion.
    _sign_in(page, live_server, quality_manager.username)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Improvement").click()
    submitted = _region(page, "Submitted")
    card = submitted.get_by_role("listitem").filter(has_text=reference)
    expect(card).to_contain_text("1 vote")
    move = card.get_by_text(f"Move {reference} …")
    move.focus()
    page.keyboard.press("Enter")
    move_to = card.get_by_role("combobox", name="Move to")
    expect(move_to).to_be_visible()
    expect(move_to.locator("option")).to_have_text(
        ["Accepted (you become its champion)", "Rejected (say why in the note)", "Parked (say why in the note)"]
    )
    move_to.focus()
    move_to.select_option(label="Accepted (you become its champion)")
    card.get_by_role("button", name=f"Move {reference}").focus()
    page.keyboard.press("Enter")
    expect(_message(page)).to_have_text(f"{reference} accepted; Helen Carter is its champion.")
    expect(page.get_by_role("heading", name="Improvement board")).to_be_visible()
    card = _region(page, "Accepted").get_by_role("listitem").filter(has_text=reference)
    expect(card).to_contain_text("Champion Helen Carter")
    expect(_region(page, "Submitted").get_by_role("listitem").filter(has_text=reference)).to_have_count(0)
    _shot(page, "idea-board.png")

    # 4. On the idea page: to Plan, where the metric and its baseline are written before Do.
    card.get_by_role("link", name=TITLE).click()
    assert page.url == idea_url
    expect(_stage_pill(page)).to_have_text("Accepted")
    expect(page.locator(".page-head .lead")).to_contain_text("champion Helen Carter")
    _move_on(page, reference, "plan")
    next_step = _region(page, "Next step")
    blocker = "Plan: name the metric to improve and its baseline today."
    expect(next_step.get_by_role("listitem")).to_have_text([blocker])
    to_do = next_step.get_by_role("button", name="Move to do")
    expect(to_do).to_be_disabled()
    expect(to_do).to_have_accessible_description(blocker)
    _save_notes(page, "Plan", {"Target metric": METRIC, "Baseline": BASELINE, "Target": TARGET})
    plan = _pdca_stage(page, "plan")
    expect(plan).to_contain_text(METRIC)
    expect(plan.locator("dl.facts dd")).to_have_text([METRIC, BASELINE, TARGET])

    # Do: what was tried.
    _move_on(page, reference, "do")
    expect(_region(page, "Next step").get_by_role("button", name="Move to check")).to_be_disabled()
    _save_notes(page, "Do", {"What was tried": TRIED})
    expect(_pdca_stage(page, "do")).to_contain_text(TRIED)

    # Check: before the result is written, the idea page holds the move back and says why; the board's "Move"
    # control offers Act, but moving there is refused with the same reason, and the idea stays in Check.
    _move_on(page, reference, "check")
    check_blocker = "Check: record the measured result against the target."
    to_act = _region(page, "Next step").get_by_role("button", name="Move to act")
    expect(to_act).to_be_disabled()
    expect(to_act).to_have_accessible_description(check_blocker)
    page.get_by_role("link", name="Improvement board").click()
    card = _region(page, "Check").get_by_role("listitem").filter(has_text=reference)
    card.get_by_text(f"Move {reference} …").click()
    card.get_by_role("combobox", name="Move to").select_option(label="Act")
    card.get_by_role("button", name=f"Move {reference}").click()
    refusal = page.locator(".messages").get_by_role("alert")
    expect(refusal).to_have_text(f"{reference} was not moved: {check_blocker}")
    expect(_region(page, "Check").get_by_role("listitem").filter(has_text=reference)).to_be_visible()
    assert Idea.objects.get(reference=reference).stage == Idea.Stage.CHECK
    _region(page, "Check").get_by_role("link", name=TITLE).click()
    _save_notes(page, "Check", {"Measured result": MEASURED})
    expect(_pdca_stage(page, "check")).to_contain_text(MEASURED)

    # Act: the change becomes the standard through the changeover procedure: a change request opens on it.
    _move_on(page, reference, "act")
    act = _pdca_stage(page, "act")
    act.get_by_text("Request a document change", exact=True).click()
    act.get_by_role("combobox", name="Document").select_option(label=str(changeover_sop))
    act.get_by_role("textbox", name="What should change").fill(WHAT_CHANGES)
    act.get_by_role("button", name="Request the change").click()
    expect(_message(page)).to_have_text(
        f"Change requested on {changeover_sop.number}. {reference} can be standardized once the new revision is "
        "effective."
    )
    act = _pdca_stage(page, "act")
    expect(act.get_by_role("link", name=changeover_sop.number)).to_be_visible()
    expect(act).to_contain_text(f"{changeover_sop.title}: change request open")
    expect(act.get_by_text("Request a document change", exact=True)).to_have_count(0)
    next_step = _region(page, "Next step")
    expect(next_step.get_by_role("listitem")).to_have_text(
        ["Act: the document change is not effective yet.", "Record the measured benefit (amount and unit)."]
    )
    expect(next_step.get_by_role("button", name="Move to standardized")).to_be_disabled()
    _shot(page, "idea-act.png")

    # 5. Sam, the procedure's owner, accepts the request and rewrites the steps; Ann approves; the revision is in force.
    idea = Idea.objects.select_related("change_request").get(reference=reference)
    change_request = idea.change_request
    assert change_request is not None
    assert change_request.reason == f"{reference}: {WHAT_CHANGES}"
    change_request = document_services.change_request_accept(actor=colleague, change_request=change_request)
    revision = change_request.revision
    assert revision is not None
    document_services.revision_replace_file(
        actor=colleague, revision=revision, file=text_file(NEW_SOP_TEXT, "changeover.md"), change_summary=WHAT_CHANGES
    )
    document_services.revision_submit(actor=colleague, revision=revision, approvers=[approver])
    document_services.revision_approve(actor=approver, revision=revision, password=PASSWORD, comment="Clamps it is")
    revision.refresh_from_db()
    assert revision.status == Revision.Status.EFFECTIVE

    # Helen reloads: the change is effective; she records the measured benefit and standardizes the idea.
    page.reload()
    act = _pdca_stage(page, "act")
    expect(act.get_by_role("link", name=f"revision {revision.revision}")).to_be_visible()
    expect(act).to_contain_text("change request accepted")
    expect(act.locator(".pill-ok", has_text="effective")).to_be_visible()
    expect(_region(page, "Next step").get_by_role("listitem")).to_have_text(
        ["Record the measured benefit (amount and unit)."]
    )
    act.get_by_label("Act notes", exact=True).fill("Clamps on every rail of line 2; the changeover SOP says so.")
    act.get_by_role("combobox", name="Measured benefit: unit").select_option(label="Hours saved per year")
    _save_notes(
        page,
        "Act",
        {
            "Measured benefit: amount": "64",
            "How the benefit was measured": "32 minutes saved on each of 120 changeovers a year",
        },
    )
    expect(_pdca_stage(page, "act")).to_contain_text("64 hours saved per year")
    next_step = _region(page, "Next step")
    next_step.get_by_role("textbox", name=re.compile(r"^Note")).fill("In SOP rev. 2; trained on all shifts.")
    _move_on(page, reference, "standardized")
    expect(page.get_by_text("this is now the way the work is done.")).to_be_visible()
    steps = stepper.get_by_role("listitem")
    expect(steps).to_have_count(7)
    for step in steps.all():
        expect(step).to_contain_text("(done)")
    expect(_region(page, "Next step")).to_have_count(0)
    expect(page.get_by_text("Voting is closed: the idea is standardized.")).to_be_visible()
    moves = _region(page, "Moves").get_by_role("listitem")
    expect(moves).to_have_count(6)
    expect(moves.last).to_contain_text("Act → Standardized")
    expect(moves.last).to_contain_text("In SOP rev. 2; trained on all shifts.")
    _shot(page, "idea-standardized.png")

    # The wins wall shows it, with its benefit and who made it happen.
    page.get_by_role("navigation", name="Breadcrumb").get_by_role("link", name="Improvement board").click()
    expect(_region(page, "Standardized").get_by_role("listitem").filter(has_text=reference)).to_be_visible()
    page.get_by_role("navigation", name="Continual improvement").get_by_role("link", name="Wins").click()
    expect(page.get_by_role("heading", name="Wins", level=1)).to_be_visible()
    win = page.get_by_role("article", name=f"{reference} {TITLE}")
    expect(win).to_contain_text("64 hours saved per year")
    expect(win).to_contain_text(f"{METRIC}: {BASELINE} → {MEASURED}")
    expect(win).to_contain_text("Marta Kowalski")
    expect(win).to_contain_text("Helen Carter")
    expect(_region(page, "Measured benefits, all wins together")).to_contain_text("64 hours saved per year")
    _shot(page, "idea-wins.png")
    _sign_out(page, quality_manager)

    # 6. Marta, on her phone, was told of every move: the bell counts them, the notifications list them.
    page.set_viewport_size(PHONE)
    _sign_in(page, live_server, operator.username)
    unread = Notification.objects.filter(recipient=operator, read_at__isnull=True).count()
    moved = [
        f"{reference} moved to {stage}: {TITLE}" for stage in ("accepted", "plan", "do", "check", "act", "standardized")
    ]
    assert unread >= len(moved)
    bell = page.get_by_role("link", name=f"Notifications, {unread} unread")
    expect(bell).to_be_visible()
    bell.click()
    expect(page.get_by_role("heading", name="Notifications")).to_be_visible()
    for subject in moved:
        expect(page.get_by_role("link", name=subject, exact=True)).to_be_visible()
    expect(page.get_by_role("link", name=f"{reference}: the document change is effective")).to_be_visible()
    _no_sideways_scroll(page)
    page.get_by_role("link", name=moved[-1], exact=True).click()
    expect(page.get_by_role("heading", name=f"{reference} {TITLE}", level=1)).to_be_visible()
    expect(_stage_pill(page)).to_have_text("Standardized")
    _no_sideways_scroll(page)

    assert script_errors == []
    assert dialogs == []
