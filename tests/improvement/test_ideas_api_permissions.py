"""Role-by-endpoint matrix for the ideas API. The employee persona submitted every idea; a second employee champions
the accepted ones; a colleague is an employee with no part in them. Ideas are open to all staff; the external auditor
reads only decided ones. What a user may not see is a 404; what their role or their part in the idea does not allow is
a 403; anonymous calls are 401."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from rest_framework.test import APIClient

from audits import services as audit_services
from capa import services as capa_services
from documents import services as document_services
from documents.models import DocumentType
from improvement import services
from improvement.models import Idea
from qms.models import Clause, Department
from tests.conftest import PASSWORD, api_as
from tests.improvement.conftest import move
from tests.qms.factories import UserFactory

pytestmark = pytest.mark.django_db

QM, AUD, EMP, CHAMP, COL, EXT, NONE, ANON = (
    "quality_manager",
    "auditor",
    "employee",
    "champion",
    "colleague",
    "external_auditor",
    "outsider",
    "anonymous",
)
ROLES = [QM, AUD, EMP, CHAMP, COL, EXT, NONE, ANON]
LIST = {QM: 200, AUD: 200, EMP: 200, CHAMP: 200, COL: 200, EXT: 200, NONE: 403, ANON: 401}
READ_OPEN = {**LIST, EXT: 404}
READ_DECIDED = LIST
# Staff take part (submit, vote, comment, watch); the external auditor only reads.
TAKE_PART = {QM: 200, AUD: 200, EMP: 200, CHAMP: 200, COL: 200, EXT: 403, NONE: 403, ANON: 401}
CREATED = {role: 201 if code == 200 else code for role, code in TAKE_PART.items()}
# Quality managers decide (accept, reject, park); the champion and quality managers run PDCA.
DECIDE = {QM: 200, AUD: 403, EMP: 403, CHAMP: 403, COL: 403, EXT: 403, NONE: 403, ANON: 401}
RUN = {**DECIDE, CHAMP: 200}
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture(autouse=True)
def _media_in_tmp(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def people(personas: dict[str, Any]) -> dict[str, Any]:
    return {
        **personas,
        CHAMP: UserFactory(username="idea.champion", password=PASSWORD, roles=["employee"]),
        COL: UserFactory(username="other.employee", password=PASSWORD, roles=["employee"]),
    }


def _submit(people: dict[str, Any], title: str, **extra: Any) -> Idea:
    return services.idea_submit(
        actor=people[EMP], title=title, problem="Rejects look like released stock.", proposal="Red labels", **extra
    )


@pytest.fixture
def world(people: dict[str, Any]) -> dict[str, Any]:
    """A submitted idea, one in Plan (its plan written) and one in Act (championed), a parked one and a standardized
    one with a file; a draft SOP the champion owns, an audit the auditor persona leads with an OFI, and a CAPA the
    employee owns."""
    qm, champion = people[QM], people[CHAMP]
    submitted = _submit(people, "Submitted")
    ideas = {}
    for stage in ("plan", "act"):
        idea = services.idea_advance(actor=qm, idea=_submit(people, stage.title()), to="accepted", champion=champion)
        ideas[stage] = move(idea, champion, *Idea.PIPELINE[2 : Idea.PIPELINE.index(stage) + 1])
    services.idea_update_notes(actor=champion, idea=ideas["plan"], target_metric="Mix-ups a month", baseline="3")
    parked = services.idea_advance(actor=qm, idea=_submit(people, "Parked"), to="parked", note="After the RFID trial")
    photo = SimpleUploadedFile("pallets.png", PNG, content_type="image/png")
    standardized = move(_submit(people, "Standardized", files=[photo]), qm, *Idea.PIPELINE[1:])

    sop = document_services.document_create(
        actor=qm, document_type=DocumentType.objects.get(code="SOP"), title="Hold area", owner=champion
    )
    audit = audit_services.audit_start(
        actor=people[AUD],
        audit=audit_services.audit_create(
            actor=qm,
            title="Stores",
            scope="Receiving and dispatch",
            clauses=Clause.objects.filter(number="8.5.1"),
            lead_auditor=people[AUD],
            department=Department.objects.create(name="Stores", code="STO"),
            planned_start=timezone.localdate(),
            planned_end=timezone.localdate() + timedelta(days=1),
        ),
    )
    ofi = audit_services.finding_create(
        actor=people[AUD],
        audit=audit,
        type="ofi",
        clause=Clause.objects.get(number="8.5.1"),
        statement="Labels could show the hold status by colour",
    )
    capa = capa_services.capa_create(
        actor=qm,
        title="Rejected pallet shipped",
        source="internal",
        problem="Pallet 14 left with released stock.",
        owner=people[EMP],
        due_date=timezone.localdate() + timedelta(days=60),
    )
    return {
        "submitted": submitted.pk,
        "plan": ideas["plan"].pk,
        "act": ideas["act"].pk,
        "parked": parked.pk,
        "standardized": standardized.pk,
        "file": standardized.attachments.get().pk,
        "sop": sop.pk,
        "ofi": ofi.pk,
        "capa": capa.pk,
        "champion": champion.pk,
    }


MATRIX = [
    ("get", "/api/v1/ideas/", None, LIST),
    ("get", "/api/v1/ideas/{submitted}/", None, READ_OPEN),
    ("get", "/api/v1/ideas/{parked}/", None, READ_DECIDED),
    ("get", "/api/v1/ideas/{submitted}/history/", None, READ_OPEN),
    ("get", "/api/v1/ideas/{standardized}/history/", None, READ_DECIDED),
    ("get", "/api/v1/ideas/{submitted}/comments/", None, READ_OPEN),
    ("get", "/api/v1/ideas/{parked}/comments/", None, READ_DECIDED),
    ("get", "/api/v1/ideas/{standardized}/attachments/{file}/", None, READ_DECIDED),
    ("post", "/api/v1/ideas/", {"title": "t", "problem": "p", "proposal": "q"}, CREATED),
    ("post", "/api/v1/ideas/{submitted}/vote/", None, TAKE_PART),
    ("delete", "/api/v1/ideas/{submitted}/vote/", None, TAKE_PART),
    # Voting closes when an idea is decided: a 400 saying so, to those who may vote.
    (
        "post",
        "/api/v1/ideas/{standardized}/vote/",
        None,
        {**TAKE_PART, QM: 400, AUD: 400, EMP: 400, CHAMP: 400, COL: 400},
    ),
    ("post", "/api/v1/ideas/{submitted}/comments/", {"body": "Yes, **please**"}, CREATED),
    ("post", "/api/v1/ideas/{submitted}/watch/", None, TAKE_PART),
    ("delete", "/api/v1/ideas/{submitted}/watch/", None, TAKE_PART),
    ("post", "/api/v1/ideas/{submitted}/advance/", {"to": "accepted", "champion": "{champion}"}, DECIDE),
    ("post", "/api/v1/ideas/{submitted}/advance/", {"to": "rejected", "note": "Duplicate"}, DECIDE),
    ("post", "/api/v1/ideas/{parked}/advance/", {"to": "accepted"}, {**DECIDE, EXT: 403}),
    ("post", "/api/v1/ideas/{plan}/advance/", {"to": "do"}, RUN),
    ("post", "/api/v1/ideas/{plan}/advance/", {"to": "parked", "note": "Budget"}, DECIDE),
    ("patch", "/api/v1/ideas/{plan}/", {"plan_notes": "Count mix-ups weekly"}, RUN),
    # The SOP is a draft that its owner, the champion, and quality staff see; to other employees it does not exist.
    (
        "post",
        "/api/v1/ideas/{act}/request-change/",
        {"document": "{sop}", "reason": "Red labels"},
        {**RUN, EMP: 400, COL: 400},
    ),
    # Only the audit's auditors (and quality managers) turn its findings into ideas.
    ("post", "/api/v1/findings/{ofi}/raise-idea/", None, {**DECIDE, QM: 201, AUD: 201}),
    # The CAPA's owner and quality managers; employees who cannot see the CAPA are told nothing of it.
    (
        "post",
        "/api/v1/capas/{capa}/raise-idea/",
        {"title": "Hold areas everywhere", "proposal": "Red zones in stores"},
        {**DECIDE, QM: 201, EMP: 201, CHAMP: 404, COL: 404},
    ),
]


def _client(people: dict[str, Any], role: str) -> APIClient:
    return APIClient() if role == ANON else api_as(people[role])


@pytest.mark.parametrize(
    ("method", "path", "body", "expected"), MATRIX, ids=[f"{m} {p} {b or ''}" for m, p, b, _ in MATRIX]
)
@pytest.mark.parametrize("role", ROLES)
def test_role_may_or_may_not_call_idea_endpoint(world, people, role, method, path, body, expected):
    url = path.format(**world)
    data = {key: value.format(**world) if isinstance(value, str) else value for key, value in (body or {}).items()}
    response = getattr(_client(people, role), method)(url, data or None, format="json")
    assert response.status_code == expected[role], response.content


def test_the_external_auditor_lists_only_decided_ideas(world, people):
    rows = api_as(people[EXT]).get("/api/v1/ideas/").json()["results"]
    assert sorted(row["title"] for row in rows) == ["Parked", "Standardized"]


def test_staff_list_every_idea(world, people):
    for role in (QM, AUD, EMP, COL):
        assert api_as(people[role]).get("/api/v1/ideas/").json()["count"] == 5


def test_a_refused_move_changes_nothing(world, people):
    api_as(people[COL]).post(f"/api/v1/ideas/{world['plan']}/advance/", {"to": "do"})
    api_as(people[EMP]).patch(f"/api/v1/ideas/{world['plan']}/", {"plan_notes": "Mine now"})
    idea = Idea.objects.get(pk=world["plan"])
    assert idea.stage == "plan" and idea.plan_notes == "" and idea.stage_changes.count() == 2


def test_the_champion_runs_only_the_ideas_they_champion(world, people):
    champion = api_as(people[CHAMP])
    assert champion.patch(f"/api/v1/ideas/{world['plan']}/", {"plan_notes": "Weekly count"}).status_code == 200
    other = move(Idea.objects.get(pk=world["submitted"]), people[QM], "accepted", "plan")
    assert champion.patch(f"/api/v1/ideas/{other.pk}/", {"plan_notes": "Weekly count"}).status_code == 403
    assert champion.post(f"/api/v1/ideas/{other.pk}/advance/", {"to": "do"}).status_code == 403
