"""The management review API: a role-by-endpoint matrix, validation (400 with the field, never a 500), and the answers
of each workflow action. The chair (an employee) and the production manager (an attendee who owns the actions) have
their part in the reviews; the employee persona has none. What a user may not see is a 404; what their role or part
does not allow is a 403; anonymous calls are 401."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from capa.models import Capa
from qms.models import SignatureFailure
from qms.reviews import services
from qms.reviews.models import ManagementReview, ReviewAction
from tests.conftest import PASSWORD, api_as
from tests.reviews.conftest import decide, hold, in_days, start

pytestmark = pytest.mark.django_db

QM, AUD, EMP, EXT, NONE, ANON, CHAIR, MEMBER = (
    "quality_manager",
    "auditor",
    "employee",
    "external_auditor",
    "outsider",
    "anonymous",
    "chair",
    "member",
)
ROLES = [QM, AUD, EMP, EXT, NONE, ANON, CHAIR, MEMBER]
LIST = {QM: 200, AUD: 200, EMP: 200, EXT: 200, NONE: 403, ANON: 401, CHAIR: 200, MEMBER: 200}
READ = {QM: 200, AUD: 200, EMP: 404, EXT: 404, NONE: 403, ANON: 401, CHAIR: 200, MEMBER: 200}
READ_SIGNED = {**READ, EXT: 200}
RUNNERS = {QM: 200, AUD: 403, EMP: 403, EXT: 403, NONE: 403, ANON: 401, CHAIR: 403, MEMBER: 403}


@pytest.fixture
def people(personas, chair, member) -> dict[str, Any]:
    return {**personas, CHAIR: chair, MEMBER: member}


@pytest.fixture
def world(people, document) -> dict[str, Any]:
    """A review being prepared, one held with a decision and two actions of the production manager, one signed."""
    qm, chair, member = people[QM], people[CHAIR], people[MEMBER]
    preparing = start(qm, chair, member)
    held = hold(start(qm, chair, member), qm, member)
    decision = decide(held, qm, member)
    second = services.action_add(actor=qm, decision=decision, description="Brief", owner=member, due_date=in_days(9))
    signed = hold(start(qm, chair, member), qm, member)
    decide(signed, qm, member)
    services.review_sign(actor=chair, review=signed, password=PASSWORD)
    return {
        "preparing": preparing.pk,
        "held": held.pk,
        "signed": signed.pk,
        "action": held.actions.get(number=1).pk,
        "second": second.pk,
        "member": member.pk,
        "chair": chair.pk,
        "document": document.pk,
        "today": timezone.localdate().isoformat(),
        "due": in_days(30).isoformat(),
    }


MATRIX = [
    ("get", "/api/v1/management-reviews/", None, LIST),
    ("get", "/api/v1/management-reviews/{preparing}/", None, READ),
    ("get", "/api/v1/management-reviews/{signed}/", None, READ_SIGNED),
    ("get", "/api/v1/management-reviews/{preparing}/history/", None, READ),
    ("get", "/api/v1/management-reviews/{signed}/history/", None, READ_SIGNED),
    (
        "post",
        "/api/v1/management-reviews/",
        {
            "title": "Review",
            "period_start": "2026-01-01",
            "period_end": "2026-12-31",
            "planned_on": "{due}",
            "chair": "{chair}",
        },
        {**RUNNERS, QM: 201},
    ),
    ("post", "/api/v1/management-reviews/{preparing}/refresh-inputs/", None, RUNNERS),
    (
        "post",
        "/api/v1/management-reviews/{preparing}/hold/",
        {"held_on": "{today}", "attendees": ["{member}"], "minutes": "Discussed", "conclusion": "Effective"},
        RUNNERS,
    ),
    (
        "post",
        "/api/v1/management-reviews/{held}/decisions/",
        {"kind": "resources", "text": "A second inspector", "actions": []},
        {**RUNNERS, QM: 201},
    ),
    ("post", "/api/v1/management-reviews/{preparing}/cancel/", {"reason": "Merged"}, RUNNERS),
    # Only the chair signs: a quality manager who can see it is refused (403), others cannot see a held review (404).
    (
        "post",
        "/api/v1/management-reviews/{held}/sign/",
        {"password": PASSWORD},
        {QM: 403, AUD: 403, EMP: 404, EXT: 404, NONE: 403, ANON: 401, CHAIR: 200, MEMBER: 403},
    ),
    (
        "post",
        "/api/v1/management-reviews/{signed}/pdf/",
        None,
        {QM: 202, AUD: 202, EMP: 404, EXT: 202, NONE: 403, ANON: 401, CHAIR: 202, MEMBER: 202},
    ),
    ("get", "/api/v1/management-review-actions/", None, LIST),
    ("get", "/api/v1/management-review-actions/{action}/", None, READ),
    # The owner reports a plain action done, as may a quality manager; others of the staff who see it may not.
    (
        "post",
        "/api/v1/management-review-actions/{action}/complete/",
        {"note": "Done"},
        {QM: 200, AUD: 403, EMP: 404, EXT: 403, NONE: 403, ANON: 401, CHAIR: 403, MEMBER: 200},
    ),
    ("post", "/api/v1/management-review-actions/{action}/cancel/", {"reason": "Not needed"}, RUNNERS),
    ("post", "/api/v1/management-review-actions/{action}/raise-capa/", {}, RUNNERS),
    ("post", "/api/v1/management-review-actions/{action}/raise-idea/", {"category": "cost"}, RUNNERS),
    ("post", "/api/v1/management-review-actions/{action}/request-change/", {"document": "{document}"}, RUNNERS),
]


def _client(people: dict[str, Any], role: str) -> APIClient:
    return APIClient() if role == ANON else api_as(people[role])


def _body(body: Any, world: dict[str, Any]) -> Any:
    if isinstance(body, str):
        return body.format(**world)
    if isinstance(body, list):
        return [_body(item, world) for item in body]
    if isinstance(body, dict):
        return {key: _body(value, world) for key, value in body.items()}
    return body


@pytest.mark.parametrize(("method", "path", "body", "expected"), MATRIX, ids=[f"{m} {p}" for m, p, _, _ in MATRIX])
@pytest.mark.parametrize("role", ROLES)
def test_role_may_or_may_not_call_review_endpoint(
    world, people, role, method, path, body, expected, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    response = getattr(_client(people, role), method)(path.format(**world), _body(body, world), format="json")
    assert response.status_code == expected[role], response.content


def _references(people: dict[str, Any], role: str) -> list[str]:
    response = _client(people, role).get("/api/v1/management-reviews/")
    assert response.status_code == 200, response.content
    return sorted(row["reference"] for row in response.json()["results"])


def test_each_lists_the_reviews_they_may_see(world, people):
    every = sorted(ManagementReview.objects.values_list("reference", flat=True))
    signed = ManagementReview.objects.get(pk=world["signed"]).reference
    assert _references(people, QM) == every == _references(people, AUD) == _references(people, CHAIR)
    assert _references(people, EXT) == [signed]
    assert _references(people, EMP) == []


def test_a_review_carries_its_inputs_decisions_actions_and_signature(world, people):
    data = api_as(people[QM]).get(f"/api/v1/management-reviews/{world['signed']}/").json()
    assert data["status"] == "signed" and data["chair_name"] == "Richard Hughes"
    assert [section["clause"] for section in data["inputs"]["sections"]][:2] == ["9.3.2 a)", "9.3.2 c) 1)"]
    action = data["decisions"][0]["actions"][0]
    assert action["status"] == "open" and action["follow_up"] == {"label": "Open", "ended": False, "done": False}
    assert data["signature"]["meaning"] == "approved" and len(data["signature"]["content_sha256"]) == 64
    listed = api_as(people[QM]).get("/api/v1/management-reviews/").json()["results"][0]
    assert "inputs" not in listed, "a list leaves the snapshots out"


def test_a_review_is_started_held_decided_and_signed_through_the_api(people):
    qm, chair, member = api_as(people[QM]), api_as(people[CHAIR]), people[MEMBER]
    created = qm.post(
        "/api/v1/management-reviews/",
        {
            "title": "Review 2026",
            "period_start": "2026-01-01",
            "period_end": "2026-12-31",
            "planned_on": in_days(3).isoformat(),
            "chair": people[CHAIR].pk,
            "attendees": [member.pk],
            "issues": "New competitor",
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    review = created.json()
    assert review["reference"] == "MR-2026-001" and review["status"] == "preparing" and review["inputs"]["sections"]
    url = f"/api/v1/management-reviews/{review['id']}/"
    held = qm.post(
        f"{url}hold/",
        {"held_on": timezone.localdate().isoformat(), "attendees": [member.pk], "minutes": "Discussed"},
        format="json",
    )
    assert held.status_code == 200 and held.json()["status"] == "held"
    decided = qm.post(
        f"{url}decisions/",
        {
            "kind": "improvement",
            "text": "Shorter changeovers",
            "actions": [{"description": "SMED workshop", "owner": member.pk, "due_date": in_days(40).isoformat()}],
        },
        format="json",
    )
    assert decided.status_code == 201
    assert decided.json()["decisions"][0]["actions"][0]["label"] == "MR-2026-001/A1"
    refused = chair.post(f"{url}sign/", {"password": PASSWORD}, format="json")
    assert refused.status_code == 400 and "conclusion" in refused.json()["detail"]
    qm.post(
        f"{url}hold/",
        {
            "held_on": timezone.localdate().isoformat(),
            "attendees": [member.pk],
            "minutes": "Discussed",
            "conclusion": "Effective",
        },
        format="json",
    )
    wrong = chair.post(f"{url}sign/", {"password": "nope"}, format="json")
    assert wrong.status_code == 400 and wrong.json() == {
        "password": ["The password is not correct. Nothing was signed."]
    }
    assert SignatureFailure.objects.count() == 1
    signed = chair.post(f"{url}sign/", {"password": PASSWORD, "comment": "Approved"}, format="json")
    assert signed.status_code == 200 and signed.json()["status"] == "signed"
    again = qm.post(f"{url}decisions/", {"kind": "resources", "text": "More"}, format="json")
    assert again.status_code == 400 and "final" in again.json()["detail"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"period_end": "2025-01-01"}, "period_end"),
        ({"period_start": "yesterday"}, "period_start"),
        ({"chair": 999999}, "chair"),
        ({"planned_on": "2020-01-01"}, "planned_on"),
        ({"title": ""}, "title"),
        ({"attendees": "everyone"}, "attendees"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(people, body, field):
    data = {
        "title": "Review",
        "period_start": "2026-01-01",
        "period_end": "2026-12-31",
        "planned_on": in_days(3).isoformat(),
        "chair": people[CHAIR].pk,
        **body,
    }
    response = api_as(people[QM]).post("/api/v1/management-reviews/", data, format="json")
    assert response.status_code == 400 and field in response.json(), response.content
    assert not ManagementReview.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kind": "whatever", "text": "t"}, "kind"),
        ({"kind": "improvement"}, "text"),
        (
            {"kind": "improvement", "text": "t", "actions": [{"description": "d", "owner": 999999, "due_date": "x"}]},
            "actions",
        ),
        (
            {
                "kind": "improvement",
                "text": "t",
                "actions": [{"description": "d", "owner": "{member}", "due_date": "2020-01-01"}],
            },
            "due_date",
        ),
    ],
)
def test_a_bad_decision_is_a_400_naming_the_field(world, people, body, field):
    response = api_as(people[QM]).post(
        f"/api/v1/management-reviews/{world['held']}/decisions/", _body(body, world), format="json"
    )
    assert response.status_code == 400 and field in response.json(), response.content


def test_actions_are_handed_over_through_the_api_and_show_what_they_became(world, people):
    qm = api_as(people[QM])
    response = qm.post(
        f"/api/v1/management-review-actions/{world['action']}/raise-capa/", {"severity": "high"}, format="json"
    )
    assert response.status_code == 200
    capa = Capa.objects.get()
    assert response.json()["capa"] == capa.pk and response.json()["status"] == "handed_over"
    assert response.json()["follow_up"]["label"] == f"{capa.reference} open"
    again = qm.post(f"/api/v1/management-review-actions/{world['action']}/raise-idea/", {}, format="json")
    assert again.status_code == 400
    bad = qm.post(
        f"/api/v1/management-review-actions/{world['second']}/request-change/", {"document": 999999}, format="json"
    )
    assert bad.status_code == 400 and "document" in bad.json()
    assert ReviewAction.objects.get(pk=world["second"]).status == ReviewAction.Status.OPEN
