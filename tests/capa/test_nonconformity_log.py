"""The nonconformity log: anyone reports, quality managers triage to a disposition or to a CAPA."""

from __future__ import annotations

import pytest

from capa import services
from capa.models import Capa, Nonconformity
from qms.errors import DomainError, NotAllowed
from qms.models import Clause
from tests.capa.conftest import in_days

pytestmark = pytest.mark.django_db


@pytest.fixture
def reported(employee, quality_manager):
    return services.nonconformity_report(
        actor=employee,
        title="Label printer skipped lot codes",
        description="Twelve cartons without a lot code on line 2.",
        location="Line 2 labeller",
        source=Nonconformity._meta.get_field("source").default,
        severity="medium",
        containment="Cartons held and relabelled.",
        clause=Clause.objects.get(number="8.5.2"),
    )


def test_any_employee_reports_and_quality_managers_are_told(reported, employee, quality_manager):
    assert reported.reference == "NC-0001"
    assert reported.status == Nonconformity.Status.OPEN
    assert reported.department == employee.department
    assert quality_manager.notifications.filter(subject__startswith="NC-0001 reported").exists()


def test_a_customer_complaint_needs_its_customer_and_a_reply_date(employee):
    complaint = {"actor": employee, "title": "Leaking caps", "description": "Three bottles leaked"}
    with pytest.raises(DomainError, match="names its customer") as refused:
        services.nonconformity_report(**complaint, source="customer_complaint", reply_due=in_days(5))
    assert refused.value.field == "customer"
    with pytest.raises(DomainError, match="by when the customer") as refused:
        services.nonconformity_report(**complaint, source="customer_complaint", customer="Acme Foods")
    assert refused.value.field == "reply_due"
    with pytest.raises(DomainError, match="reply due cannot be in the past"):
        services.nonconformity_report(
            **complaint, source="customer_complaint", customer="Acme Foods", reply_due=in_days(-1)
        )
    assert not Nonconformity.objects.exists()
    entry = services.nonconformity_report(
        **complaint, source="customer_complaint", customer="Acme Foods", customer_reference="C-88", reply_due=in_days(5)
    )
    assert entry.is_complaint and not entry.reply_overdue


def test_a_quality_manager_closes_with_a_disposition_and_a_reason(reported, quality_manager, employee):
    with pytest.raises(NotAllowed):
        services.nonconformity_close(actor=employee, nonconformity=reported, disposition="rework", note="Relabelled")
    with pytest.raises(DomainError, match="Choose a disposition"):
        services.nonconformity_close(actor=quality_manager, nonconformity=reported, disposition="", note="x")
    with pytest.raises(DomainError, match="Say why no corrective action"):
        services.nonconformity_close(actor=quality_manager, nonconformity=reported, disposition="rework", note="")
    closed = services.nonconformity_close(
        actor=quality_manager, nonconformity=reported, disposition="rework", note="One-off printer jam, fixed."
    )
    assert (closed.status, closed.disposition, closed.triaged_by) == ("closed", "rework", quality_manager)
    assert employee.notifications.filter(subject__startswith="NC-0001 closed").exists()
    with pytest.raises(DomainError, match="already closed"):
        services.nonconformity_close(actor=quality_manager, nonconformity=closed, disposition="scrap", note="Again")


def test_escalating_opens_a_capa_filled_in_and_linked_both_ways(reported, quality_manager, employee):
    capa = services.nonconformity_escalate(
        actor=quality_manager, nonconformity=reported, owner=employee, due_date=in_days(45)
    )
    reported.refresh_from_db()
    assert reported.status == Nonconformity.Status.ESCALATED
    assert list(reported.capas.all()) == [capa]
    assert list(capa.nonconformities.all()) == [reported]
    assert capa.title.startswith("NC-0001: Label printer")
    assert "Line 2 labeller" in capa.problem
    assert (capa.clause, capa.containment, capa.status) == (reported.clause, reported.containment, Capa.Status.OPEN)
    with pytest.raises(DomainError, match="already escalated"):
        services.nonconformity_escalate(
            actor=quality_manager, nonconformity=reported, owner=employee, due_date=in_days(45)
        )
    assert Capa.objects.count() == 1


def test_an_escalation_that_fails_leaves_the_entry_open(reported, quality_manager, employee):
    with pytest.raises(DomainError, match="due date cannot be in the past"):
        services.nonconformity_escalate(
            actor=quality_manager, nonconformity=reported, owner=employee, due_date=in_days(-3)
        )
    reported.refresh_from_db()
    assert reported.status == Nonconformity.Status.OPEN
    assert not Capa.objects.exists()


def test_an_entry_from_an_audit_finding_carries_the_finding_to_its_capa(in_progress, lead, quality_manager, employee):
    from audits import services as audit_services

    finding = audit_services.finding_create(
        actor=lead, audit=in_progress, type="minor_nc", clause=Clause.objects.get(number="7.1.5"), statement="Scale"
    )
    with pytest.raises(DomainError, match="Only an entry from an audit finding"):
        services.nonconformity_report(actor=lead, title="Scale", description="Overdue", finding=finding)
    entry = services.nonconformity_report(
        actor=lead, title="Scale", description="Overdue", source="audit_finding", finding=finding
    )
    assert entry.clause == finding.clause
    capa = services.nonconformity_escalate(
        actor=quality_manager, nonconformity=entry, owner=employee, due_date=in_days(9)
    )
    assert list(finding.capas.all()) == [capa]


def test_who_sees_which_entries(reported, employee, quality_manager, auditor, external_auditor, outsider):
    from tests.qms.factories import UserFactory

    colleague = UserFactory(username="colleague", roles=["employee"], department=employee.department)
    elsewhere = UserFactory(username="elsewhere", roles=["employee"])
    for user in (employee, colleague, quality_manager, auditor):
        assert list(Nonconformity.objects.visible_to(user)) == [reported], user
    for user in (elsewhere, outsider, external_auditor):
        assert not Nonconformity.objects.visible_to(user).exists(), user
    services.nonconformity_close(actor=quality_manager, nonconformity=reported, disposition="rework", note="Fixed")
    assert list(Nonconformity.objects.visible_to(external_auditor)) == [reported]


def test_linking_entries_when_opening_a_capa_triages_them_once(reported, quality_manager, auditor, employee):
    opening = {
        "title": "Labels",
        "source": "internal",
        "problem": "Lot codes",
        "owner": employee,
        "due_date": in_days(30),
        "nonconformities": [reported],
    }
    with pytest.raises(NotAllowed, match="Quality managers triage"):
        services.capa_create(actor=auditor, **opening)
    capa = services.capa_create(actor=quality_manager, **opening)
    reported.refresh_from_db()
    assert (reported.status, reported.triaged_by) == (Nonconformity.Status.ESCALATED, quality_manager)
    with pytest.raises(DomainError, match="already triaged: NC-0001") as refused:
        services.capa_create(actor=quality_manager, **opening)
    assert refused.value.field == "nonconformities"
    assert Capa.objects.get() == capa


def test_escalating_an_entry_whose_finding_has_a_capa_links_the_entry_only(
    in_progress, lead, quality_manager, employee
):
    from audits import services as audit_services

    finding = audit_services.finding_create(
        actor=lead, audit=in_progress, type="minor_nc", clause=Clause.objects.get(number="7.1.5"), statement="Scale"
    )
    first = services.capa_raise_from_finding(actor=lead, finding=finding, owner=employee, due_date=in_days(9))
    entry = services.nonconformity_report(
        actor=lead, title="Scale", description="Again", source="audit_finding", finding=finding
    )
    second = services.nonconformity_escalate(
        actor=quality_manager, nonconformity=entry, owner=employee, due_date=in_days(9)
    )
    assert list(finding.capas.all()) == [first]
    assert list(second.nonconformities.all()) == [entry]
