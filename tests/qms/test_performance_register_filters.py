"""The filters the performance dashboard's links use, added to the apps' registers: each narrows its register as
named, a date that is not one is left out rather than refused, and without them every register lists what it listed
before. The data set is the metrics test's (`build`): "today" is 31 Mar 2026.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from audits.models import Audit, Finding
from capa.models import Capa, Nonconformity
from improvement.models import Idea
from tests.qms.test_performance_metrics import NOW, build, clock


@pytest.fixture
def dataset(db: None, settings: Any, tmp_path: Any) -> dict[str, Any]:
    settings.MEDIA_ROOT = tmp_path / "media"
    return build()


@pytest.fixture
def qm_client(client: Any, dataset: dict[str, Any]) -> Any:
    client.force_login(dataset["qm"])
    return client


def listed(client: Any, name: str, **query: str) -> list[Any]:
    with clock(NOW):
        response = client.get(reverse(name), query)
    assert response.status_code == 200
    return list(response.context["page"].paginator.object_list)


# --- CAPA register ----------------------------------------------------------------------------------------------------


def titles(client: Any, **query: str) -> set[str]:
    return {capa.title for capa in listed(client, "capa:index", **query)}


def test_the_capa_register_lists_every_capa_without_the_new_filters(qm_client):
    assert titles(qm_client) == set(Capa.objects.values_list("title", flat=True))
    assert titles(qm_client, opened_from="not-a-day", closed_to="2026-02-30", on_time="maybe") == titles(qm_client)


def test_the_capa_register_filters_running_or_ended_capas(qm_client):
    running = {"Today", "30 days", "31 days", "180 days", "181 days, overdue"}
    assert titles(qm_client, ended="no") == running
    assert titles(qm_client, ended="yes") == {"K1", "K2", "K3", "K4", "K5"}


def test_the_capa_register_filters_by_the_day_opened_both_days_included(qm_client):
    assert titles(qm_client, opened_from="2026-02-28", opened_to="2026-03-01") == {"30 days", "31 days"}
    assert titles(qm_client, opened_to="2025-10-01", ended="no") == {"181 days, overdue"}


def test_the_capa_register_filters_by_the_day_closed_and_whether_on_time(qm_client):
    in_period = {"closed_from": "2026-01-01", "closed_to": "2026-02-28"}
    assert titles(qm_client, **in_period) == {"K1", "K2", "K5"}  # K5 was cancelled in the period
    assert titles(qm_client, status="closed", **in_period) == {"K1", "K2"}
    assert titles(qm_client, on_time="yes", **in_period) == {"K1"}
    assert titles(qm_client, on_time="no", **in_period) == {"K2"}


def test_the_capa_register_filters_by_effectiveness_checks_signed(qm_client):
    january = {"verified_from": "2026-01-01", "verified_to": "2026-01-31"}
    assert titles(qm_client, verified="not_effective", **january) == {"K2"}
    assert titles(qm_client, verified="effective", **january) == {"K1"}
    assert titles(qm_client, verified="effective", verified_from="2026-02-01", verified_to="2026-02-28") == {"K2"}


def test_the_capa_register_opens_its_date_filters_when_they_are_used(qm_client):
    with clock(NOW):
        plain = qm_client.get(reverse("capa:index")).content.decode()
        dated = qm_client.get(reverse("capa:index"), {"ended": "no"}).content.decode()
    assert '<details class="filter-more">' in plain
    assert '<details class="filter-more" open>' in dated
    assert '<option value="no" selected>Still running</option>' in dated


# --- Nonconformity log ------------------------------------------------------------------------------------------------


def test_the_nonconformity_log_filters_by_the_day_reported_and_repeats(qm_client):
    everything = listed(qm_client, "capa:nonconformities")
    assert len(everything) == Nonconformity.objects.count() == 7
    in_period = {"reported_from": "2026-01-01", "reported_to": "2026-02-28"}
    assert len(listed(qm_client, "capa:nonconformities", **in_period)) == 4
    repeats = listed(qm_client, "capa:nonconformities", repeat="yes", **in_period)
    assert sorted((entry.clause.number if entry.clause else entry.location) for entry in repeats) == ["8.7", "line 2"]
    assert len(listed(qm_client, "capa:nonconformities", reported_from="31/12/2025")) == 7


# --- Findings register and audit programme ----------------------------------------------------------------------------


def test_the_findings_register_takes_a_clause_with_its_sub_clauses_and_the_days_raised(qm_client):
    def numbers(**query: str) -> list[str]:
        return sorted(finding.clause.number for finding in listed(qm_client, "audits:findings", **query))

    assert numbers() == sorted(Finding.objects.values_list("clause__number", flat=True))
    assert numbers(clause="7.1") == ["7.1"]  # exactly the clause, as before
    assert numbers(within="7.1") == ["7.1", "7.1.5"]
    assert numbers(within="7.5") == ["7.5", "7.5.3"]
    assert numbers(within="7") == ["7.1", "7.1.5", "7.5", "7.5.3"]
    assert numbers(raised_from="2026-01-01", raised_to="2026-02-28") == ["10.2", "7.1", "7.1.5", "8"]
    assert numbers(within="7.5", raised_to="2025-12-31") == ["7.5"]


def test_the_programme_lists_the_audits_planned_between_two_days_in_a_status(qm_client):
    def shown(**query: str) -> Any:
        with clock(NOW):
            return qm_client.get(reverse("audits:index"), query)

    year = shown()
    assert {audit.pk for audit in year.context["audits"]} == set(
        Audit.objects.filter(programme__year=2026).values_list("pk", flat=True)
    )
    assert "Coverage of ISO 9001" in year.content.decode()
    in_period = shown(planned_from="2026-01-01", planned_to="2026-02-28")
    starts = sorted(audit.planned_start.isoformat() for audit in in_period.context["audits"])
    assert starts == ["2026-01-01", "2026-01-20", "2026-02-02", "2026-02-28"]
    page = in_period.content.decode()
    assert "<h1>Audits planned from 2026-01-01 to 2026-02-28</h1>" in page
    assert "Coverage of ISO 9001" not in page
    closed = shown(planned_from="2026-01-01", planned_to="2026-02-28", status="closed")
    assert [audit.status for audit in closed.context["audits"]] == [Audit.Status.CLOSED]
    assert "in status closed" in closed.content.decode()
    assert shown(planned_from="someday").context["audits"] == year.context["audits"]


# --- Ideas and participation ------------------------------------------------------------------------------------------


def test_the_idea_register_filters_by_the_day_submitted(qm_client):
    assert len(listed(qm_client, "improvement:list")) == Idea.objects.count() == 5
    in_period = listed(qm_client, "improvement:list", submitted_from="2026-01-01", submitted_to="2026-02-28")
    assert sorted(idea.stage for idea in in_period) == ["accepted", "rejected", "submitted"]
    assert len(listed(qm_client, "improvement:list", submitted_to="2025-12-31")) == 1


def test_the_participation_page_counts_a_period_when_given_both_days(qm_client):
    def shown(**query: str) -> Any:
        with clock(NOW):
            return qm_client.get(reverse("improvement:participation"), query)

    in_period = shown(**{"from": "2026-01-01", "to": "2026-02-28"})
    assert (in_period.context["taking_part"], in_period.context["people"]) == (3, 5)
    assert "between 1 Jan 2026 and 28 Feb 2026 (both included)" in in_period.content.decode()
    last_90_days = shown()
    # The 90 days to 31 Mar noon also take e1's idea of 31 Dec at midnight, and e2's named idea and vote of March.
    assert (last_90_days.context["taking_part"], last_90_days.context["period"]) == (4, None)
    for query in ({"from": "2026-01-01"}, {"from": "2026-03-01", "to": "2026-01-01"}, {"from": "x", "to": "y"}):
        assert shown(**query).context["period"] is None
