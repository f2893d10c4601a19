"""The audit state machine, auditor independence, checklists and findings, through the services."""

from datetime import timedelta

import pytest
from django.utils import timezone

from audits import services
from audits.models import Audit, ChecklistItem, ChecklistTemplate, Finding
from qms.errors import DomainError, NotAllowed
from qms.models import Clause, Signature
from qms.signatures import SignatureError
from tests.conftest import PASSWORD
from tests.qms.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_an_audit_is_numbered_per_year_and_its_checklist_drafted_from_its_clauses(planned, quality_manager, lead):
    year = planned.planned_start.year
    assert planned.reference == f"IA-{year}-001"
    assert planned.status == Audit.Status.PLANNED
    assert planned.programme.year == year
    questions = list(planned.checklist_items.values_list("clause__number", "question"))
    assert [number for number, _ in questions] == ["8.5.1", "8.7"]
    assert "8.7 Control of nonconforming outputs" in questions[1][1]


def test_checklist_templates_replace_the_default_question(quality_manager, lead, production):
    clause = Clause.objects.get(number="9.1.2")
    ChecklistTemplate.objects.create(clause=clause, question="How are complaints trended?", order=1)
    ChecklistTemplate.objects.create(clause=clause, question="Is satisfaction surveyed yearly?", order=2)
    start = timezone.localdate()
    audit = services.audit_create(
        actor=quality_manager,
        title="Customers",
        scope="Sales",
        clauses=[clause],
        lead_auditor=lead,
        planned_start=start,
        planned_end=start,
    )
    assert list(audit.checklist_items.values_list("question", flat=True)) == [
        "How are complaints trended?",
        "Is satisfaction surveyed yearly?",
    ]


def test_an_auditor_never_audits_their_own_department(quality_manager, production, lead):
    insider = UserFactory(roles=["auditor", "employee"], department=production, first_name="Tom", last_name="Becker")
    start = timezone.localdate()
    with pytest.raises(DomainError, match="Tom Becker belongs to Production, the audited department") as refusal:
        services.audit_create(
            actor=quality_manager,
            title="x",
            scope="y",
            clauses=Clause.objects.filter(number="8.5.1"),
            lead_auditor=lead,
            team=[insider],
            department=production,
            planned_start=start,
            planned_end=start,
        )
    assert refusal.value.field == "team"
    assert not Audit.objects.exists()


def test_team_members_must_be_auditors(quality_manager, lead, employee):
    start = timezone.localdate()
    with pytest.raises(DomainError, match="is not an auditor"):
        services.audit_create(
            actor=quality_manager,
            title="x",
            scope="y",
            clauses=Clause.objects.filter(number="8.5.1"),
            lead_auditor=lead,
            team=[employee],
            planned_start=start,
            planned_end=start,
        )


def test_dates_out_of_order_and_missing_clauses_are_refused(quality_manager, lead):
    start = timezone.localdate()
    with pytest.raises(DomainError, match="planned end is before"):
        services.audit_create(
            actor=quality_manager,
            title="x",
            scope="y",
            clauses=Clause.objects.filter(number="8.5.1"),
            lead_auditor=lead,
            planned_start=start,
            planned_end=start - timedelta(days=1),
        )
    with pytest.raises(DomainError, match="at least one clause"):
        services.audit_create(
            actor=quality_manager,
            title="x",
            scope="y",
            clauses=[],
            lead_auditor=lead,
            planned_start=start,
            planned_end=start,
        )


def test_employees_cannot_plan_audits(employee, lead):
    start = timezone.localdate()
    with pytest.raises(NotAllowed):
        services.audit_create(
            actor=employee,
            title="x",
            scope="y",
            clauses=Clause.objects.filter(number="8.5.1"),
            lead_auditor=lead,
            planned_start=start,
            planned_end=start,
        )


def test_the_whole_life_of_an_audit(in_progress, lead, co_auditor):
    audit = in_progress
    assert audit.status == Audit.Status.IN_PROGRESS
    assert audit.actual_start == timezone.localdate()
    first, second = audit.checklist_items.order_by("order")
    services.checklist_answer(actor=co_auditor, item=first, result="conforming", notes="Records complete")
    services.checklist_answer(actor=co_auditor, item=second, result="observation", notes="Hold area not labelled")
    finding = services.finding_from_checklist_item(actor=co_auditor, item=second, type="ofi")
    assert finding.reference == f"{audit.reference}-F01"
    assert finding.statement == "Hold area not labelled"
    assert finding.clause.number == "8.7"
    with pytest.raises(DomainError, match="conclusion"):
        services.audit_report_ready(actor=lead, audit=audit)
    services.audit_report_ready(actor=lead, audit=audit, conclusion="Effective, one improvement opportunity.")
    audit.refresh_from_db()
    assert audit.status == Audit.Status.REPORTING
    services.audit_close(actor=lead, audit=audit, password=PASSWORD)
    audit.refresh_from_db()
    assert audit.status == Audit.Status.CLOSED
    signature = Signature.objects.get(meaning="closed", object_id=audit.pk)
    assert signature.signer == lead


def test_reporting_needs_every_question_answered(in_progress, lead):
    with pytest.raises(DomainError, match="2 checklist question"):
        services.audit_report_ready(actor=lead, audit=in_progress, conclusion="Done")


def test_an_audit_with_a_nonconformity_without_capa_cannot_close(in_progress, lead):
    for item in in_progress.checklist_items.all():
        services.checklist_answer(actor=lead, item=item, result="nonconforming", notes="No records")
    finding = services.finding_create(
        actor=lead,
        audit=in_progress,
        type="minor_nc",
        clause=Clause.objects.get(number="8.5.1"),
        statement="No records",
    )
    services.audit_report_ready(actor=lead, audit=in_progress, conclusion="Not effective")
    with pytest.raises(DomainError, match=f"These nonconformities have no CAPA yet: {finding.reference}"):
        services.audit_close(actor=lead, audit=in_progress, password=PASSWORD)
    in_progress.refresh_from_db()
    assert in_progress.status == Audit.Status.REPORTING


def test_only_the_lead_auditor_closes_with_a_correct_password(in_progress, lead, co_auditor):
    for item in in_progress.checklist_items.all():
        services.checklist_answer(actor=lead, item=item, result="conforming")
    services.audit_report_ready(actor=lead, audit=in_progress, conclusion="Fine")
    with pytest.raises(NotAllowed):
        services.audit_close(actor=co_auditor, audit=in_progress, password=PASSWORD)
    with pytest.raises(SignatureError):
        services.audit_close(actor=lead, audit=in_progress, password="nope")
    in_progress.refresh_from_db()
    assert in_progress.status == Audit.Status.REPORTING


def test_transitions_from_the_wrong_state_are_refused(planned, lead):
    with pytest.raises(DomainError, match="Only an audit in progress"):
        services.audit_report_ready(actor=lead, audit=planned, conclusion="x")
    with pytest.raises(DomainError, match="Only an audit in reporting"):
        services.audit_close(actor=lead, audit=planned, password=PASSWORD)
    services.audit_start(actor=lead, audit=planned)
    with pytest.raises(DomainError, match="Only a planned audit"):
        services.audit_start(actor=lead, audit=planned)


def test_no_findings_on_a_planned_or_closed_audit(planned, lead):
    with pytest.raises(DomainError, match="not planned"):
        services.finding_create(
            actor=lead, audit=planned, type="ofi", clause=Clause.objects.get(number="8.7"), statement="x"
        )


def test_people_outside_the_team_cannot_answer_or_record(in_progress, auditee):
    item = in_progress.checklist_items.first()
    with pytest.raises(NotAllowed):
        services.checklist_answer(actor=auditee, item=item, result="conforming")
    with pytest.raises(NotAllowed):
        services.finding_create(actor=auditee, audit=in_progress, type="ofi", clause=item.clause, statement="x")


def test_cancel_needs_a_reason_and_an_open_audit(planned, quality_manager):
    with pytest.raises(DomainError, match="Say why"):
        services.audit_cancel(actor=quality_manager, audit=planned, reason="")
    services.audit_cancel(actor=quality_manager, audit=planned, reason="Line shut down for refit")
    planned.refresh_from_db()
    assert planned.status == Audit.Status.CANCELLED


def test_finding_numbers_count_per_audit(in_progress, lead):
    clause = Clause.objects.get(number="8.7")
    refs = [
        services.finding_create(actor=lead, audit=in_progress, type="ofi", clause=clause, statement=f"s{i}").reference
        for i in range(3)
    ]
    assert refs == [f"{in_progress.reference}-F0{i}" for i in (1, 2, 3)]
    assert Finding.objects.filter(audit=in_progress).count() == 3


def test_every_change_is_in_history(in_progress, lead, quality_manager):
    reasons = [row.history_change_reason for row in in_progress.history.order_by("history_date")]
    assert reasons[0] == "Audit planned"
    assert "Audit started" in reasons
    item = ChecklistItem.objects.filter(audit=in_progress).first()
    services.checklist_answer(actor=lead, item=item, result="conforming")
    assert item.history.first().history_user == lead
