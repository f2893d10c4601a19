"""What CAPA adds to "my work" and to the clause browser: each panel for whom it concerns, in a fixed number of
queries, and linked records filtered by who may see them."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from capa import panels, services
from capa.models import Capa
from qms.dashboard import panels_for
from qms.models import Clause, User
from tests.capa.conftest import analyse, in_days

pytestmark = pytest.mark.django_db


def _titles(user: Any) -> list[str]:
    return [panel.title for panel in panels_for(User.objects.get(pk=user.pk))]


def _queries(function: Any, user: Any) -> int:
    fresh = User.objects.get(pk=user.pk)
    fresh.has_role("employee")  # roles are cached per request; the panels are measured, not the role lookup
    with CaptureQueriesContext(connection) as queries:
        function(fresh)
    return len(queries)


def _action(capa: Capa, owner: Any, days: int, description: str = "Do it") -> Any:
    return services.action_create(
        actor=capa.owner, capa=capa, description=description, owner=owner, due_date=in_days(days)
    )


def test_an_owner_sees_their_open_actions_soonest_first_with_links(open_capa, employee):
    capa = analyse(open_capa, employee)
    later = _action(capa, employee, 20, "Train the night shift")
    sooner = _action(capa, employee, 5, "Clear the hold area daily")
    dropped = _action(capa, employee, 1, "Dropped")
    services.action_cancel(actor=employee, action=dropped, reason="Not needed")
    panel = panels.my_actions_panel(employee)
    assert panel is not None and panel.title == "Your CAPA actions"
    assert [item.title for item in panel.items] == [
        f"{sooner.label} Clear the hold area daily",
        f"{later.label} Train the night shift",
    ]
    assert panel.items[0].url == f"/capa/{capa.pk}/#action-{sooner.pk}"
    assert panel.items[0].detail == f"Due {in_days(5):%Y-%m-%d} · {capa.title}"
    assert panel.total == 2
    assert not any(item.overdue for item in panel.items)


def test_an_overdue_action_is_flagged(open_capa, employee):
    action = _action(analyse(open_capa, employee), employee, 5)
    # The services refuse a due date in the past; the day comes, so the test moves the date back.
    action.due_date = in_days(-1)
    action.save()
    panel = panels.my_actions_panel(employee)
    assert panel is not None and panel.items[0].overdue


def test_people_without_actions_or_capas_see_no_capa_panels(open_capa, auditor):
    assert panels.my_actions_panel(auditor) is None
    assert panels.my_capas_panel(auditor) is None
    assert panels.triage_panel(auditor) is None
    assert not {"Your CAPA actions", "CAPAs you own", "Nonconformities to triage"} & set(_titles(auditor))


def test_an_owner_sees_the_open_capas_they_own(open_capa, employee, quality_manager):
    cancelled = services.capa_create(
        actor=quality_manager, title="Duplicate", source="internal", problem="p", owner=employee, due_date=in_days(5)
    )
    services.capa_cancel(actor=quality_manager, capa=cancelled, reason="Duplicate")
    panel = panels.my_capas_panel(employee)
    assert panel is not None and panel.title == "CAPAs you own"
    assert [(item.title, item.url) for item in panel.items] == [(str(open_capa), f"/capa/{open_capa.pk}/")]
    assert panel.items[0].detail == f"Open · due {in_days(60):%Y-%m-%d}"
    assert "CAPAs you own" in _titles(employee)


def test_quality_managers_see_the_log_to_triage_and_the_repeat_count(quality_manager, employee):
    clause = Clause.objects.get(number="8.5.1")
    first = services.nonconformity_report(actor=employee, title="Unsigned batch record", description="d", clause=clause)
    again = services.nonconformity_report(actor=employee, title="Unsigned again", description="d", clause=clause)
    # Another source and no clause: not a repeat (a repeat shares the clause, or the department and the source).
    triaged = services.nonconformity_report(actor=employee, title="Scratched caps", description="d", source="supplier")
    services.nonconformity_close(
        actor=quality_manager, nonconformity=triaged, disposition="rework", note="Caps replaced, a one-off"
    )
    panel = panels.triage_panel(quality_manager)
    assert panel is not None and panel.title == "Nonconformities to triage"
    assert [item.title for item in panel.items] == [str(first), str(again)]
    assert panel.items[0].url == first.get_absolute_url()
    assert panel.total == 2
    assert panel.extra == {"repeat_nonconformities": 1}
    assert panels.triage_panel(employee) is None


def test_the_triage_panel_shows_an_empty_log_to_quality_managers(quality_manager):
    panel = panels.triage_panel(quality_manager)
    assert panel is not None and panel.items == [] and panel.empty_text
    assert panel.extra == {"repeat_nonconformities": 0}


def test_each_panel_asks_a_fixed_number_of_queries(open_capa, employee, quality_manager):
    capa = analyse(open_capa, employee)
    _action(capa, employee, 5)
    services.nonconformity_report(actor=employee, title="One", description="d")
    before = {
        panel: _queries(panel, user)
        for panel, user in [
            (panels.my_actions_panel, employee),
            (panels.my_capas_panel, employee),
            (panels.triage_panel, quality_manager),
        ]
    }
    for index in range(7):
        _action(capa, employee, 6 + index)
        services.capa_create(
            actor=quality_manager, title=f"t{index}", source="internal", problem="p", owner=employee,
            due_date=in_days(30),
        )  # fmt: skip
        services.nonconformity_report(actor=employee, title=f"More {index}", description="d")
    assert before == {
        panels.my_actions_panel: _queries(panels.my_actions_panel, employee),
        panels.my_capas_panel: _queries(panels.my_capas_panel, employee),
        panels.triage_panel: _queries(panels.triage_panel, quality_manager),
    }
    assert before[panels.my_actions_panel] == 2
    assert before[panels.triage_panel] == 3


def test_the_dashboard_shows_the_capa_panels(client, open_capa, employee):
    _action(analyse(open_capa, employee), employee, 5, "Clear the hold area daily")
    client.force_login(employee)
    page = client.get("/").content.decode()
    assert "Your CAPA actions" in page and "Clear the hold area daily" in page
    assert "CAPAs you own" in page and open_capa.reference in page


def test_the_clause_browser_lists_capas_and_nonconformities_each_may_see(
    client, quality_manager, employee, external_auditor
):
    clause = Clause.objects.get(number="8.7")
    capa = services.capa_create(
        actor=quality_manager, title="Hold area mix-up", source="internal", problem="p", owner=quality_manager,
        due_date=in_days(30), clause=clause,
    )  # fmt: skip
    entry = services.nonconformity_report(
        actor=quality_manager, title="Rejects beside released stock", description="d", clause=clause
    )
    for user, sees in ((quality_manager, True), (employee, False), (external_auditor, False)):
        client.force_login(user)
        page = client.get(f"/clauses/{clause.number}/").content.decode()
        assert "CAPAs" in page and "Nonconformities" in page
        assert (capa.reference in page) == sees, user
        assert (entry.reference in page) == sees, user
    assert list(panels.capas_for_clause(clause, quality_manager)) == [capa]
    assert list(panels.nonconformities_for_clause(clause, quality_manager)) == [entry]
    assert list(panels.capas_for_clause(Clause.objects.get(number="7.5.3"), quality_manager)) == []


def test_the_repeat_count_covers_twelve_months(quality_manager, employee):
    clause = Clause.objects.get(number="8.5.1")
    old = services.nonconformity_report(actor=employee, title="Long ago", description="d", clause=clause)
    old.reported_at = old.reported_at - timedelta(days=400)
    old.save()
    services.nonconformity_report(actor=employee, title="Now", description="d", clause=clause)
    panel = panels.triage_panel(quality_manager)
    assert panel is not None and panel.extra == {"repeat_nonconformities": 0}
