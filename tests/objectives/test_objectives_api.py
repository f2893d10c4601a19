"""The quality objectives API: a role-by-endpoint matrix, the answers' shape, validation as field errors (never a
500), and a list whose query count does not grow with the page.

The employee persona owns the objectives; a colleague is another employee. Everyone with a role reads; quality
managers set, change and close; the owner (and quality managers) enter values. What a role may not do is a 403;
anonymous calls are 401."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from qms.objectives import services
from qms.objectives.models import Objective
from tests.conftest import PASSWORD, api_as
from tests.objectives.conftest import days_from_today, record, set_objective
from tests.qms.factories import UserFactory

pytestmark = pytest.mark.django_db

QM, AUD, EMP, COL, EXT, NONE, ANON = (
    "quality_manager",
    "auditor",
    "employee",
    "colleague",
    "external_auditor",
    "outsider",
    "anonymous",
)
ROLES = [QM, AUD, EMP, COL, EXT, NONE, ANON]
READ = {QM: 200, AUD: 200, EMP: 200, COL: 200, EXT: 200, NONE: 403, ANON: 401}
QM_ONLY = {QM: 200, AUD: 403, EMP: 403, COL: 403, EXT: 403, NONE: 403, ANON: 401}
# The owner and quality managers enter values; other staff pass the role check and are refused by the service.
OWNER = {QM: 201, AUD: 403, EMP: 201, COL: 403, EXT: 403, NONE: 403, ANON: 401}
URL = "/api/v1/quality-objectives/"


@pytest.fixture
def people(personas: dict[str, Any]) -> dict[str, Any]:
    return {**personas, COL: UserFactory(username="colleague", password=PASSWORD, roles=["employee"])}


@pytest.fixture
def world(people: dict[str, Any]) -> dict[str, Any]:
    """An active objective with one value, and an achieved one; both owned by the employee."""
    qm, owner = people[QM], people[EMP]
    active = set_objective(qm, owner)
    record(active, owner, 30, "7")
    achieved = set_objective(qm, owner, title="Done already")
    record(achieved, owner, 10, "3")
    services.objective_close(actor=qm, objective=achieved, outcome="achieved", reason="Three in the last month")
    return {"active": active.pk, "achieved": achieved.pk, "owner": owner.pk, "due": str(days_from_today(90))}


MATRIX = [
    ("get", URL, None, READ),
    ("get", URL + "{active}/", None, READ),
    ("get", URL + "{achieved}/", None, READ),
    ("get", URL + "{active}/history/", None, READ),
    ("get", URL + "{active}/measurements/", None, READ),
    (
        "post",
        URL,
        {
            "title": "t",
            "metric": "m",
            "unit": "u",
            "direction": "lower",
            "target": "1",
            "owner": "{owner}",
            "start_date": str(days_from_today(-1)),
            "due_date": "{due}",
        },
        {**QM_ONLY, QM: 201},
    ),
    ("patch", URL + "{active}/", {"target": "3.5"}, QM_ONLY),
    # Quality managers may not change a closed objective either: a 400 saying so.
    ("patch", URL + "{achieved}/", {"target": "2"}, {**QM_ONLY, QM: 400}),
    ("post", URL + "{active}/measurements/", {"measured_on": str(days_from_today(-1)), "value": "6"}, OWNER),
    (
        "post",
        URL + "{achieved}/measurements/",
        {"measured_on": str(days_from_today(-1)), "value": "2"},
        {**OWNER, QM: 400, EMP: 400},
    ),
    ("post", URL + "{active}/close/", {"outcome": "missed", "reason": "Seven, not four"}, QM_ONLY),
    ("post", URL + "{achieved}/close/", {"outcome": "missed", "reason": "Again"}, {**QM_ONLY, QM: 400}),
    # PATCH only: a PUT is refused as a method to everyone with a role.
    ("put", URL + "{active}/", {"title": "x"}, {**READ, QM: 405, AUD: 405, EMP: 405, COL: 405, EXT: 405}),
]


def _client(people: dict[str, Any], role: str) -> APIClient:
    return APIClient() if role == ANON else api_as(people[role])


@pytest.mark.parametrize(("method", "path", "body", "expected"), MATRIX, ids=[f"{m} {p}" for m, p, _, _ in MATRIX])
@pytest.mark.parametrize("role", ROLES)
def test_role_may_or_may_not_call_objectives_endpoint(world, people, role, method, path, body, expected):
    url = path.format(**world)
    data = {key: value.format(**world) if isinstance(value, str) else value for key, value in (body or {}).items()}
    response = getattr(_client(people, role), method)(url, data or None, format="json")
    assert response.status_code == expected[role], response.content


def test_an_objective_reads_with_its_latest_value_and_standing(world, people):
    body = api_as(people[EXT]).get(f"{URL}{world['active']}/").json()
    assert body["reference"] == "OBJ-0001" and body["clauses"] == ["6.2"]
    assert (body["target"], body["baseline"], body["direction"], body["source"]) == (
        "4.000",
        "10.000",
        "lower",
        "manual",
    )
    assert body["latest"] == {"measured_on": str(days_from_today(-30)), "value": "7.000"}
    assert (body["met"], body["standing"], body["status"], body["is_overdue"]) == (False, "on_track", "active", False)
    closed = api_as(people[EXT]).get(f"{URL}{world['achieved']}/").json()
    assert (closed["status"], closed["met"], closed["close_reason"]) == ("achieved", True, "Three in the last month")


def test_the_owner_enters_a_value_and_reads_it_back(world, people):
    client = api_as(people[EMP])
    created = client.post(
        f"{URL}{world['active']}/measurements/",
        {"measured_on": str(days_from_today(-2)), "value": "5.25", "note": "Log"},
    )
    assert created.status_code == 201
    assert {key: created.json()[key] for key in ("value", "source", "entered_by", "note")} == {
        "value": "5.250",
        "source": "manual",
        "entered_by": people[EMP].pk,
        "note": "Log",
    }
    values = client.get(f"{URL}{world['active']}/measurements/").json()
    assert [row["value"] for row in values] == ["7.000", "5.250"]


def test_a_quality_manager_sets_a_computed_objective(world, people):
    response = api_as(people[QM]).post(
        URL,
        {
            "title": "Effective CAPAs",
            "source": "capas_found_effective",
            "target": "90",
            "owner": world["owner"],
            "start_date": str(days_from_today(-40)),
            "due_date": world["due"],
            "clauses": ["10.2", "6.2"],
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["metric"], body["unit"], body["direction"]) == ("CAPAs found effective", "%", "higher")
    assert sorted(body["clauses"]) == ["10.2", "6.2"] and body["standing"] == "no_data" and body["latest"] is None


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"measured_on": "2026-13-40", "value": "5"}, "measured_on"),
        ({"measured_on": "{yesterday}", "value": "five"}, "value"),
        ({"measured_on": "{yesterday}", "value": "1" * 20}, "value"),
        ({"measured_on": "{yesterday}", "value": "1.23456"}, "value"),
        ({"measured_on": "{yesterday}", "value": "NaN"}, "value"),
        ({"measured_on": "{tomorrow}", "value": "5"}, "measured_on"),
        ({"measured_on": "{long_ago}", "value": "5"}, "measured_on"),
        ({"measured_on": "{month_ago}", "value": "5"}, "measured_on"),  # that day has a value
        ({"value": "5"}, "measured_on"),
        ({"measured_on": "{yesterday}"}, "value"),
    ],
)
def test_a_bad_value_is_a_400_on_its_field(world, people, body, field):
    days = {
        "yesterday": days_from_today(-1),
        "tomorrow": days_from_today(1),
        "long_ago": days_from_today(-400),
        "month_ago": days_from_today(-30),
    }
    data = {key: value.format(**days) for key, value in body.items()}
    response = api_as(people[EMP]).post(f"{URL}{world['active']}/measurements/", data, format="json")
    assert response.status_code == 400 and field in response.json(), response.content


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"metric": ""}, "metric"),
        ({"direction": "sideways"}, "direction"),
        ({"target": "many"}, "target"),
        ({"owner": 999_999}, "owner"),
        ({"clauses": ["99.9"]}, "clauses"),
        ({"source": "horoscope"}, "source"),
        ({"source": "idea_rate", "metric": "", "unit": "", "direction": "lower"}, "direction"),
        ({"due_date": "yesterday"}, "due_date"),
        ({"start_date": "{late}"}, "due_date"),
        ({"status": "achieved", "title": ""}, "title"),
    ],
)
def test_a_bad_objective_is_a_400_on_its_field(world, people, body, field):
    data: dict[str, Any] = {
        "title": "Fewer returns",
        "metric": "Returns per month",
        "unit": "returns",
        "direction": "lower",
        "target": "2",
        "owner": world["owner"],
        "start_date": str(days_from_today(-1)),
        "due_date": world["due"],
    }
    data |= {
        key: value.format(late=days_from_today(200)) if isinstance(value, str) else value for key, value in body.items()
    }
    response = api_as(people[QM]).post(URL, data, format="json")
    assert response.status_code == 400 and field in response.json(), response.content
    assert Objective.objects.count() == 2


def test_patch_changes_what_may_change_and_refuses_the_rest(world, people):
    client = api_as(people[QM])
    url = f"{URL}{world['active']}/"
    changed = client.patch(url, {"target": "3", "clauses": ["9.1.3"]}, format="json", HTTP_X_CHANGE_REASON="Tighter")
    assert changed.status_code == 200 and changed.json()["target"] == "3.000" and changed.json()["clauses"] == ["9.1.3"]
    assert Objective.objects.get(pk=world["active"]).history.latest().history_change_reason == "Tighter"
    assert client.patch(url, {"source": "idea_rate"}, format="json").json() == {
        "source": ["This is fixed when the objective is set."]
    }
    assert "direction" in client.patch(url, {"direction": "higher"}, format="json").json()  # values exist
    assert "due_date" in client.patch(url, {"due_date": str(days_from_today(-300))}, format="json").json()


def test_closing_answers_the_updated_objective_or_says_what_is_missing(world, people):
    client = api_as(people[QM])
    refused = client.post(f"{URL}{world['active']}/close/", {"outcome": "achieved", "reason": "Looks fine"})
    assert refused.status_code == 400 and "does not meet the target" in refused.json()["outcome"][0]
    assert client.post(f"{URL}{world['active']}/close/", {"outcome": "closed", "reason": "x"}).status_code == 400
    assert "reason" in client.post(f"{URL}{world['active']}/close/", {"outcome": "missed"}).json()
    closed = client.post(f"{URL}{world['active']}/close/", {"outcome": "missed", "reason": "Seven, not four"})
    assert closed.status_code == 200 and closed.json()["status"] == "missed"


def test_the_history_lists_the_objective_and_its_values(world, people):
    entries = api_as(people[AUD]).get(f"{URL}{world['active']}/history/").json()
    reasons = [entry["reason"] for entry in entries]
    assert "Objective set" in reasons and f"Value for {days_from_today(-30)} entered" in reasons


def test_the_list_filters_and_searches(world, people):
    client = api_as(people[COL])
    assert [row["reference"] for row in client.get(f"{URL}?status=achieved").json()["results"]] == ["OBJ-0002"]
    assert [row["reference"] for row in client.get(f"{URL}?search=done").json()["results"]] == ["OBJ-0002"]
    assert client.get(f"{URL}?ordering=-due_date").status_code == 200


def _list_queries(client: APIClient) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(URL).status_code == 200
    return len(queries)


def test_the_list_asks_the_same_number_of_queries_for_2_or_12_objectives(world, people):
    client = api_as(people[EMP])
    two = _list_queries(client)
    for number in range(10):
        extra = set_objective(people[QM], people[EMP], title=f"Objective {number}", baseline=Decimal(number))
        record(extra, people[EMP], 3, str(number))
    assert _list_queries(client) == two
