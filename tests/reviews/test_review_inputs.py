"""The inputs of 9.3.2, assembled from a constructed data set: each count equals the count taken directly, records
outside the period stay out (the period before is counted for the trend), and each section names the records
behind its counts with links to them."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from audits import services as audit_services
from audits.models import Finding
from capa import services as capa_services
from capa.models import Capa, Nonconformity
from improvement import services as idea_services
from improvement.models import Idea
from qms.maturity import scores
from qms.models import Clause
from qms.objectives import services as objective_services
from qms.periods import Period
from qms.reviews import inputs, services
from qms.reviews.models import ManagementReview
from tests.conftest import PASSWORD
from tests.qms.factories import DepartmentFactory, UserFactory
from tests.reviews.conftest import decide, hold, in_days, start

pytestmark = pytest.mark.django_db


def _by_key(review: ManagementReview) -> dict:
    return {section["key"]: section for section in review.inputs["sections"]}


def _facts(section: dict) -> dict:
    return {fact["label"]: fact for fact in section["facts"]}


def _references(section: dict, caption: str) -> set[str]:
    group = next(group for group in section["groups"] if group["caption"] == caption)
    return {record["reference"] for record in group["records"]}


def _days_ago(days: int):
    return time_machine.travel(timezone.now() - timedelta(days=days), tick=False)


def _complaint(actor, customer: str, *, reply_in: int = 10, **extra) -> Nonconformity:
    return capa_services.nonconformity_report(
        actor=actor,
        title=f"Wrong label for {customer}",
        description="Labels of lot 12 show the wrong batch.",
        source="customer_complaint",
        customer=customer,
        reply_due=timezone.localdate() + timedelta(days=reply_in),
        **extra,
    )


def _idea(actor, title: str, **extra) -> Idea:
    return idea_services.idea_submit(actor=actor, title=title, problem="p", proposal="Do it better", **extra)


def _to_act(idea: Idea, manager) -> Idea:
    idea = idea_services.idea_advance(actor=manager, idea=idea, to="accepted")
    idea = idea_services.idea_update_notes(actor=manager, idea=idea, target_metric="Minutes", baseline="30")
    for stage, notes in (("plan", {}), ("do", {"do_notes": "Tried on line 2"}), ("check", {"measured_result": "12"})):
        idea = idea_services.idea_advance(actor=manager, idea=idea, to=stage)
        if notes:
            idea = idea_services.idea_update_notes(actor=manager, idea=idea, **notes)
    return idea_services.idea_advance(actor=manager, idea=idea, to="act")


@pytest.fixture
def data(quality_manager, employee, in_progress, lead):
    """In the 90 days of the review's period: two complaints (one escalated, one past its reply date), an internal and
    a supplier nonconformity, two CAPAs opened (one overdue today), an audit held with three findings, four ideas (one
    from a customer, one that reached Act, one from the audit's opportunity for improvement). Before the period: a
    complaint, a CAPA (overdue today) and an idea."""
    qm = quality_manager
    with _days_ago(120):
        _complaint(employee, "Old customer")
        early = capa_services.capa_create(
            actor=qm, title="Old CAPA", source="internal", problem="p", owner=employee, due_date=in_days(10)
        )
        _idea(employee, "Old idea")
    with _days_ago(30):
        late = _complaint(employee, "Beta Foods", reply_in=5)
        overdue = capa_services.capa_create(
            actor=qm, title="Supplier CAPA", source="supplier", problem="p", owner=employee, due_date=in_days(10)
        )
    escalated = _complaint(employee, "Acme", severity="high")
    capa = capa_services.nonconformity_escalate(actor=qm, nonconformity=escalated, owner=employee, due_date=in_days(20))
    internal = capa_services.nonconformity_report(actor=employee, title="Leak", description="d", severity="high")
    supplier = capa_services.nonconformity_report(
        actor=employee, title="Bad O-rings", description="d", source="supplier"
    )
    clause = Clause.objects.get(number="8.7")
    findings = [
        audit_services.finding_create(actor=lead, audit=in_progress, type=kind, clause=clause, statement=f"{kind} seen")
        for kind in ("minor_nc", "observation", "ofi")
    ]
    from_ofi = idea_services.idea_from_finding(actor=lead, finding=findings[2])
    customer_idea = _idea(employee, "Customer asks for QR codes", source="customer")
    acted = _to_act(_idea(employee, "Shorter changeover"), qm)
    return {
        "early": early,
        "late": late,
        "overdue": overdue,
        "escalated": escalated,
        "capa": capa,
        "internal": internal,
        "supplier": supplier,
        "findings": findings,
        "audit": in_progress,
        "ideas": [from_ofi, customer_idea, acted],
        "customer_idea": customer_idea,
        "acted": acted,
    }


@pytest.fixture
def assembled(data, quality_manager, chair) -> dict:
    return _by_key(start(quality_manager, chair))


def test_customer_feedback_counts_the_complaints_and_customer_ideas_of_the_period(assembled, data):
    section = assembled["customer_feedback"]
    facts = _facts(section)
    in_period = Nonconformity.objects.filter(
        source="customer_complaint", reported_at__gte=timezone.now() - timedelta(days=91)
    )
    assert facts["Customer complaints"]["value"] == in_period.count() == 2
    assert facts["Customer complaints"]["previous"] == 1
    assert facts["Customers who complained"]["value"] == 2
    assert facts["Still open"]["value"] == 1
    assert facts["Open past the date the customer expects an answer"]["value"] == 1
    assert facts["Escalated to a CAPA"]["value"] == 1
    assert facts["Ideas from customers"]["value"] == 1
    assert _references(section, "Customer complaints") == {data["late"].reference, data["escalated"].reference}
    assert _references(section, "Ideas from customers") == {data["customer_idea"].reference}
    rows = section["tables"][0]["rows"]
    assert sorted(rows) == [["Acme", 1], ["Beta Foods", 1]]


def test_process_performance_counts_nonconformities_by_source_and_severity(assembled, data):
    section = assembled["process_performance"]
    facts = _facts(section)
    assert facts["Nonconformities logged"]["value"] == 4 and facts["Nonconformities logged"]["previous"] == 1
    assert facts["Of high severity"]["value"] == 2
    assert facts["Escalated to a CAPA"]["value"] == 1
    by_source = {row[0]: row[1:] for row in section["tables"][0]["rows"]}
    assert section["tables"][0]["columns"] == ["Source", "Low", "Medium", "High", "Total"]
    assert by_source == {"Customer complaint": [0, 1, 1, 2], "Internal": [0, 0, 1, 1], "Supplier": [0, 1, 0, 1]}
    group = section["groups"][0]
    assert group["total"] == 4 and group["left_out"] == 0
    record = next(r for r in group["records"] if r["reference"] == data["internal"].reference)
    assert record["url"] == data["internal"].get_absolute_url()


def test_corrective_actions_count_capas_and_take_their_rates_from_the_maturity_indicators(assembled, data):
    section = assembled["corrective_actions"]
    facts = _facts(section)
    assert facts["CAPAs opened"]["value"] == 2 and facts["CAPAs opened"]["previous"] == 1
    assert facts["Open at the end of the period"]["value"] == Capa.objects.count() == 3
    assert facts["Overdue today"]["value"] == 2
    assert _references(section, "CAPAs overdue today") == {data["early"].reference, data["overdue"].reference}
    assert _references(section, "CAPAs opened") == {data["capa"].reference, data["overdue"].reference}
    on_time = scores.capas_closed_on_time(timezone.localdate())
    assert facts[f"{on_time.name} ({on_time.code})"]["note"] == on_time.statement


def test_audit_results_count_the_audits_held_and_their_findings_by_type_and_clause(assembled, data):
    section = assembled["audit_results"]
    facts = _facts(section)
    assert facts["Audits held"]["value"] == 1
    assert facts["Findings"]["value"] == Finding.objects.count() == 3
    assert facts["Minor nonconformities"]["value"] == 1
    assert facts["Observations"]["value"] == 1 and facts["Opportunities for improvement"]["value"] == 1
    assert facts["Nonconformities without a CAPA"]["value"] == 1
    table = section["tables"][0]
    clause = Clause.objects.get(number="8.7")
    assert table["rows"] == [[f"8.7 {clause.title}", 0, 1, 1, 1, 3]]
    assert _references(section, "Audits held") == {data["audit"].reference}
    assert _references(section, "Findings") == {finding.reference for finding in data["findings"]}


def test_opportunities_for_improvement_count_ideas_submitted_and_reaching_act(assembled, data):
    section = assembled["improvement"]
    facts = _facts(section)
    assert facts["Ideas submitted"]["value"] == 3 and facts["Ideas submitted"]["previous"] == 1
    assert facts["Ideas that reached Act"]["value"] == 1
    assert facts["Opportunities for improvement from audits"]["value"] == 1
    assert facts["Of these, turned into ideas"]["value"] == 1
    assert _references(section, "Ideas that reached Act") == {data["acted"].reference}
    assert dict(section["tables"][0]["rows"]) == {"Employee": 1, "Audit": 1, "Customer": 1}


def test_external_providers_count_supplier_nonconformities_and_capas(assembled, data):
    facts = _facts(assembled["external_providers"])
    assert facts["Supplier nonconformities"]["value"] == 1
    assert facts["Supplier CAPAs opened"]["value"] == 1


def test_the_maturity_balance_is_the_scorecard_as_of_the_period_end(assembled):
    section = assembled["maturity"]
    card = scores.scorecard(timezone.localdate())
    facts = _facts(section)
    assert facts[card.structure.label]["note"] == card.structure.statement
    assert facts[card.culture.label]["note"] == card.culture.statement
    assert "Recommended focus" in facts
    assert [row[0] for row in section["tables"][0]["rows"]] == [i.code for axis in card.axes for i in axis.indicators]


def test_quality_objectives_show_each_objectives_latest_value_against_its_target(quality_manager, employee, chair):
    met = objective_services.objective_create(
        actor=quality_manager,
        title="Fewer complaints",
        owner=employee,
        target=Decimal(2),
        start_date=in_days(-200),
        due_date=in_days(100),
        metric="Customer complaints per month",
        unit="complaints",
        direction="lower",
    )
    missed = objective_services.objective_create(
        actor=quality_manager,
        title="On-time delivery",
        owner=employee,
        target=Decimal(98),
        start_date=in_days(-200),
        due_date=in_days(100),
        metric="Orders delivered on time",
        unit="%",
        direction="higher",
    )
    objective_services.objective_create(
        actor=quality_manager,
        title="Not measured",
        owner=employee,
        target=Decimal(1),
        start_date=in_days(-10),
        due_date=in_days(100),
        metric="m",
        unit="u",
        direction="higher",
    )
    objective_services.measurement_record(actor=employee, objective=met, measured_on=in_days(-40), value=Decimal(3))
    objective_services.measurement_record(actor=employee, objective=met, measured_on=in_days(-5), value=Decimal("1.5"))
    objective_services.measurement_record(
        actor=employee, objective=missed, measured_on=in_days(-150), value=Decimal("91.5")
    )
    section = _by_key(start(quality_manager, chair))["objectives"]
    facts = _facts(section)
    assert facts["Objectives in force"]["value"] == 3
    assert facts["Target met"]["value"] == 1 and facts["Target not met"]["value"] == 1
    assert facts["Not measured yet"]["value"] == 1
    assert facts["Measurements in the period"]["value"] == 2, "the one of 150 days ago is before the period"
    rows = {row[0]["text"]: row for row in section["tables"][0]["rows"]}
    row = rows[f"{met.reference} Fewer complaints"]
    assert row[0]["url"] == met.get_absolute_url()
    assert row[1] == f"Customer complaints per month: 2 complaints (lower is better) by {in_days(100):%Y-%m-%d}"
    assert row[2] == f"1.5 complaints on {in_days(-5):%Y-%m-%d}" and row[3] == "Met"
    assert rows[f"{missed.reference} On-time delivery"][2] == f"91.5% on {in_days(-150):%Y-%m-%d}"
    assert rows[f"{missed.reference} On-time delivery"][3] == "Not met"


def test_earlier_review_actions_show_where_each_stands_and_what_it_became(quality_manager, chair, member, document):
    earlier = hold(start(quality_manager, chair, member), quality_manager, member)
    decision = decide(earlier, quality_manager, member, description="Investigate labels")
    for text in ("Train the shift", "Change the SOP", "Plain follow-up"):
        services.action_add(
            actor=quality_manager, decision=decision, description=text, owner=member, due_date=in_days(30)
        )
    actions = {a.number: a for a in earlier.actions.all()}
    capa = services.action_raise_capa(actor=quality_manager, action=actions[1])
    idea = services.action_raise_idea(actor=quality_manager, action=actions[2])
    change = services.action_request_change(actor=quality_manager, action=actions[3], document=document)
    services.action_complete(actor=member, action=actions[4], note="Done at the shift meeting")
    services.review_sign(actor=chair, review=earlier, password=PASSWORD)

    section = _by_key(start(quality_manager, chair))["earlier_actions"]
    facts = _facts(section)
    assert facts["Actions reviewed"]["value"] == 4
    assert facts["Done"]["value"] == 1 and facts["Still open"]["value"] == 3
    assert facts["Became a CAPA"]["value"] == 1
    assert facts["Became an improvement idea"]["value"] == 1
    assert facts["Became a document change request"]["value"] == 1
    rows = {row[0]["text"]: row for row in section["tables"][0]["rows"]}
    assert rows[f"{earlier.reference}/A1"][4] == {"text": capa.reference, "url": capa.get_absolute_url()}
    assert rows[f"{earlier.reference}/A1"][5] == f"{capa.reference} open"
    assert rows[f"{earlier.reference}/A2"][4]["text"] == idea.reference
    assert rows[f"{earlier.reference}/A2"][5] == f"{idea.reference} accepted"
    assert rows[f"{earlier.reference}/A3"][4]["text"] == f"CR-{change.pk:04d} on {document.number}"
    assert rows[f"{earlier.reference}/A4"][5] == "Done"
    assert _references(section, "Earlier reviews") == {earlier.reference}


def test_the_first_review_says_there_is_no_earlier_one(review):
    section = _by_key(review)["earlier_actions"]
    assert section["summary"] == "No earlier management review was held: this is the first."


def test_sections_come_in_the_order_of_the_standard_with_the_written_inputs_in_place(review, quality_manager):
    services.review_update(actor=quality_manager, review=review, resources="One inspector short on the late shift")
    review.refresh_from_db()
    shown = inputs.sections_for(review)
    assert [section["clause"] for section in shown] == [
        "9.3.2 a)",
        "9.3.2 b)",
        "9.3.2 c) 1)",
        "9.3.2 c) 2)",
        "9.3.2 c) 3)",
        "9.3.2 c) 4)",
        "9.3.2 c) 5)",
        "9.3.2 c) 6)",
        "9.3.2 c) 7)",
        "9.3.2 d)",
        "9.3.2 e)",
        "9.3.2 f)",
        "9.3.2",
    ]
    resources = next(section for section in shown if section["key"] == "resources")
    assert resources["written"] and resources["text"] == "One inspector short on the late shift"


def test_the_period_before_has_the_same_length():
    period = Period(timezone.localdate() - timedelta(days=30), timezone.localdate())
    before = inputs.previous_period(period)
    assert before.end == period.start - timedelta(days=1)
    assert (before.end - before.start) == (period.end - period.start)


def test_the_inputs_read_through_the_acting_users_eyes(data):
    """An employee of another department sees none of the nonconformities the employee reported, so counts none."""
    stranger = UserFactory(username="sales.stranger", roles=["employee"], department=DepartmentFactory())
    period = Period(in_days(-90), timezone.localdate())
    assert (
        _facts({"facts": [vars(f) for f in inputs.process_performance(stranger, period).facts]})[
            "Nonconformities logged"
        ]["value"]
        == 0
    )
    assert Nonconformity.objects.visible_to(stranger).count() == 0
