"""Role-by-endpoint matrix for the CAPA API. The employee persona owns every CAPA (and action A1 of the open one);
the CAPAs and log entries belong to Production, where a colleague works; a stranger works elsewhere. What a user
may not see is a 404; what their role or their part in the record does not allow is a 403; anonymous calls are 401."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from rest_framework.test import APIClient

from capa import services
from capa.models import Capa
from tests.conftest import PASSWORD, api_as
from tests.qms.factories import DepartmentFactory, UserFactory

pytestmark = pytest.mark.django_db

QM, AUD, EMP, COL, STR, EXT, NONE, ANON = (
    "quality_manager",
    "auditor",
    "employee",
    "colleague",
    "stranger",
    "external_auditor",
    "outsider",
    "anonymous",
)
ROLES = [QM, AUD, EMP, COL, STR, EXT, NONE, ANON]
LIST = {QM: 200, AUD: 200, EMP: 200, COL: 200, STR: 200, EXT: 200, NONE: 403, ANON: 401}
READ_OPEN = {QM: 200, AUD: 200, EMP: 200, COL: 200, STR: 404, EXT: 404, NONE: 403, ANON: 401}
READ_CLOSED = {**READ_OPEN, EXT: 200}
# The owner (and quality managers) run a CAPA; other staff who can see it are refused by the service.
RUN_OPEN = {QM: 200, AUD: 403, EMP: 200, COL: 403, STR: 404, EXT: 403, NONE: 403, ANON: 401}
QM_ONLY = {QM: 200, AUD: 403, EMP: 403, COL: 403, STR: 403, EXT: 403, NONE: 403, ANON: 401}
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture(autouse=True)
def _media_in_tmp(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def people(personas: dict[str, Any]) -> dict[str, Any]:
    production = DepartmentFactory(name="Production", code="PROD")
    return {
        **personas,
        COL: UserFactory(username="production.colleague", password=PASSWORD, roles=["employee"], department=production),
        STR: UserFactory(
            username="sales.stranger", password=PASSWORD, roles=["employee"], department=DepartmentFactory()
        ),
    }


def _due(days: int = 30) -> Any:
    return timezone.localdate() + timedelta(days=days)


def _analysed_capa(qm: Any, owner: Any, department: Any, title: str) -> Capa:
    capa = services.capa_create(
        actor=qm, title=title, source="internal", problem="p", owner=owner, due_date=_due(), department=department
    )
    return services.capa_update(
        actor=owner,
        capa=capa,
        root_cause_method="five_whys",
        root_cause_analysis=[{"why": "Why?", "because": "Because."}],
        root_cause="No owner of the hold area.",
        cause_category="method",
    )


def _verifying_capa(qm: Any, owner: Any, department: Any, title: str, *, with_file: bool = False) -> tuple[Capa, Any]:
    capa = _analysed_capa(qm, owner, department, title)
    planned = services.action_create(actor=owner, capa=capa, description="Do it", owner=owner, due_date=_due())
    for step in ("investigating", "implementing"):
        capa = services.capa_advance(actor=owner, capa=capa, to=step)
    files = [SimpleUploadedFile("proof.png", PNG, content_type="image/png")] if with_file else []
    services.action_complete(actor=owner, action=planned, evidence="Done", files=files)
    return services.capa_advance(actor=owner, capa=capa, to="verifying"), planned


@pytest.fixture
def world(people: dict[str, Any]) -> dict[str, Any]:
    """An open CAPA with action A1, a CAPA awaiting verification, a closed CAPA with an evidence file, and an open
    and a closed log entry, all of Production."""
    qm, owner, production = people[QM], people[EMP], people[COL].department
    opened = _analysed_capa(qm, owner, production, "Open one")
    action = services.action_create(actor=owner, capa=opened, description="Name an owner", owner=owner, due_date=_due())
    verifying, _ = _verifying_capa(qm, owner, production, "Verifying one")
    closed, closed_action = _verifying_capa(qm, owner, production, "Closed one", with_file=True)
    services.capa_verify(actor=qm, capa=closed, effective=True, password=PASSWORD, comment="No repeat")
    entry = services.nonconformity_report(actor=owner, title="Leak", description="Valve 3", department=production)
    dealt_with = services.nonconformity_report(actor=owner, title="Dent", description="Panel", department=production)
    services.nonconformity_close(actor=qm, nonconformity=dealt_with, disposition="rework", note="One-off")
    return {
        "open": opened.pk,
        "verifying": verifying.pk,
        "closed": closed.pk,
        "action": action.pk,
        "closed_action": closed_action.pk,
        "file": closed_action.evidence_files.get().pk,
        "nc": entry.pk,
        "closed_nc": dealt_with.pk,
        "owner": owner.pk,
        "due": str(_due()),
    }


MATRIX = [
    # CAPAs
    ("get", "/api/v1/capas/", None, LIST),
    ("get", "/api/v1/capas/{open}/", None, READ_OPEN),
    ("get", "/api/v1/capas/{closed}/", None, READ_CLOSED),
    ("get", "/api/v1/capas/{open}/history/", None, READ_OPEN),
    ("get", "/api/v1/capas/{closed}/history/", None, READ_CLOSED),
    ("get", "/api/v1/capas/{open}/actions/", None, READ_OPEN),
    ("get", "/api/v1/capas/{closed}/actions/", None, READ_CLOSED),
    (
        "post",
        "/api/v1/capas/",
        {"title": "t", "source": "internal", "problem": "p", "owner": "{owner}", "due_date": "{due}"},
        {QM: 201, AUD: 201, EMP: 403, COL: 403, STR: 403, EXT: 403, NONE: 403, ANON: 401},
    ),
    ("patch", "/api/v1/capas/{open}/", {"containment": "Lot held"}, RUN_OPEN),
    # Those who run it may not change a closed CAPA either: a 400 saying so.
    ("patch", "/api/v1/capas/{closed}/", {"containment": "x"}, {**RUN_OPEN, QM: 400, EMP: 400}),
    (
        "post",
        "/api/v1/capas/{open}/actions/",
        {"description": "Train the shift", "owner": "{owner}", "due_date": "{due}"},
        {**RUN_OPEN, QM: 201, EMP: 201},
    ),
    ("post", "/api/v1/capas/{open}/advance/", {"to": "investigating"}, RUN_OPEN),
    ("post", "/api/v1/capas/{verifying}/verify/", {"effective": True, "password": PASSWORD}, QM_ONLY),
    ("post", "/api/v1/capas/{open}/cancel/", {"reason": "Duplicate"}, QM_ONLY),
    # Actions
    ("get", "/api/v1/capa-actions/", None, LIST),
    ("get", "/api/v1/capa-actions/{action}/", None, READ_OPEN),
    ("get", "/api/v1/capa-actions/{closed_action}/", None, READ_CLOSED),
    ("get", "/api/v1/capa-actions/{closed_action}/files/{file}/", None, READ_CLOSED),
    # Only the action's owner completes it, not even a quality manager.
    ("post", "/api/v1/capa-actions/{action}/complete/", {"evidence": "Done"}, {**RUN_OPEN, QM: 403}),
    ("post", "/api/v1/capa-actions/{action}/cancel/", {"reason": "Not needed"}, RUN_OPEN),
    # Nonconformity log
    ("get", "/api/v1/nonconformities/", None, LIST),
    ("get", "/api/v1/nonconformities/{nc}/", None, READ_OPEN),
    ("get", "/api/v1/nonconformities/{closed_nc}/", None, READ_CLOSED),
    ("get", "/api/v1/nonconformities/{nc}/history/", None, READ_OPEN),
    (
        "post",
        "/api/v1/nonconformities/",
        {"title": "Spill", "description": "Oil at line 3"},
        {QM: 201, AUD: 201, EMP: 201, COL: 201, STR: 201, EXT: 403, NONE: 403, ANON: 401},
    ),
    ("post", "/api/v1/nonconformities/{nc}/close/", {"disposition": "scrap", "note": "One-off"}, QM_ONLY),
    (
        "post",
        "/api/v1/nonconformities/{nc}/escalate/",
        {"owner": "{owner}", "due_date": "{due}"},
        {**QM_ONLY, QM: 201},
    ),
]


def _client(people: dict[str, Any], role: str) -> APIClient:
    return APIClient() if role == ANON else api_as(people[role])


@pytest.mark.parametrize(("method", "path", "body", "expected"), MATRIX, ids=[f"{m} {p}" for m, p, _, _ in MATRIX])
@pytest.mark.parametrize("role", ROLES)
def test_role_may_or_may_not_call_capa_endpoint(world, people, role, method, path, body, expected):
    url = path.format(**world)
    data = {key: value.format(**world) if isinstance(value, str) else value for key, value in (body or {}).items()}
    response = getattr(_client(people, role), method)(url, data or None, format="json")
    assert response.status_code == expected[role], response.content


def _references(people: dict[str, Any], role: str, path: str, field: str = "reference") -> list[str]:
    response = _client(people, role).get(path)
    assert response.status_code == 200, response.content
    return sorted(row[field] for row in response.json()["results"])


def test_the_external_auditor_lists_only_closed_capas_and_dealt_with_entries(world, people):
    closed = Capa.objects.get(pk=world["closed"])
    assert _references(people, EXT, "/api/v1/capas/") == [closed.reference]
    assert _references(people, EXT, "/api/v1/capa-actions/", "label") == [f"{closed.reference}/A1"]
    assert _references(people, EXT, "/api/v1/nonconformities/", "title") == ["Dent"]


def test_a_stranger_lists_nothing_of_another_department(world, people):
    assert _references(people, STR, "/api/v1/capas/") == []
    assert _references(people, STR, "/api/v1/capa-actions/", "label") == []
    assert _references(people, STR, "/api/v1/nonconformities/", "title") == []


def test_the_colleague_and_quality_staff_list_everything_of_production(world, people):
    for role in (QM, AUD, COL):
        assert len(_references(people, role, "/api/v1/capas/")) == 3
        assert _references(people, role, "/api/v1/nonconformities/", "title") == ["Dent", "Leak"]


def test_an_action_owner_sees_its_capa_and_completes_the_action(world, people):
    capa = Capa.objects.get(pk=world["open"])
    stranger = people[STR]
    theirs = services.action_create(
        actor=people[QM], capa=capa, description="Check stock at sales", owner=stranger, due_date=_due()
    )
    client = api_as(stranger)
    assert client.get(f"/api/v1/capas/{capa.pk}/").status_code == 200
    assert _references(people, STR, "/api/v1/capa-actions/?mine=true", "label") == [theirs.label]
    done = client.post(f"/api/v1/capa-actions/{theirs.pk}/complete/", {"evidence": "Checked, none found"})
    assert done.status_code == 200 and done.json()["status"] == "done"
    # Seeing the CAPA through one's action does not make one its manager.
    assert client.patch(f"/api/v1/capas/{capa.pk}/", {"containment": "x"}).status_code == 403
    assert client.post(f"/api/v1/capa-actions/{world['action']}/complete/", {"evidence": "x"}).status_code == 403


def test_links_show_only_the_records_the_user_may_see(world, people):
    elsewhere = services.nonconformity_report(actor=people[STR], title="Quote wrong", description="Sales slip")
    capa = services.nonconformity_escalate(
        actor=people[QM], nonconformity=elsewhere, owner=people[EMP], due_date=_due()
    )
    assert api_as(people[QM]).get(f"/api/v1/capas/{capa.pk}/").json()["nonconformities"] == [elsewhere.pk]
    assert api_as(people[EMP]).get(f"/api/v1/capas/{capa.pk}/").json()["nonconformities"] == []
    assert api_as(people[QM]).get(f"/api/v1/nonconformities/{elsewhere.pk}/").json()["capas"] == [capa.pk]
    # The escalated entry is dealt with, so the external auditor reads it; its CAPA is still open, so not that.
    assert api_as(people[EXT]).get(f"/api/v1/nonconformities/{elsewhere.pk}/").json()["capas"] == []
