"""Recognition: the wins wall, participation by department and one's own contributions, for every role, without ever
naming the submitter of an anonymous idea, and in a fixed number of queries."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from improvement import services
from improvement.models import Idea
from qms.models import User
from tests.improvement.conftest import move
from tests.qms.factories import DepartmentFactory, UserFactory

pytestmark = pytest.mark.django_db

PDCA = ("accepted", "plan", "do", "check", "act", "standardized")
WINS, PARTICIPATION, ME = "/improvement/wins/", "/improvement/participation/", "/improvement/me/"


def _submit(actor: Any, title: str, **extra: Any) -> Idea:
    return services.idea_submit(
        actor=actor, title=title, problem="Today it goes wrong.", proposal=f"Proposal for {title}", **extra
    )


def _standardize(idea: Idea, manager: Any, *, unit: str = "defects_avoided", amount: str = "36") -> Idea:
    """Through PDCA to standardized, with the measured benefit given (the shared `move` records 36 defects)."""
    idea = move(idea, manager, *PDCA[:-1])
    idea = services.idea_update_notes(
        actor=manager,
        idea=idea,
        benefit_unit=unit,
        benefit_amount=Decimal(amount),
        no_document_change_reason="No procedure names it.",
    )
    return services.idea_advance(actor=manager, idea=idea, to="standardized")


def _win(actor: Any, manager: Any, title: str, *, unit: str = "defects_avoided", amount: str = "36", **extra: Any):
    return _standardize(_submit(actor, title, **extra), manager, unit=unit, amount=amount)


def _page(client: Any, user: Any, url: str) -> str:
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def _queries(client: Any, user: Any, url: str) -> int:
    client.force_login(User.objects.get(pk=user.pk))
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.fixture
def anonymous_author(db: None) -> Any:
    return UserFactory(username="quiet.one", roles=["employee"], first_name="Zara", last_name="Quillfeather")


# --- Who may see the pages --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("url", [WINS, PARTICIPATION, ME])
@pytest.mark.parametrize(
    ("persona", "status"),
    [("quality_manager", 200), ("auditor", 200), ("employee", 200), ("external_auditor", 200), ("outsider", 403)],
)
def test_every_role_sees_the_recognition_pages_and_an_account_without_a_role_does_not(
    client, personas, url, persona, status
):
    client.force_login(personas[persona])
    assert client.get(url).status_code == status


@pytest.mark.parametrize("url", [WINS, PARTICIPATION, ME])
def test_visitors_are_sent_to_sign_in(client, url):
    response = client.get(url)
    assert response.status_code == 302 and "/login" in response["Location"]


# --- Wins -------------------------------------------------------------------------------------------------------------


def test_the_wall_shows_a_standardized_idea_with_its_benefit_champion_submitter_and_votes(
    client, employee, quality_manager, auditor
):
    idea = _submit(employee, "Colour-coded hold labels", department=DepartmentFactory(name="Stores", code="ST"))
    services.idea_vote(actor=auditor, idea=idea)
    idea = move(idea, quality_manager, *PDCA)
    page = _page(client, auditor, WINS)
    assert f"{idea.reference}</a> Colour-coded hold labels" in page
    assert "36 defects avoided per year" in page
    assert "<dt>Champion</dt><dd>Helen Carter</dd>" in page
    assert f"<dt>Submitted by</dt><dd>{employee.display_name}</dd>" in page
    assert "<dt>Department</dt><dd>Stores</dd>" in page
    assert "<dt>Votes</dt><dd>1</dd>" in page
    assert f"<dt>Standardized</dt><dd>{timezone.localdate():%Y-%m-%d}</dd>" in page


def test_ideas_not_yet_standardized_are_not_on_the_wall(client, employee, quality_manager):
    move(_submit(employee, "Still in Do"), quality_manager, "accepted", "plan", "do")
    services.idea_advance(actor=quality_manager, idea=_submit(employee, "Turned down"), to="rejected", note="No")
    page = _page(client, employee, WINS)
    assert "Still in Do" not in page and "Turned down" not in page
    assert "No wins on the wall yet." in page


def test_an_anonymous_win_says_anonymous_and_names_nobody(client, anonymous_author, quality_manager, employee):
    _win(anonymous_author, quality_manager, "Quiet improvement", anonymous=True)
    for viewer in (employee, quality_manager):
        page = _page(client, viewer, WINS)
        assert "Quiet improvement" in page
        assert "<dt>Submitted by</dt><dd>Anonymous</dd>" in page
        assert "Zara" not in page and "Quillfeather" not in page and "quiet.one" not in page


def test_the_totals_add_up_each_unit_once_per_idea_whatever_its_votes(
    client, employee, quality_manager, auditor, external_auditor
):
    # Votes are counted through a join; a vote must not count a benefit twice. Voting closes once an idea is
    # standardized, so the votes are cast on the way.
    loved = _submit(employee, "Fewer mix-ups")
    for voter in (auditor, quality_manager, UserFactory(roles=["employee"])):
        services.idea_vote(actor=voter, idea=loved)
    _standardize(loved, quality_manager, amount="36")
    _win(employee, quality_manager, "More mix-ups avoided", amount="4")
    _win(employee, quality_manager, "Faster changeover", unit="hours_saved", amount="12.5")
    _win(employee, quality_manager, "Cheaper labels", unit="money", amount="1500")
    _win(employee, quality_manager, "Something else", unit="other", amount="3")
    page = _page(client, external_auditor, WINS)
    totals = page.split('<ul class="totals">')[1].split("</ul>")[0]
    assert '<span class="amount">40</span> defects avoided per year' in totals
    assert '<span class="amount">12.50</span> hours saved per year' in totals
    assert '<span class="amount">1,500</span> money saved per year' in totals
    assert "other" not in totals.lower()  # "other" benefits are each their own kind: they do not add up


def test_external_auditors_see_the_wins(client, employee, quality_manager, external_auditor):
    _win(employee, quality_manager, "Colour-coded hold labels")
    assert "Colour-coded hold labels" in _page(client, external_auditor, WINS)


def test_the_wall_asks_a_fixed_number_of_queries_whatever_its_ideas(client, employee, quality_manager, auditor):
    _win(employee, quality_manager, "First win")
    few = _queries(client, auditor, WINS)
    for index in range(4):
        submitter = UserFactory(roles=["employee"])
        champion = UserFactory(roles=["quality_manager"])
        idea = _submit(submitter, f"Win {index}", anonymous=bool(index % 2))
        services.idea_vote(actor=auditor, idea=idea)
        _standardize(idea, champion, unit="hours_saved", amount=str(index + 1))
    assert _queries(client, auditor, WINS) == few


# --- Participation ----------------------------------------------------------------------------------------------------


@pytest.fixture
def filling(db: None) -> Any:
    return DepartmentFactory(name="Filling", code="FIL")


def _member(department: Any, name: str, **extra: Any) -> Any:
    return UserFactory(username=name, roles=["employee"], department=department, **extra)


def _row(page: str, department: str) -> str:
    return page.split(f'<th scope="row">{department}</th>')[1].split("</tr>")[0]


def test_participation_counts_named_ideas_votes_and_comments_of_the_last_90_days(client, filling, quality_manager):
    submitter, voter, commenter, idle, old = (_member(filling, name) for name in ("s", "v", "c", "i", "o"))
    _member(filling, "gone", is_active=False)
    idea = _submit(submitter, "Named idea")
    services.idea_vote(actor=voter, idea=idea)
    services.comment_add(actor=commenter, idea=idea, body="Good one")
    with time_machine.travel(timezone.now() - timedelta(days=91)):
        services.idea_vote(actor=old, idea=_submit(quality_manager, "Long ago"))
    row = _row(_page(client, quality_manager, PARTICIPATION), "Filling")
    # Five active people; three took part in the window; the old voter and the idle one did not.
    assert '<td class="number">5</td>' in row and '<td class="number">3</td>' in row
    assert '<rect width="60%"' in row and '<span class="figure">60%</span>' in row
    assert idle.pk and old.pk


def test_an_anonymous_idea_counts_for_nobody(client, filling, anonymous_author, employee):
    anonymous_author.department = filling
    anonymous_author.save()
    _member(filling, "colleague")
    _submit(anonymous_author, "Said quietly", anonymous=True)
    page = _page(client, employee, PARTICIPATION)
    row = _row(page, "Filling")
    assert '<td class="number">2</td>' in row and '<td class="number">0</td>' in row and "0%" in row
    assert "Zara" not in page and "Quillfeather" not in page
    assert "anonymous ideas count for nobody" in page.lower()


def test_the_page_states_what_taking_part_means_and_the_overall_numbers_in_text(client, filling, employee):
    _submit(_member(filling, "keen"), "Named idea")
    _member(filling, "busy")
    page = _page(client, employee, PARTICIPATION)
    assert "submitted an idea by name, voted for one or commented on one in the last 90 days" in page
    assert 'aria-hidden="true"' in _row(page, "Filling")  # the bar is decoration; the numbers are the text
    people = sum(1 for user in User.objects.filter(is_active=True) if user.department_id)
    assert f"<strong>1 of {people} people</strong>" in page


def test_participation_asks_a_fixed_number_of_queries_whatever_the_departments(client, filling, quality_manager):
    _submit(_member(filling, "first"), "One")
    few = _queries(client, quality_manager, PARTICIPATION)
    for index in range(4):
        department = DepartmentFactory(name=f"Line {index}", code=f"L{index}")
        member = _member(department, f"member{index}")
        services.idea_vote(actor=member, idea=_submit(quality_manager, f"Idea {index}"))
    assert _queries(client, quality_manager, PARTICIPATION) == few


# --- My contributions -------------------------------------------------------------------------------------------------


def test_my_page_lists_my_named_ideas_with_their_stage_and_my_votes_and_comments(
    client, employee, quality_manager, auditor
):
    mine = _submit(employee, "Colour-coded hold labels")
    move(mine, quality_manager, "accepted", "plan")
    _submit(employee, "Said quietly", anonymous=True)
    theirs = _submit(auditor, "Auditor's idea")
    services.idea_vote(actor=employee, idea=theirs)
    services.comment_add(actor=employee, idea=theirs, body="Yes!")
    services.comment_add(actor=employee, idea=mine, body="Plan ready")
    page = _page(client, employee, ME)
    assert f"{mine.reference} Colour-coded hold labels</a>" in page
    assert "Plan · submitted" in page
    assert "Said quietly" not in page and "Auditor&#x27;s idea" not in page
    assert "Ideas you submitted anonymously are not listed here" in page
    assert "<dt>Votes</dt><dd>1</dd>" in page and "<dt>Comments</dt><dd>2</dd>" in page
    assert "<dt>Ideas submitted by name</dt><dd>1</dd>" in page
    assert "Thank you" in page


def test_a_champion_sees_the_ideas_they_champion(client, employee, quality_manager):
    idea = move(_submit(employee, "Colour-coded hold labels"), quality_manager, "accepted")
    page = _page(client, quality_manager, ME)
    assert "<dt>Ideas you champion</dt><dd>1</dd>" in page
    assert f"{idea.reference} Colour-coded hold labels</a>" in page and "Accepted since" in page


def test_someone_who_has_not_taken_part_is_told_how_to_start(client, external_auditor):
    page = _page(client, external_auditor, ME)
    assert "Nothing yet" in page and "Thank you" not in page
    assert "You have submitted no idea by name yet." in page


def test_my_page_asks_a_fixed_number_of_queries(client, employee, quality_manager):
    _submit(employee, "First")
    few = _queries(client, employee, ME)
    for index in range(4):
        idea = _submit(employee, f"More {index}")
        services.idea_vote(actor=employee, idea=_submit(quality_manager, f"Theirs {index}"))
        move(idea, quality_manager, "accepted")
    assert _queries(client, employee, ME) == few
