"""Browser pages of ideas: who may open what, submitting (with similar ideas and files), the board and its moves,
the register and its export, the idea page with votes, comments, notes and the document change of Act, and an
anonymous idea that names nobody on any page."""

from __future__ import annotations

import csv
import io
import json
import sys

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from documents import services as document_services
from improvement import services
from improvement.models import Attachment, Comment, Idea, Vote, Watch
from qms.models import User
from tests.conftest import PASSWORD
from tests.documents.conftest import make_effective
from tests.improvement.conftest import move
from tests.qms.factories import DepartmentFactory, UserFactory

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
# The queries of the board and of the register, whatever the number of ideas (pinned at 1 and at 20): the session,
# the user and their roles, the unread count of the top bar, the departments of the filter, one query for the ideas
# (the register adds its paginator's count).
BOARD_QUERIES = 7
REGISTER_QUERIES = 7
QM, AUD, EMP, EXT, NONE = "quality_manager", "auditor", "employee", "external_auditor", "outsider"


def _page(client, user, url, status=200):
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    return response.content.decode()


def _idea(actor, title="Colour-coded hold labels", **fields):
    defaults = {
        "problem": "Rejected pallets look like released ones.",
        "proposal": "Print hold labels on red paper and add a red floor zone for rejects.",
    }
    return services.idea_submit(actor=actor, title=title, **(defaults | fields))


def _submission(**fields):
    return {
        "title": "Label the spare fuses",
        "problem": "Nobody finds the right fuse during a stop.",
        "proposal": "Colour-code the fuse drawer by rating.",
        "expected_benefit": "Shorter stops",
        "category": "time",
        "department": "",
        **fields,
    }


# --- Who may open what ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "allowed"),
    [
        ("/improvement/board/", {QM, AUD, EMP, EXT}),
        ("/improvement/ideas/", {QM, AUD, EMP, EXT}),
        ("/improvement/ideas/export.csv", {QM, AUD, EMP, EXT}),
        ("/improvement/ideas/new/", {QM, AUD, EMP}),
        ("/improvement/ideas/similar/?q=hold+labels+paper", {QM, AUD, EMP}),
        # An idea still in progress is open to the staff; external auditors see decided ideas only.
        ("/improvement/ideas/{idea}/", {QM, AUD, EMP}),
        ("/improvement/ideas/{idea}/history/", {QM, AUD, EMP}),
        ("/improvement/ideas/{idea}/attachments/{file}/", {QM, AUD, EMP}),
    ],
)
def test_who_may_open_each_idea_page(client, personas, employee, path, allowed):
    idea = _idea(employee, files=[SimpleUploadedFile("pallet.png", PNG, content_type="image/png")])
    url = path.format(idea=idea.pk, file=idea.attachments.get().pk)
    for role, user in personas.items():
        client.force_login(user)
        status = client.get(url).status_code
        assert (status == 200) == (role in allowed), (role, url, status)
        if role not in allowed:
            # A role without the right: refused. With a role but not seeing the idea: not found.
            assert status == (404 if role == EXT and "{idea}" in path else 403), (role, url, status)


def test_the_module_home_is_the_board(client, employee):
    page = _page(client, employee, "/improvement/")
    assert "<h1>Improvement board</h1>" in page and 'href="/improvement/board/" aria-current="page"' in page


def test_an_external_auditor_reads_a_decided_idea_and_is_offered_nothing(
    client, employee, quality_manager, external_auditor
):
    idea = _idea(employee)
    services.idea_advance(actor=quality_manager, idea=idea, to="rejected", note="Labels are being replaced by RFID.")
    page = _page(client, external_auditor, f"/improvement/ideas/{idea.pk}/")
    assert "Labels are being replaced by RFID." in page
    assert "Suggest an improvement" not in page and "Comment</button>" not in page and ">Vote<" not in page
    assert idea.reference in _page(client, external_auditor, "/improvement/board/")


def test_the_top_bar_offers_suggesting_an_improvement_to_staff_only(client, employee, external_auditor):
    assert 'href="/improvement/ideas/new/">Suggest an improvement' in _page(client, employee, "/")
    assert "Suggest an improvement" not in _page(client, external_auditor, "/")


# --- Submitting -----------------------------------------------------------------------------------------------------


def test_an_employee_submits_an_idea_with_photos(client, employee, quality_manager):
    client.force_login(employee)
    files = [
        SimpleUploadedFile("drawer.png", PNG, content_type="image/png"),
        SimpleUploadedFile("notes.txt", b"Rating chart attached", content_type="text/plain"),
    ]
    response = client.post("/improvement/ideas/new/", _submission(file=files), follow=True)
    idea = Idea.objects.get()
    assert response.redirect_chain == [(idea.get_absolute_url(), 302)]
    page = response.content.decode()
    assert f"Thank you! {idea.reference} is on the board" in page
    assert (idea.submitter, idea.department, idea.category) == (employee, employee.department, "time")
    assert sorted(Attachment.objects.values_list("original_filename", flat=True)) == ["drawer.png", "notes.txt"]
    assert "drawer.png" in page and "Label the spare fuses" in page
    assert Watch.objects.filter(idea=idea, user=employee).exists()
    download = client.get(
        f"/improvement/ideas/{idea.pk}/attachments/{idea.attachments.get(content_type='image/png').pk}/"
    )
    assert download["Content-Disposition"].startswith('attachment; filename="drawer.png"')
    assert download["X-Content-Type-Options"] == "nosniff"
    assert b"".join(download.streaming_content) == PNG


def test_the_submit_form_defaults_to_the_users_department_and_works_on_a_phone(client, employee):
    page = _page(client, employee, "/improvement/ideas/new/")
    assert f'<option value="{employee.department_id}" selected>' in page
    assert 'name="viewport"' in page and "improvement.css" in page
    assert 'hx-get="/improvement/ideas/similar/"' in page
    assert "no name is stored anywhere" in page.lower()
    assert 'accept="image/*,' in page and "multiple" in page


def test_a_refused_submission_keeps_what_was_typed(client, employee):
    client.force_login(employee)
    response = client.post("/improvement/ideas/new/", _submission(title="", proposal=""))
    assert response.status_code == 400
    page = response.content.decode()
    assert page.count("This field is required.") == 2
    assert "Nobody finds the right fuse during a stop." in page and "Shorter stops" in page
    assert not Idea.objects.exists()


def test_a_refused_file_is_explained_next_to_it_and_nothing_is_written(client, employee):
    client.force_login(employee)
    program = SimpleUploadedFile("fix.exe", b"MZ\x90\x00" + bytes(range(256)) * 4, content_type="image/png")
    response = client.post("/improvement/ideas/new/", _submission(file=[program]))
    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="id_file_error"' in page and "not accepted" in page
    assert "choose them again" in page and 'value="Label the spare fuses"' in page
    assert not Idea.objects.exists() and not Attachment.objects.exists()


def test_similar_ideas_are_shown_while_typing_with_a_vote_button(client, employee, auditor):
    idea = _idea(employee)
    client.force_login(auditor)
    page = client.get("/improvement/ideas/similar/", {"title": "Red labels", "proposal": "hold labels paper"}).content
    page = page.decode()
    assert idea.reference in page and "Vote instead of duplicating" in page
    assert f'hx-post="/improvement/ideas/{idea.pk}/vote/"' in page
    assert 'id="similar-hint"' in page and 'hx-swap-oob="true"' in page
    assert idea.reference in client.get("/improvement/ideas/similar/", {"q": "paper hold labels"}).content.decode()
    assert "yours looks new" in client.get("/improvement/ideas/similar/", {"q": "forklift batteries"}).content.decode()


def test_a_refused_submission_lists_the_similar_ideas_too(client, employee, auditor):
    idea = _idea(employee)
    client.force_login(auditor)
    response = client.post("/improvement/ideas/new/", _submission(title="Red hold labels", proposal="", problem="p"))
    assert response.status_code == 400 and idea.reference in response.content.decode()


# --- Anonymity ------------------------------------------------------------------------------------------------------


def _real_png() -> bytes:
    """A picture Pillow can decode: an anonymous idea's photos are stored again without their metadata."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "green").save(buffer, format="PNG")
    return buffer.getvalue()


def test_an_anonymous_idea_names_nobody_on_any_page(client, quality_manager, auditor):
    shy = UserFactory(
        username="zebulon.q",
        password=PASSWORD,
        roles=["employee"],
        first_name="Zebulon",
        last_name="Quillfeather",
        department=DepartmentFactory(name="Packaging", code="PACK"),
    )
    client.force_login(shy)
    response = client.post(
        "/improvement/ideas/new/",
        _submission(anonymous="on", file=[SimpleUploadedFile("pic.png", _real_png(), content_type="image/png")]),
        follow=True,
    )
    idea = Idea.objects.get()
    assert "submitted anonymously: no name was stored" in response.content.decode()
    assert (idea.submitter, idea.anonymous, idea.department) == (None, True, None)
    move(idea, quality_manager, "accepted", "plan")
    services.comment_add(actor=auditor, idea=idea, body="Good one, whoever you are.")
    services.idea_vote(actor=auditor, idea=idea)

    pages = {
        url: _page(client, quality_manager, url)
        for url in (
            f"/improvement/ideas/{idea.pk}/",
            f"/improvement/ideas/{idea.pk}/history/",
            "/improvement/board/",
            "/improvement/ideas/",
            "/improvement/ideas/?sort=votes",
        )
    }
    export = b"".join(client.get("/improvement/ideas/export.csv").streaming_content).decode()
    for name, text in [*pages.items(), ("export", export)]:
        for trace in ("Zebulon", "Quillfeather", "zebulon.q"):
            assert trace not in text, (name, trace)
    assert "submitted anonymously" in pages[f"/improvement/ideas/{idea.pk}/"]
    assert "Anonymous" in pages["/improvement/ideas/"]
    assert [row["submitter"] for row in csv.DictReader(io.StringIO(export))] == ["anonymous"]
    assert "Submitted anonymously" in pages[f"/improvement/ideas/{idea.pk}/history/"]


# --- The board ------------------------------------------------------------------------------------------------------


def test_the_board_shows_each_idea_in_its_column_with_its_facts(client, employee, quality_manager, auditor):
    new = _idea(employee, title="Brighter aisle lights")
    planned = move(_idea(employee), quality_manager, "accepted", "plan")
    services.idea_vote(actor=auditor, idea=planned)
    parked = _idea(employee, title="Robot for the stores")
    services.idea_advance(actor=quality_manager, idea=parked, to="parked", note="Budget next year.")
    page = _page(client, employee, "/improvement/board/")
    for stage in ("Submitted", "Accepted", "Plan", "Do", "Check", "Act", "Standardized"):
        assert f'id="column-{stage.lower()}">{stage} ' in page
    plan_column = page.split('data-column="plan"')[1].split('data-column="do"')[0]
    assert planned.reference in plan_column and "1 vote" in plan_column and "Helen Carter" in plan_column
    assert new.reference in page.split('data-column="submitted"')[1].split('data-column="accepted"')[0]
    assert "Rejected and parked" in page and "Budget next year." in page
    # The employee runs none of them: no card is draggable or offers a move.
    assert 'draggable="true"' not in page and "Move to</label>" not in page


def test_the_board_filters_by_category_department_and_mine(client, employee, auditor):
    mine = _idea(employee, title="Quicker changeover", category="time")
    theirs = _idea(auditor, title="Safer ladders", category="safety", department=DepartmentFactory(code="MNT"))
    page = _page(client, employee, "/improvement/board/?category=safety")
    assert theirs.reference in page and mine.reference not in page
    page = _page(client, employee, "/improvement/board/?mine=1")
    assert mine.reference in page and theirs.reference not in page
    page = _page(client, employee, f"/improvement/board/?department={theirs.department_id}")
    assert theirs.reference in page and mine.reference not in page


def test_a_card_offers_exactly_the_moves_its_viewer_may_make(client, employee, quality_manager):
    idea = _idea(employee)
    page = _page(client, quality_manager, "/improvement/board/")
    card = page.split(f'id="card-{idea.pk}"')[1].split("</li>")[0]
    assert 'draggable="true"' in card and 'data-moves="accepted"' in card
    options = next(line for line in card.splitlines() if "<option" in line)
    assert 'value="accepted">Accepted (you become its champion)' in options
    assert 'value="rejected"' in options and 'value="parked"' in options and 'value="plan"' not in options


def test_a_quality_manager_moves_a_card_with_its_form(client, employee, quality_manager):
    idea = _idea(employee)
    client.force_login(quality_manager)
    response = client.post(
        f"/improvement/ideas/{idea.pk}/advance/", {"to": "accepted", "next": "/improvement/board/?category=quality"}
    )
    assert response.url == "/improvement/board/?category=quality"
    idea.refresh_from_db()
    assert (idea.stage, idea.champion) == ("accepted", quality_manager)
    page = client.get(response.url).content.decode()
    assert f"{idea.reference} accepted; Helen Carter is its champion." in page


def test_a_refused_move_from_the_board_comes_back_with_the_services_reason(client, employee, quality_manager):
    idea = move(_idea(employee), quality_manager, "accepted", "plan")
    client.force_login(quality_manager)
    response = client.post(f"/improvement/ideas/{idea.pk}/advance/", {"to": "do", "next": "/improvement/board/"})
    assert response.url == "/improvement/board/"
    page = client.get(response.url).content.decode()
    assert "was not moved: Plan: name the metric to improve and its baseline today." in page
    idea.refresh_from_db()
    assert idea.stage == "plan"


def test_skipping_a_stage_is_refused(client, employee, quality_manager):
    idea = _idea(employee)
    client.force_login(quality_manager)
    response = client.post(f"/improvement/ideas/{idea.pk}/advance/", {"to": "plan", "next": "/improvement/board/"})
    page = client.get(response.url).content.decode()
    assert "An idea in submitted moves to accepted, rejected, parked, not to plan." in page
    assert Idea.objects.get().stage == "submitted"


def test_rejecting_or_parking_from_the_board_needs_a_reason(client, employee, quality_manager):
    idea = _idea(employee)
    client.force_login(quality_manager)
    response = client.post(f"/improvement/ideas/{idea.pk}/advance/", {"to": "parked", "next": "/improvement/board/"})
    assert "Say why: the submitter will read it." in client.get(response.url).content.decode()
    client.post(
        f"/improvement/ideas/{idea.pk}/advance/",
        {"to": "parked", "note": "After the move", "next": "/improvement/board/"},
    )
    idea.refresh_from_db()
    assert (idea.stage, idea.decision_reason) == ("parked", "After the move")


def test_someone_who_may_not_move_an_idea_is_refused(client, employee, auditor):
    idea = _idea(employee)
    client.force_login(auditor)
    response = client.post(f"/improvement/ideas/{idea.pk}/advance/", {"to": "accepted", "next": "/improvement/board/"})
    assert response.status_code == 403
    refused = client.post(
        f"/improvement/ideas/{idea.pk}/advance/", {"to": "accepted"}, headers={"accept": "application/json"}
    )
    assert refused.status_code == 403 and "Quality managers accept" in refused.json()["message"]
    assert Idea.objects.get().stage == "submitted"


def test_a_dropped_card_gets_its_new_card_or_the_reason_it_snaps_back(client, employee, quality_manager):
    idea = _idea(employee)
    client.force_login(quality_manager)
    url = f"/improvement/ideas/{idea.pk}/advance/"
    moved = client.post(url, {"to": "accepted", "next": "/improvement/board/"}, headers={"accept": "application/json"})
    answer = moved.json()
    assert moved.status_code == 200 and answer["ok"] and answer["stage"] == "accepted"
    assert f'id="card-{idea.pk}"' in answer["card"] and 'data-stage="accepted"' in answer["card"]
    assert 'data-moves="plan"' in answer["card"] and 'value="/improvement/board/"' in answer["card"]
    refused = client.post(url, {"to": "check"}, headers={"accept": "application/json"})
    assert refused.status_code == 400
    assert refused.json() == {
        "ok": False,
        "message": "An idea in accepted moves to plan, rejected, parked, not to check.",
    }


@pytest.mark.parametrize("count", [1, 20])
def test_the_board_asks_a_fixed_number_of_queries(client, django_assert_num_queries, employee, quality_manager, count):
    for index in range(count):
        idea = _idea(employee, title=f"Idea {index}")
        services.idea_vote(actor=quality_manager, idea=idea)
        if index % 2:
            services.idea_advance(actor=quality_manager, idea=idea, to="accepted")
    client.force_login(User.objects.get(pk=quality_manager.pk))
    with django_assert_num_queries(BOARD_QUERIES) as captured:
        page = client.get("/improvement/board/").content.decode()
    assert page.count("data-card ") == count
    # A card shows its votes, not its comments: the ranking of every idea on the board counts no comments.
    assert not any("improvement_comment" in query["sql"] for query in captured.captured_queries)


def test_a_column_shows_its_most_voted_cards_and_links_to_the_rest(client, employee, quality_manager, monkeypatch):
    # The module, not the view it exports under the same name (improvement.views.board).
    monkeypatch.setattr(sys.modules["improvement.views.board"], "CARDS_PER_COLUMN", 3)
    ideas = [_idea(employee, title=f"Idea {index}") for index in range(5)]
    services.idea_vote(actor=quality_manager, idea=ideas[0])
    page = _page(client, quality_manager, "/improvement/board/?category=")
    assert page.count("data-card ") == 3
    assert ideas[0].reference in page  # the voted one, although the oldest
    assert '<span class="count" data-count>5</span>' in page
    assert "5 in all: the rest in the register" in page
    assert 'href="/improvement/ideas/?category=&amp;stage=submitted"' in page


# --- The register and its export ------------------------------------------------------------------------------------


def test_the_register_filters_and_sorts_by_votes(client, employee, quality_manager, auditor):
    quiet = _idea(employee, title="Quiet idea")
    popular = _idea(employee, title="Popular idea", category="safety")
    for voter in (quality_manager, auditor):
        services.idea_vote(actor=voter, idea=popular)
    page = _page(client, employee, "/improvement/ideas/?sort=votes")
    assert page.index(popular.reference) < page.index(quiet.reference)
    page = _page(client, employee, "/improvement/ideas/?sort=newest")
    assert page.index(popular.reference) < page.index(quiet.reference)
    page = _page(client, employee, "/improvement/ideas/?sort=oldest")
    assert page.index(quiet.reference) < page.index(popular.reference)
    page = _page(client, employee, "/improvement/ideas/?category=safety")
    assert popular.reference in page and quiet.reference not in page
    page = _page(client, employee, "/improvement/ideas/?q=quiet")
    assert quiet.reference in page and popular.reference not in page
    services.idea_advance(actor=quality_manager, idea=quiet, to="rejected", note="No")
    page = _page(client, employee, "/improvement/ideas/?stage=open")
    assert popular.reference in page and quiet.reference not in page
    assert "No idea matches these filters" in _page(client, employee, "/improvement/ideas/?stage=act")


@pytest.mark.parametrize("count", [1, 20])
def test_the_register_asks_a_fixed_number_of_queries(
    client, django_assert_num_queries, employee, quality_manager, count
):
    for index in range(count):
        idea = _idea(employee, title=f"Idea {index}", anonymous=bool(index % 3))
        services.comment_add(actor=quality_manager, idea=idea, body="Noted")
        if index % 2:
            services.idea_advance(actor=quality_manager, idea=idea, to="accepted")
    client.force_login(User.objects.get(pk=quality_manager.pk))
    with django_assert_num_queries(REGISTER_QUERIES):
        page = client.get("/improvement/ideas/?sort=votes").content.decode()
    assert page.count('<tr id="idea-') == count


def test_the_export_keeps_formulas_as_text_and_follows_the_filters(client, employee, quality_manager):
    _idea(employee, title='=HYPERLINK("http://evil.example","Click")', problem="+SUM(A1:A9)", proposal="@cmd")
    other = _idea(employee, title="Plain idea", category="cost")
    client.force_login(quality_manager)
    response = client.get("/improvement/ideas/export.csv?sort=oldest")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="idea-register-')
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0]["title"] == '\'=HYPERLINK("http://evil.example","Click")'
    assert (rows[0]["problem"], rows[0]["proposal"]) == ("'+SUM(A1:A9)", "'@cmd")
    assert rows[0]["submitter"] == employee.display_name and rows[0]["stage"] == "submitted"
    filtered = b"".join(client.get("/improvement/ideas/export.csv?category=cost").streaming_content).decode()
    assert [row["reference"] for row in csv.DictReader(io.StringIO(filtered))] == [other.reference]


# --- The idea page --------------------------------------------------------------------------------------------------


def test_voting_twice_counts_once_and_a_vote_can_be_withdrawn(client, employee, auditor):
    idea = _idea(employee)
    client.force_login(auditor)
    for _ in range(2):
        response = client.post(f"/improvement/ideas/{idea.pk}/vote/")
        assert response.url == idea.get_absolute_url()
    assert Vote.objects.filter(idea=idea).count() == 1
    page = client.get(idea.get_absolute_url()).content.decode()
    assert "<strong>1</strong> vote" in page and "Withdraw my vote" in page
    partial = client.post(f"/improvement/ideas/{idea.pk}/unvote/", headers={"HX-Request": "true"})
    assert partial.status_code == 200 and not Vote.objects.exists()
    text = partial.content.decode()
    assert "<strong>0</strong> votes" in text and "<html" not in text and ">Vote<" in text


def test_voting_on_a_decided_idea_is_refused_with_the_reason(client, employee, auditor, quality_manager):
    idea = _idea(employee)
    services.idea_advance(actor=quality_manager, idea=idea, to="rejected", note="Not now")
    client.force_login(auditor)
    partial = client.post(f"/improvement/ideas/{idea.pk}/vote/", {"compact": "1"}, headers={"HX-Request": "true"})
    assert partial.status_code == 400 and "Voting is closed: the idea is rejected." in partial.content.decode()
    assert not Vote.objects.exists()


def test_watching_and_unwatching(client, employee, auditor):
    idea = _idea(employee)
    client.force_login(auditor)
    client.post(f"/improvement/ideas/{idea.pk}/watch/", {"watching": "1"})
    assert Watch.objects.filter(idea=idea, user=auditor).exists()
    assert "Stop watching" in client.get(idea.get_absolute_url()).content.decode()
    client.post(f"/improvement/ideas/{idea.pk}/watch/", {"watching": "0"})
    assert not Watch.objects.filter(idea=idea, user=auditor).exists()


def test_a_comment_renders_markdown_and_never_runs_a_script(client, employee, auditor):
    idea = _idea(employee)
    client.force_login(auditor)
    body = "<script>alert(1)</script> **bold** <img src=x onerror=alert(2)> @plain.employee"
    response = client.post(f"/improvement/ideas/{idea.pk}/comments/", {"comment-body": body})
    comment = Comment.objects.get()
    assert response.url == f"{idea.get_absolute_url()}#comment-{comment.pk}"
    page = client.get(idea.get_absolute_url()).content.decode()
    assert "<strong>bold</strong>" in page
    assert "<script>alert(1)</script>" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "Markdown; @username notifies" in page
    assert employee.notifications.filter(subject__contains="mentioned you").exists()


def test_an_empty_comment_is_refused_next_to_the_box(client, employee, auditor):
    idea = _idea(employee)
    client.force_login(auditor)
    response = client.post(f"/improvement/ideas/{idea.pk}/comments/", {"comment-body": "  "})
    assert response.status_code == 400 and 'id="id_comment-body_error"' in response.content.decode()
    assert "Write something." in response.content.decode()


def test_the_champion_writes_the_notes_of_the_current_stage_and_others_read_them(client, employee, quality_manager):
    champion = UserFactory(username="cham.pion", roles=["employee"], first_name="Cham", last_name="Pion")
    idea = _idea(employee)
    services.idea_advance(actor=quality_manager, idea=idea, to="accepted", champion=champion)
    client.force_login(champion)
    page = client.get(idea.get_absolute_url()).content.decode()
    assert "Write the Plan notes" in page and "Nothing is missing" in page
    response = client.post(
        f"/improvement/ideas/{idea.pk}/notes/",
        {"stage": "accepted", "notes-target_metric": "Mix-ups a month", "notes-baseline": "3", "notes-target": "0"},
    )
    assert response.url.endswith("#pdca")
    idea.refresh_from_db()
    assert (idea.target_metric, idea.baseline, idea.target) == ("Mix-ups a month", "3", "0")
    page = _page(client, employee, idea.get_absolute_url())
    assert "Mix-ups a month" in page and "Write the Plan notes" not in page and "Save the notes" not in page
    client.force_login(employee)
    assert client.post(f"/improvement/ideas/{idea.pk}/notes/", {"stage": "accepted"}).status_code == 403


def test_notes_written_for_a_stage_the_idea_has_left_are_refused(client, employee, quality_manager):
    idea = move(_idea(employee), quality_manager, "accepted", "plan", "do")
    client.force_login(quality_manager)
    response = client.post(f"/improvement/ideas/{idea.pk}/notes/", {"stage": "plan", "notes-baseline": "4"})
    assert response.status_code == 302
    assert "these notes cannot be written" in client.get(response.url).content.decode()
    idea.refresh_from_db()
    assert idea.baseline == "3"


def test_a_negative_benefit_is_refused_next_to_its_field(client, employee, quality_manager):
    idea = move(_idea(employee), quality_manager, "accepted", "plan", "do", "check", "act")
    client.force_login(quality_manager)
    response = client.post(
        f"/improvement/ideas/{idea.pk}/notes/",
        {"stage": "act", "notes-benefit_unit": "hours_saved", "notes-benefit_amount": "-5"},
    )
    assert response.status_code == 400
    assert 'id="id_notes-benefit_amount_error"' in response.content.decode()


def test_the_idea_page_accepts_with_a_champion_and_refuses_a_rejection_without_reason(
    client, employee, quality_manager, auditor
):
    idea = _idea(employee)
    client.force_login(quality_manager)
    page = client.get(idea.get_absolute_url()).content.decode()
    assert "Accept and name a champion" in page and "Reject" in page and "Park" in page
    refused = client.post(f"/improvement/ideas/{idea.pk}/advance/", {"to": "rejected", "note": ""})
    assert refused.status_code == 400 and "Say why: the submitter will read it." in refused.content.decode()
    accepted = client.post(f"/improvement/ideas/{idea.pk}/advance/", {"to": "accepted", "champion": auditor.pk})
    assert accepted.url == idea.get_absolute_url()
    idea.refresh_from_db()
    assert (idea.stage, idea.champion) == ("accepted", auditor)


def test_the_rejection_reason_is_shown_to_everyone(client, employee, quality_manager, auditor):
    idea = _idea(employee)
    client.force_login(quality_manager)
    client.post(f"/improvement/ideas/{idea.pk}/advance/", {"to": "rejected", "note": "A supplier change solves it."})
    for user in (employee, auditor):
        page = _page(client, user, idea.get_absolute_url())
        assert "Rejected on" in page and "A supplier change solves it." in page


def test_act_requests_a_document_change_and_standardizes_once_it_is_effective(
    client, employee, quality_manager, effective, approver
):
    idea = move(_idea(employee), quality_manager, "accepted", "plan", "do", "check", "act")
    client.force_login(quality_manager)
    page = client.get(idea.get_absolute_url()).content.decode()
    assert "Request a document change" in page and effective.document.number in page
    response = client.post(
        f"/improvement/ideas/{idea.pk}/document-change/",
        {"document-document": effective.document.pk, "document-reason": "Add the red labels"},
    )
    assert response.url.endswith("#act")
    idea.refresh_from_db()
    page = client.get(idea.get_absolute_url()).content.decode()
    assert "change request open" in page and "Act: the document change is not effective yet." in page
    assert "Request a document change" not in page

    accepted = document_services.change_request_accept(actor=employee, change_request=idea.change_request)
    make_effective(accepted.revision, approver)
    services.idea_update_notes(actor=quality_manager, idea=idea, benefit_unit="defects_avoided", benefit_amount=36)
    page = client.get(idea.get_absolute_url()).content.decode()
    assert "revision 2</a> effective" in page and "Nothing is missing" in page
    response = client.post(f"/improvement/ideas/{idea.pk}/advance/", {"to": "standardized", "note": "In the SOP"})
    assert response.status_code == 302, response.content.decode()
    idea.refresh_from_db()
    assert idea.stage == "standardized"
    assert "<strong>36</strong> defects avoided per year" in client.get(idea.get_absolute_url()).content.decode()


def test_the_idea_page_links_its_source_and_its_history_covers_its_moves(client, employee, quality_manager):
    idea = move(_idea(employee), quality_manager, "accepted", "plan")
    page = _page(client, employee, idea.get_absolute_url())
    assert "Accepted → Plan" in page and "Now plan" in page
    history = _page(client, employee, f"/improvement/ideas/{idea.pk}/history/")
    assert f"History of {idea}" in history and f"{idea.reference}: accepted → plan" in history
    assert "Moved to plan: Now plan" in history


def test_json_answers_carry_no_markup_injection(client, employee, quality_manager):
    """A dragged card's answer is data: the message is text, the card is our template with the title escaped."""
    idea = _idea(employee, title="<b>bold</b> idea")
    client.force_login(quality_manager)
    answer = client.post(
        f"/improvement/ideas/{idea.pk}/advance/", {"to": "accepted"}, headers={"accept": "application/json"}
    )
    card = json.loads(answer.content)["card"]
    assert "&lt;b&gt;bold&lt;/b&gt; idea" in card and "<b>bold</b>" not in card
