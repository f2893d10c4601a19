"""What the improvement module adds to "my work": the ideas one champions, the ideas waiting for a quality manager's
decision, and one's own ideas; each for whom it concerns, in a fixed number of queries, naming no submitter."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from improvement import panels, services
from improvement.models import Idea
from qms import clauses
from qms.dashboard import PANEL_SIZE, panels_for
from qms.models import User
from tests.improvement.conftest import move
from tests.qms.factories import UserFactory

pytestmark = pytest.mark.django_db

TITLES = {"Ideas you champion", "Ideas waiting for a decision", "Your ideas"}


def _submit(actor: Any, title: str, **extra: Any) -> Idea:
    return services.idea_submit(actor=actor, title=title, problem="Today it goes wrong.", proposal="Do better", **extra)


def _titles(user: Any) -> set[str]:
    return {panel.title for panel in panels_for(User.objects.get(pk=user.pk))} & TITLES


def _queries(function: Any, user: Any) -> int:
    fresh = User.objects.get(pk=user.pk)
    fresh.has_role("employee")  # roles are cached per request; the panels are measured, not the role lookup
    with CaptureQueriesContext(connection) as queries:
        function(fresh)
    return len(queries)


def test_the_panels_are_on_the_dashboard_and_nothing_is_added_to_the_clause_browser():
    from qms.dashboard import _panels

    assert {panels.championed_panel, panels.decisions_panel, panels.your_ideas_panel} <= set(_panels)
    assert not [linked for linked in clauses._linked if linked.records_for.__module__.startswith("improvement")]


def test_people_without_ideas_see_no_idea_panels(auditor, external_auditor, outsider):
    for user in (auditor, external_auditor, outsider):
        assert _titles(user) == set(), user


# --- Ideas you champion -----------------------------------------------------------------------------------------------


def test_a_champion_sees_their_open_ideas_longest_in_their_stage_first(client, employee, quality_manager):
    older = move(_submit(employee, "Older"), quality_manager, "accepted", "plan")
    newer = move(_submit(employee, "Newer"), quality_manager, "accepted")
    move(_submit(employee, "Done"), quality_manager, "accepted", "plan", "do", "check", "act", "standardized")
    services.idea_advance(actor=quality_manager, idea=_submit(employee, "Parked"), to="parked", note="Later")
    panel = panels.championed_panel(quality_manager)
    assert panel is not None and panel.total == 2
    assert [item.title for item in panel.items] == [str(older), str(newer)]
    assert panel.items[0].url == older.get_absolute_url()
    assert panel.items[0].detail == "Plan for 0 days · submitted 0 days ago"
    assert panels.championed_panel(employee) is None


def test_the_champion_panel_asks_a_fixed_number_of_queries(employee, quality_manager):
    move(_submit(employee, "First"), quality_manager, "accepted")
    few = _queries(panels.championed_panel, quality_manager)
    for index in range(PANEL_SIZE + 2):
        move(_submit(employee, f"More {index}"), quality_manager, "accepted")
    assert _queries(panels.championed_panel, quality_manager) == few == 2
    assert panels.championed_panel(quality_manager).total == PANEL_SIZE + 3


# --- Ideas waiting for a decision -------------------------------------------------------------------------------------


def test_quality_managers_see_submitted_ideas_oldest_first_with_their_votes(
    employee, quality_manager, auditor, external_auditor
):
    first = _submit(employee, "First")
    second = _submit(auditor, "Second", anonymous=True)
    move(_submit(employee, "Accepted already"), quality_manager, "accepted")
    services.idea_vote(actor=auditor, idea=first)
    services.idea_vote(actor=quality_manager, idea=first)
    panel = panels.decisions_panel(quality_manager)
    assert panel is not None and panel.total == 2
    assert [item.title for item in panel.items] == [str(first), str(second)]
    assert panel.items[0].detail.startswith("2 votes · submitted ")
    assert panel.items[1].detail.startswith("0 votes · submitted ")
    assert panel.more_url == "/improvement/ideas/?stage=submitted&sort=oldest"
    # Nothing on it names a submitter, named or anonymous.
    assert not any(auditor.display_name in item.detail or employee.display_name in item.detail for item in panel.items)
    for user in (employee, auditor, external_auditor):
        assert panels.decisions_panel(user) is None


def test_a_quality_manager_is_told_when_nothing_waits(quality_manager):
    panel = panels.decisions_panel(quality_manager)
    assert panel is not None and panel.items == [] and panel.empty_text == "No idea is waiting for a decision."


def test_the_decision_panel_asks_a_fixed_number_of_queries(employee, quality_manager, auditor):
    _submit(employee, "First")
    few = _queries(panels.decisions_panel, quality_manager)
    for index in range(PANEL_SIZE + 2):
        idea = _submit(UserFactory(roles=["employee"]), f"More {index}")
        services.idea_vote(actor=auditor, idea=idea)
    assert _queries(panels.decisions_panel, quality_manager) == few == 2


# --- Your ideas -------------------------------------------------------------------------------------------------------


def test_a_submitter_sees_their_named_ideas_the_latest_moved_first(employee, quality_manager):
    first = _submit(employee, "First")
    second = _submit(employee, "Second")
    first = move(first, quality_manager, "accepted")
    panel = panels.your_ideas_panel(employee)
    assert panel is not None and panel.total == 2
    assert [item.title for item in panel.items] == [str(first), str(second)]
    assert panel.items[0].detail.startswith("Accepted since ")
    assert panel.more_url == "/improvement/me/"


def test_an_anonymous_idea_is_in_nobodys_panel(employee, quality_manager):
    _submit(employee, "Said quietly", anonymous=True)
    assert panels.your_ideas_panel(employee) is None
    assert _titles(employee) == set()
    waiting = panels.decisions_panel(quality_manager)
    assert waiting is not None and [item.title for item in waiting.items] == [str(Idea.objects.get())]


def test_the_your_ideas_panel_asks_a_fixed_number_of_queries(employee):
    _submit(employee, "First")
    few = _queries(panels.your_ideas_panel, employee)
    for index in range(PANEL_SIZE + 2):
        _submit(employee, f"More {index}")
    assert _queries(panels.your_ideas_panel, employee) == few == 2


def test_the_dashboard_shows_the_idea_panels(client, employee, quality_manager):
    idea = _submit(employee, "Colour-coded hold labels")
    client.force_login(quality_manager)
    page = client.get("/").content.decode()
    assert "Ideas waiting for a decision" in page and f"{idea.reference} Colour-coded hold labels" in page
    client.force_login(employee)
    page = client.get("/").content.decode()
    assert "Your ideas" in page and "Ideas waiting for a decision" not in page
