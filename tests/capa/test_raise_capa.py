"""Opening CAPAs, on their own and from audit findings, and the audit closing rule they unblock."""

from datetime import timedelta

import pytest
from django.utils import timezone

from audits import services as audit_services
from capa import services
from capa.models import Capa
from qms.errors import DomainError, NotAllowed
from qms.models import Clause
from tests.conftest import PASSWORD, api_as

pytestmark = pytest.mark.django_db


@pytest.fixture
def nonconformity(in_progress, lead):
    return audit_services.finding_create(
        actor=lead,
        audit=in_progress,
        type="major_nc",
        clause=Clause.objects.get(number="8.7"),
        statement="Rejected bottles stored with released stock",
        evidence="Pallet 14, no hold label",
    )


def _due():
    return timezone.localdate() + timedelta(days=30)


def test_a_capa_raised_from_a_finding_is_filled_in_and_linked(nonconformity, lead, employee):
    capa = services.capa_raise_from_finding(actor=lead, finding=nonconformity, owner=employee, due_date=_due())
    assert capa.reference == "CAPA-0001"
    assert capa.status == Capa.Status.OPEN
    assert capa.source == Capa.Source.AUDIT_FINDING
    assert capa.severity == Capa.Severity.HIGH
    assert "Pallet 14" in capa.problem
    assert list(nonconformity.capas.all()) == [capa]
    assert nonconformity.has_capa
    assert employee.notifications.filter(subject__startswith="You own CAPA-0001").exists()


def test_a_finding_that_already_has_a_capa_is_refused(nonconformity, lead, employee):
    services.capa_raise_from_finding(actor=lead, finding=nonconformity, owner=employee, due_date=_due())
    with pytest.raises(DomainError, match=f"already have a CAPA: {nonconformity.reference}"):
        services.capa_raise_from_finding(actor=lead, finding=nonconformity, owner=employee, due_date=_due())
    assert Capa.objects.count() == 1


def test_due_dates_in_the_past_and_outsiders_are_refused(nonconformity, lead, employee, auditee):
    with pytest.raises(DomainError, match="due date cannot be in the past"):
        services.capa_raise_from_finding(
            actor=lead, finding=nonconformity, owner=employee, due_date=timezone.localdate() - timedelta(days=1)
        )
    with pytest.raises(NotAllowed):
        services.capa_raise_from_finding(actor=auditee, finding=nonconformity, owner=employee, due_date=_due())


def test_the_audit_closes_once_every_nonconformity_has_a_capa(in_progress, nonconformity, lead, employee):
    for item in in_progress.checklist_items.all():
        audit_services.checklist_answer(actor=lead, item=item, result="nonconforming", notes="see finding")
    audit_services.audit_report_ready(actor=lead, audit=in_progress, conclusion="Not effective in the hold area")
    with pytest.raises(DomainError, match="no CAPA yet"):
        audit_services.audit_close(actor=lead, audit=in_progress, password=PASSWORD)
    services.capa_raise_from_finding(actor=lead, finding=nonconformity, owner=employee, due_date=_due())
    audit_services.audit_close(actor=lead, audit=in_progress, password=PASSWORD)
    in_progress.refresh_from_db()
    assert in_progress.status == "closed"


def test_raise_capa_through_the_api_and_the_finding_shows_it(nonconformity, lead, employee):
    response = api_as(lead).post(
        f"/api/v1/findings/{nonconformity.pk}/raise-capa/", {"owner": employee.pk, "due_date": str(_due())}
    )
    assert response.status_code == 201, response.content
    capa = response.json()
    assert capa["reference"] == "CAPA-0001" and capa["status"] == "open" and capa["findings"] == [nonconformity.pk]
    finding = api_as(lead).get(f"/api/v1/findings/{nonconformity.pk}/").json()
    assert finding["capa"] == capa["id"]
    again = api_as(lead).post(
        f"/api/v1/findings/{nonconformity.pk}/raise-capa/", {"owner": employee.pk, "due_date": str(_due())}
    )
    assert again.status_code == 400


def test_capas_api_contract_and_permissions(nonconformity, lead, employee, quality_manager, external_auditor):
    body = {
        "title": "Labels fade on hold tags",
        "kind": "preventive",
        "source": "internal",
        "severity": "low",
        "problem": "Thermal labels fade within weeks",
        "owner": employee.pk,
        "due_date": str(_due()),
    }
    created = api_as(quality_manager).post("/api/v1/capas/", body)
    assert created.status_code == 201, created.content
    assert {"id", "reference", "status"} <= set(created.json())
    assert api_as(employee).post("/api/v1/capas/", body).status_code == 403
    assert api_as(employee).get(f"/api/v1/capas/{created.json()['id']}/").status_code == 200  # the owner
    assert api_as(external_auditor).get(f"/api/v1/capas/{created.json()['id']}/").status_code == 404
    bad = api_as(quality_manager).post("/api/v1/capas/", {**body, "due_date": "2000-01-01"})
    assert bad.status_code == 400 and "due_date" in bad.json()
    assert (
        api_as(employee)
        .post(f"/api/v1/findings/{nonconformity.pk}/raise-capa/", {"owner": employee.pk, "due_date": str(_due())})
        .status_code
        == 403
    )


def test_the_register_lists_visible_capas_with_a_fixed_number_of_queries(client, nonconformity, lead, employee):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from qms.models import User

    services.capa_raise_from_finding(actor=lead, finding=nonconformity, owner=employee, due_date=_due())

    def count():
        client.force_login(User.objects.get(pk=lead.pk))
        with CaptureQueriesContext(connection) as queries:
            page = client.get("/capa/").content.decode()
        return len(queries), page

    few, page = count()
    assert "CAPA-0001" in page and nonconformity.reference in page
    for index in range(4):
        services.capa_create(
            actor=lead, title=f"t{index}", source="internal", problem="p", owner=employee, due_date=_due()
        )
    assert count()[0] == few


def test_the_findings_register_filters_by_whether_a_capa_exists(client, in_progress, nonconformity, lead, employee):
    other = audit_services.finding_create(
        actor=lead,
        audit=in_progress,
        type="minor_nc",
        clause=Clause.objects.get(number="8.5.1"),
        statement="Unsigned batch record",
    )
    services.capa_raise_from_finding(actor=lead, finding=nonconformity, owner=employee, due_date=_due())
    client.force_login(lead)
    with_capa = client.get("/audits/findings/?capa=yes").content.decode()
    without = client.get("/audits/findings/?capa=no").content.decode()
    assert nonconformity.reference in with_capa and other.reference not in with_capa
    assert other.reference in without and nonconformity.reference not in without


def test_the_audit_page_asks_a_fixed_number_of_queries_whatever_its_findings(client, in_progress, lead, employee):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from qms.models import User

    def count():
        client.force_login(User.objects.get(pk=lead.pk))
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"/audits/{in_progress.pk}/").status_code == 200
        return len(queries)

    clause = Clause.objects.get(number="8.7")
    first = audit_services.finding_create(actor=lead, audit=in_progress, type="minor_nc", clause=clause, statement="a")
    services.capa_raise_from_finding(actor=lead, finding=first, owner=employee, due_date=_due())
    count()  # the first page of a run also fills Django's content-type cache
    few = count()
    for index in range(5):
        audit_services.finding_create(
            actor=lead, audit=in_progress, type="minor_nc", clause=clause, statement=f"b{index}"
        )
    assert count() == few
