"""The audits API as spec/api.md describes it, and who may call what."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from audits import services
from audits.models import Audit
from qms.models import Clause, User
from tests.conftest import PASSWORD, api_as
from tests.qms.factories import DepartmentFactory, UserFactory

pytestmark = pytest.mark.django_db


def _plan_body(lead, **extra):
    start = timezone.localdate() + timedelta(days=7)
    return {
        "title": "Purchasing",
        "scope": "Supplier selection and evaluation",
        "clauses": ["8.4", "8.4.1"],
        "lead_auditor": lead.pk,
        "planned_start": str(start),
        "planned_end": str(start + timedelta(days=1)),
        **extra,
    }


def test_an_auditor_plans_an_audit(lead):
    response = api_as(lead).post("/api/v1/audits/", _plan_body(lead))
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["reference"].startswith("IA-") and body["status"] == "planned"
    assert body["clauses"] == ["8.4", "8.4.1"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"clauses": ["99.1"]}, "clauses"),
        ({"planned_end": "2000-01-01"}, "planned_end"),
        ({"lead_auditor": 999999}, "lead_auditor"),
        ({"title": ""}, "title"),
    ],
)
def test_bad_audit_input_gets_field_errors(lead, change, field):
    response = api_as(lead).post("/api/v1/audits/", _plan_body(lead, **change))
    assert response.status_code == 400
    assert field in response.json()
    assert not Audit.objects.exists()


def test_independence_is_a_field_error(lead, production):
    insider = UserFactory(roles=["auditor"], department=production)
    response = api_as(lead).post("/api/v1/audits/", _plan_body(lead, department=production.pk, team=[insider.pk]))
    assert response.status_code == 400
    assert "audited department" in response.json()["team"][0]


def test_the_audit_workflow_through_the_api(in_progress, lead):
    client = api_as(lead)
    items = client.get(f"/api/v1/audits/{in_progress.pk}/checklist/").json()
    for item in items:
        assert (
            client.patch(f"/api/v1/checklist-items/{item['id']}/", {"result": "conforming", "notes": "ok"}).status_code
            == 200
        )
    finding = client.post(
        f"/api/v1/audits/{in_progress.pk}/findings/",
        {"type": "observation", "clause": "8.7", "statement": "Hold tags faded", "evidence": "Tag 12 unreadable"},
    )
    assert finding.status_code == 201, finding.content
    assert finding.json()["reference"] == f"{in_progress.reference}-F01"
    assert finding.json()["capa"] is None and finding.json()["idea"] is None
    ready = client.post(f"/api/v1/audits/{in_progress.pk}/report-ready/", {"conclusion": "Effective"})
    assert ready.json()["status"] == "reporting"
    assert client.post(f"/api/v1/audits/{in_progress.pk}/close/", {"password": "nope"}).status_code == 400
    closed = client.post(f"/api/v1/audits/{in_progress.pk}/close/", {"password": PASSWORD})
    assert closed.json()["status"] == "closed"
    assert (
        client.post(
            f"/api/v1/audits/{in_progress.pk}/findings/", {"type": "ofi", "clause": "8.7", "statement": "x"}
        ).status_code
        == 400
    )


def test_a_wrong_checklist_result_is_a_field_error(in_progress, lead):
    item = in_progress.checklist_items.first()
    response = api_as(lead).patch(f"/api/v1/checklist-items/{item.pk}/", {"result": "great"})
    assert response.status_code == 400
    assert "result" in response.json()


def test_history_of_an_audit(in_progress, lead):
    entries = api_as(lead).get(f"/api/v1/audits/{in_progress.pk}/history/").json()
    assert [entry["reason"] for entry in entries][-1] == "Audit planned"


def test_audit_list_runs_a_fixed_number_of_queries(quality_manager, lead, co_auditor):
    def plan(count):
        start = timezone.localdate()
        for index in range(count):
            services.audit_create(
                actor=quality_manager,
                title=f"A{index}",
                scope="s",
                clauses=Clause.objects.filter(number="9.2"),
                lead_auditor=lead,
                team=[co_auditor],
                planned_start=start,
                planned_end=start,
            )

    def count():
        client = api_as(User.objects.get(pk=quality_manager.pk))
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/api/v1/audits/?page_size=100").status_code == 200
        return len(queries)

    plan(1)
    few = count()
    plan(5)
    assert count() == few


QM, AUD, EMP, EXT, NONE = "quality_manager", "auditor", "employee", "external_auditor", "outsider"


@pytest.fixture
def audit_world(in_progress, personas, production):
    """The personas' auditor is not on the team; the employee works in the audited department."""
    personas[EMP].department = production
    personas[EMP].save()
    return {"audit": in_progress.pk, "item": in_progress.checklist_items.first().pk}


MATRIX = [
    ("get", "/api/v1/audits/", None, {QM: 200, AUD: 200, EMP: 200, EXT: 200, NONE: 403}),
    ("get", "/api/v1/audits/{audit}/", None, {QM: 200, AUD: 200, EMP: 200, EXT: 404, NONE: 403}),
    ("get", "/api/v1/audits/{audit}/checklist/", None, {QM: 200, AUD: 200, EMP: 200, EXT: 404, NONE: 403}),
    ("get", "/api/v1/findings/", None, {QM: 200, AUD: 200, EMP: 200, EXT: 200, NONE: 403}),
    ("post", "/api/v1/audits/", "plan", {QM: 201, AUD: 201, EMP: 403, EXT: 403, NONE: 403}),
    (
        "post",
        "/api/v1/audits/{audit}/findings/",
        {"type": "ofi", "clause": "8.7", "statement": "x"},
        {QM: 201, AUD: 403, EMP: 403, EXT: 404, NONE: 403},
    ),
    (
        "patch",
        "/api/v1/checklist-items/{item}/",
        {"result": "conforming"},
        {QM: 200, AUD: 403, EMP: 403, EXT: 404, NONE: 403},
    ),
    ("post", "/api/v1/audits/{audit}/cancel/", {"reason": "x"}, {QM: 200, AUD: 403, EMP: 403, EXT: 404, NONE: 403}),
]


@pytest.mark.parametrize(("method", "path", "body", "expected"), MATRIX, ids=[f"{m} {p}" for m, p, _, _ in MATRIX])
@pytest.mark.parametrize("role", [QM, AUD, EMP, EXT, NONE])
def test_role_may_or_may_not_call_audit_endpoint(audit_world, personas, lead, role, method, path, body, expected):
    if body == "plan":
        body = _plan_body(lead, clauses=["9.2"])
    response = getattr(api_as(personas[role]), method)(path.format(**audit_world), body, format="json")
    assert response.status_code == expected[role], response.content


def test_external_auditors_see_closed_audits_only(in_progress, lead, external_auditor):
    client = api_as(external_auditor)
    assert client.get(f"/api/v1/audits/{in_progress.pk}/").status_code == 404
    for item in in_progress.checklist_items.all():
        services.checklist_answer(actor=lead, item=item, result="conforming")
    services.audit_report_ready(actor=lead, audit=in_progress, conclusion="Good")
    services.audit_close(actor=lead, audit=in_progress, password=PASSWORD)
    assert client.get(f"/api/v1/audits/{in_progress.pk}/").status_code == 200


def test_employees_of_other_departments_do_not_see_the_audit(in_progress):
    stranger = UserFactory(roles=["employee"], department=DepartmentFactory(code="SALES"))
    assert api_as(stranger).get(f"/api/v1/audits/{in_progress.pk}/").status_code == 404
