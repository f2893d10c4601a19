"""Quality maturity balance: every indicator on a constructed data set with known answers, the axis means with "no data"
left out, the recommendation's rules, the trend, and the page.

The data set is made of plain rows (`objects.create`) at chosen dates: what is measured is the scores' arithmetic over
dates, and the services refuse dates in the past, as they should. Documents are saved with the clock moved
(`time_machine`), because their history rows are what "effective on that day" is read from.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audits.models import Audit, AuditProgramme, Finding
from capa.models import Capa, EffectivenessCheck
from documents.models import Acknowledgement, Document, DocumentType, Revision
from improvement.models import Comment, Idea, StageChange, Vote
from qms.maturity import scores
from qms.maturity.chart import trend_chart
from qms.models import Clause
from qms.roles import Role
from tests.qms.factories import DepartmentFactory, UserFactory

D = date(2026, 3, 31)  # the day the known answers are computed for
EMPLOYEE, AUDITOR, QM = str(Role.EMPLOYEE), str(Role.AUDITOR), str(Role.QUALITY_MANAGER)


def at(year: int, month: int, day: int, hour: int = 12) -> datetime:
    return datetime(year, month, day, hour, tzinfo=UTC)


# --- The data set -------------------------------------------------------------------------------------------------


def _people() -> dict[str, Any]:
    """Eight employees on D (seven a year before), plus people who must not count."""
    dept = {code: DepartmentFactory(code=code, name=f"Dept {code}") for code in ("A", "B", "C", "Q")}
    joined = at(2025, 1, 10)

    def person(name: str, code: str | None, *roles: str, **extra: Any) -> Any:
        return UserFactory(
            username=name,
            department=dept[code] if code else None,
            roles=list(roles),
            date_joined=extra.pop("date_joined", joined),
            **extra,
        )

    return {
        "dept": dept,
        "qm": person("qm", "Q", QM, EMPLOYEE),
        "a1": person("a1", "A", EMPLOYEE),
        "a2": person("a2", "A", EMPLOYEE),
        "a3": person("a3", "A", EMPLOYEE, AUDITOR),
        "n1": person("n1", "A", EMPLOYEE, date_joined=at(2025, 12, 1)),  # joined within the year
        "b1": person("b1", "B", EMPLOYEE, AUDITOR),
        "b2": person("b2", "B", EMPLOYEE),
        "c1": person("c1", "C", EMPLOYEE),
        "late": person("late", "A", EMPLOYEE, date_joined=at(2026, 5, 1)),  # joined after D
        "gone": person("gone", "A", EMPLOYEE, is_active=False),
        "ext": person("ext", None, str(Role.EXTERNAL_AUDITOR)),
    }


def _document(number: str, owner: Any, when: datetime, **fields: Any) -> Document:
    with time_machine.travel(when, tick=False):
        return Document.objects.create(
            number=number,
            document_type=DocumentType.objects.get(code="SOP"),
            title=f"Procedure {number}",
            owner=owner,
            created_at=when,
            **fields,
        )


def _change(document: Document, when: datetime, **fields: Any) -> None:
    with time_machine.travel(when, tick=False):
        for name, value in fields.items():
            setattr(document, name, value)
        document.save()


def _revision(document: Document, number: int, author: Any, **fields: Any) -> Revision:
    return Revision.objects.create(
        document=document,
        revision=number,
        file=f"documents/{document.number}-{number}.md",
        original_filename="procedure.md",
        sha256="0" * 64,
        size=10,
        content_type="text/markdown",
        change_summary="Issue",
        author=author,
        **fields,
    )


def _structure(p: dict[str, Any]) -> None:
    qm, effective, draft = p["qm"], Document.Status.EFFECTIVE, Document.Status.DRAFT
    created = at(2025, 6, 1)
    # S1 on D: SOP-1..3 on time (SOP-2 due on D itself), SOP-4 overdue since the day before; SOP-5 only became
    # effective after D, SOP-6 was retired before D. 3 of 4 = 75 %. On 28 Feb 2026 all four were on time.
    sop1 = _document("SOP-1", qm, created, status=effective, next_review_due=date(2026, 6, 1))
    sop2 = _document("SOP-2", qm, created, status=effective, next_review_due=date(2026, 3, 31))
    _document("SOP-3", qm, created, status=effective, next_review_due=date(2026, 5, 1))
    sop4 = _document("SOP-4", qm, created, status=effective, next_review_due=date(2026, 3, 30))
    sop5 = _document("SOP-5", qm, created, status=draft)
    sop6 = _document("SOP-6", qm, created, status=effective, next_review_due=date(2026, 6, 1))
    _change(sop4, at(2026, 4, 5), next_review_due=date(2027, 4, 5))  # reviewed after D: D still sees it overdue
    _change(sop5, at(2026, 4, 10), status=effective, next_review_due=date(2027, 4, 10))
    _change(sop6, at(2026, 2, 1), status=Document.Status.OBSOLETE, next_review_due=None)

    # S4 on D: SOP-1 is read by department A and the auditor role (a1, a2, a3, n1, b1: a3 counted once), SOP-2's
    # revision 2 by departments B and C (b1, b2, c1). Done by D: a1 and a3; b1 and c1. 4 of 8 = 50 %.
    sop1.distribution_departments.set([p["dept"]["A"]])
    sop1.distribution_roles.set([Group.objects.get(name=AUDITOR)])
    sop2.distribution_departments.set([p["dept"]["B"], p["dept"]["C"]])
    sop5.distribution_departments.set([p["dept"]["A"]])
    x1 = _revision(sop1, 1, qm, status=Revision.Status.EFFECTIVE, effective_at=at(2025, 6, 1))
    y1 = _revision(
        sop2, 1, qm, status=Revision.Status.SUPERSEDED, effective_at=at(2025, 6, 1), ended_at=at(2026, 1, 15)
    )
    y2 = _revision(sop2, 2, qm, status=Revision.Status.EFFECTIVE, effective_at=at(2026, 1, 15))
    z1 = _revision(sop5, 1, qm, status=Revision.Status.EFFECTIVE, effective_at=at(2026, 4, 10))  # after D
    for revision, user, when in [
        (x1, "a1", at(2025, 7, 1)),
        (x1, "a3", at(2025, 7, 1)),
        (x1, "b1", at(2026, 4, 5)),  # after D
        (x1, "c1", at(2025, 7, 1)),  # not a reader of SOP-1
        (y1, "b2", at(2025, 7, 1)),  # the superseded revision only
        (y2, "b1", at(2026, 2, 1)),
        (y2, "c1", at(2026, 3, 30)),
        (z1, "a1", at(2026, 4, 11)),
    ]:
        Acknowledgement.objects.create(revision=revision, user=p[user], acknowledged_at=when)

    # S2: clauses 4.1 and 7.5 (A1) and the whole of clause 8 (A2, 8.1 to 8.7) are covered: 9 of 28 = 32 %.
    programme = AuditProgramme.objects.create(year=2026)
    clauses = {clause.number: clause for clause in Clause.objects.all()}
    audits = {}
    for reference, status, start, numbers in [
        ("A1", Audit.Status.CLOSED, date(2025, 5, 10), ["4.1", "7.5.2"]),
        ("A2", Audit.Status.IN_PROGRESS, date(2026, 3, 20), ["8"]),
        ("A3", Audit.Status.PLANNED, date(2026, 3, 25), ["9.1"]),  # not held
        ("A4", Audit.Status.CANCELLED, date(2025, 9, 1), ["10.2"]),  # not held
        ("A5", Audit.Status.CLOSED, date(2025, 2, 1), ["5.1"]),  # before the 12 months
        ("A6", Audit.Status.REPORTING, date(2026, 4, 5), ["6.1"]),  # after D
    ]:
        audit = Audit.objects.create(
            reference=reference,
            programme=programme,
            title=reference,
            scope="Scope",
            lead_auditor=p["b1"],
            planned_start=start,
            planned_end=start,
            status=status,
        )
        audit.clauses.set([clauses[number] for number in numbers])
        audits[reference] = audit
    p["audits"], p["clauses"] = audits, clauses

    # S3a: K1, K2 (closed on its due day) and K4 on time, K3 late: 3 of 4 = 75 %.
    # S3b: effective E1 and E3, not effective E2: 2 of 3 = 67 %.
    def capa(reference: str, status: str, due: date, closed: datetime | None = None) -> Capa:
        return Capa.objects.create(
            reference=reference,
            title=reference,
            source=Capa.Source.INTERNAL,
            problem="Problem",
            owner=qm,
            created_by=qm,
            due_date=due,
            status=status,
            closed_at=closed,
            created_at=at(2025, 1, 20),
        )

    closed, cancelled = Capa.Status.CLOSED, Capa.Status.CANCELLED
    k1 = capa("K1", closed, date(2025, 6, 30), at(2025, 6, 15))
    capa("K2", closed, date(2025, 9, 30), at(2025, 9, 30, 14))
    k3 = capa("K3", closed, date(2025, 12, 31), at(2026, 1, 10))
    capa("K4", closed, date(2026, 4, 1), at(2026, 3, 1))
    k5 = capa("K5", closed, date(2025, 3, 31), at(2025, 3, 1))  # before the 12 months
    capa("K6", cancelled, date(2025, 12, 31), at(2025, 10, 1))  # cancelled, not closed
    k7 = capa("K7", Capa.Status.VERIFYING, date(2026, 6, 30))
    k8 = capa("K8", closed, date(2026, 4, 30), at(2026, 4, 2))  # after D
    effective_, not_effective = EffectivenessCheck.Result.EFFECTIVE, EffectivenessCheck.Result.NOT_EFFECTIVE
    for check_capa, result, verified in [
        (k1, effective_, at(2025, 6, 15)),
        (k3, not_effective, at(2025, 11, 1)),
        (k3, effective_, at(2026, 1, 10)),
        (k7, "", None),  # not signed yet
        (k8, effective_, at(2026, 4, 2)),  # after D
        (k5, effective_, at(2025, 3, 1)),  # before the 12 months
    ]:
        EffectivenessCheck.objects.create(
            capa=check_capa, planned_date=date(2025, 1, 1), result=result, verified_at=verified
        )


def _idea(reference: str, created: datetime, **fields: Any) -> Idea:
    return Idea.objects.create(
        reference=reference, title=reference, problem="Problem", proposal="Proposal", created_at=created, **fields
    )


def _culture(p: dict[str, Any]) -> None:
    qm, audits, clauses = p["qm"], p["audits"], p["clauses"]
    # C1: two ideas from employees in the three months to D (a1's and an anonymous one), from 8 employees:
    # 2 * 100 / 8 / 3 = 8.3 ideas per 100 employees per month, against 10 = 83 %.
    _idea("I-a", at(2026, 2, 10), submitter=p["a1"])
    _idea("I-b", at(2026, 3, 15), anonymous=True)
    _idea("I-d", at(2025, 11, 1), submitter=p["a2"])  # before the three months
    _idea("I-e", at(2026, 4, 2), submitter=p["a2"])  # after D
    voted_on = _idea("I-f", at(2025, 4, 15), source=Idea.Source.CUSTOMER)

    # C4: findings of the 12 months up to 1 Mar 2026 (D - 30 days): F1 (CAPA in 9 days), F3 (idea in 4 days),
    # F8 (an observation answered by a CAPA), F9 (idea in 10 days) and F10 (idea on its 30th day) answered; F2 (CAPA
    # after 45 days), F4 (nothing) and F7 (a nonconformity with only an idea) not: 5 of 8 = 62.5, rounded up to 63 %.
    def finding(reference: str, kind: str, created: datetime) -> Finding:
        return Finding.objects.create(
            audit=audits["A1"],
            reference=reference,
            type=kind,
            clause=clauses["7.5"],
            statement=reference,
            raised_by=p["b1"],
            created_at=created,
        )

    def answered_by_capa(found: Finding, reference: str, created: datetime) -> None:
        capa = Capa.objects.create(
            reference=reference,
            title=reference,
            source=Capa.Source.AUDIT_FINDING,
            problem="Problem",
            owner=qm,
            created_by=qm,
            due_date=date(2026, 12, 31),
            created_at=created,
        )
        capa.findings.add(found)

    minor, major, obs, ofi = Finding.Type.MINOR_NC, Finding.Type.MAJOR_NC, Finding.Type.OBSERVATION, Finding.Type.OFI
    answered_by_capa(finding("F1", minor, at(2025, 6, 1)), "KF1", at(2025, 6, 10))
    answered_by_capa(finding("F2", major, at(2025, 7, 1)), "KF2", at(2025, 8, 15))
    _idea("I-F3", at(2025, 9, 5), source=Idea.Source.AUDIT, finding=finding("F3", ofi, at(2025, 9, 1)))
    finding("F4", obs, at(2025, 10, 1))
    _idea("I-F7", at(2025, 11, 5), source=Idea.Source.AUDIT, finding=finding("F7", minor, at(2025, 11, 1)))
    answered_by_capa(finding("F8", obs, at(2025, 12, 1)), "KF8", at(2025, 12, 20))
    # By name, in the 90 days: the quality manager takes part (C2), but an idea from an audit is not counted in C1.
    _idea("I-F9", at(2026, 1, 20), source=Idea.Source.AUDIT, submitter=qm, finding=finding("F9", ofi, at(2026, 1, 10)))
    _idea("I-F10", at(2026, 3, 3), source=Idea.Source.AUDIT, finding=finding("F10", ofi, at(2026, 2, 1)))
    finding("F5", ofi, at(2026, 3, 20))  # its 30 days are not over on D
    answered_by_capa(finding("F6", minor, at(2025, 1, 15)), "KF6", at(2025, 1, 20))  # before the 12 months

    # C2: in the 90 days to D, a1 (idea), qm (idea from a finding), b2 (vote) and c1 (comment): 4 of 8 = 50 %.
    for voter, when in [("b2", at(2026, 3, 1)), ("b1", at(2025, 12, 15)), ("gone", at(2026, 3, 1))]:
        Vote.objects.create(idea=voted_on, voter=p[voter], at=when)
    Vote.objects.create(idea=voted_on, voter=p["a2"], at=at(2026, 4, 2))  # after D
    for author, when in [("c1", at(2026, 2, 15)), ("ext", at(2026, 2, 15))]:
        Comment.objects.create(idea=voted_on, author=p[author], body="Good", at=when)

    # C3: decided in the 12 months: P1 (act), P2 (standardized), P3 and P5 (rejected), P4 (parked): 2 of 5 = 40 %.
    stages = Idea.Stage
    for reference, moves in [
        ("P1", [(stages.ACT, at(2025, 10, 1))]),
        ("P2", [(stages.ACT, at(2025, 3, 1)), (stages.STANDARDIZED, at(2025, 5, 1))]),
        ("P3", [(stages.REJECTED, at(2025, 8, 1))]),
        ("P4", [(stages.PARKED, at(2025, 9, 1))]),
        ("P5", [(stages.REJECTED, at(2026, 2, 1))]),
        ("P6", [(stages.ACT, at(2025, 2, 1))]),  # before the 12 months
        ("P7", [(stages.PLAN, at(2025, 12, 1))]),  # not a decision
        ("P8", [(stages.ACT, at(2026, 4, 5))]),  # after D
    ]:
        last = moves[-1][0]
        idea = _idea(
            reference,
            at(2025, 1, 15),
            stage=last,
            decision_reason="Reason" if last in {stages.REJECTED, stages.PARKED} else "",
        )
        for to_stage, when in moves:
            StageChange.objects.create(
                idea=idea, from_stage=stages.CHECK, to_stage=to_stage, cycle=1, actor=qm, at=when
            )


@pytest.fixture
def dataset(db: None) -> dict[str, Any]:
    people = _people()
    _structure(people)
    _culture(people)
    return people


def _by_code(card: scores.Scorecard) -> dict[str, scores.Indicator]:
    return {indicator.code: indicator for axis in card.axes for indicator in axis.indicators}


# --- Indicators: known answers --------------------------------------------------------------------------------------

KNOWN = {
    "S1": (3, 4, 75, "3 of 4 effective documents had their next review due on or after 31 Mar 2026 = 75 %"),
    "S2": (9, 28, 32, "9 of 28 ISO 9001 clauses 4.1 … 10.3 were covered by audits planned to start between"),
    "S3a": (3, 4, 75, "3 of 4 CAPAs closed between 1 Apr 2025 and 31 Mar 2026 were closed by their due date = 75 %"),
    "S3b": (2, 3, 67, "2 of 3 effectiveness checks signed between 1 Apr 2025 and 31 Mar 2026 found the CAPA"),
    "S4": (4, 8, 50, "4 of 8 required acknowledgements of the revisions in force on 31 Mar 2026 were done = 50 %"),
    "C1": (2, 8, 83, "2 ideas between 1 Jan 2026 and 31 Mar 2026 from 8 employees = 8.3 ideas per 100 employees"),
    "C2": (4, 8, 50, "4 of 8 employees submitted, voted or commented between 1 Jan 2026 and 31 Mar 2026 = 50 %"),
    "C3": (2, 5, 40, "2 of 5 ideas decided between 1 Apr 2025 and 31 Mar 2026 reached Act = 40 %"),
    "C4": (5, 8, 63, "5 of 8 findings raised between 2 Mar 2025 and 1 Mar 2026 got their CAPA or idea within 30"),
}


@pytest.mark.parametrize("code", list(KNOWN))
def test_each_indicator_gives_its_known_answer(dataset, code):
    indicator = _by_code(scores.scorecard(D))[code]
    numerator, denominator, percent, statement = KNOWN[code]
    assert (indicator.numerator, indicator.denominator, indicator.percent) == (numerator, denominator, percent)
    assert indicator.statement.startswith(statement)
    assert indicator.formula


def test_the_idea_rate_is_scored_against_its_target(dataset):
    indicator = scores.idea_rate(D)
    assert indicator.value == pytest.approx(100 * (2 * 100 / 8 / 3) / scores.IDEA_RATE_TARGET)
    assert "target 10 → 83 %" in indicator.statement


def test_the_idea_rate_is_capped_at_100(db):
    employee = UserFactory(roles=[EMPLOYEE], date_joined=at(2025, 1, 1))
    _idea("I-1", at(2026, 3, 1), submitter=employee)  # 33 ideas per 100 employees per month
    assert scores.idea_rate(D).percent == 100


def test_the_axes_are_the_means_of_the_rounded_indicators(dataset):
    card = scores.scorecard(D)
    assert card.structure.score == 60  # (75 + 32 + 75 + 67 + 50) / 5 = 59.8
    assert card.structure.statement == "(75 + 32 + 75 + 67 + 50) ÷ 5 = 59.8 → 60 %"
    assert card.culture.score == 59  # (83 + 50 + 40 + 63) / 4
    assert card.culture.statement == "(83 + 50 + 40 + 63) ÷ 4 = 59.0 → 59 %"
    assert card.structure.left_out == card.culture.left_out == []


def test_indicators_without_data_are_left_out_of_the_mean(db):
    UserFactory(roles=[EMPLOYEE], date_joined=at(2025, 1, 1))
    card = scores.scorecard(D)
    assert [i.code for i in card.culture.left_out] == ["C3", "C4"]
    assert card.culture.score == 0  # C1 and C2 have data (one employee, no ideas, nobody taking part)
    assert card.culture.statement == "(0 + 0) ÷ 2 = 0.0 → 0 %"
    # No audit at all is an answer (0 of 28 clauses covered), not an absence of data.
    assert [i.code for i in card.structure.left_out] == ["S1", "S3a", "S3b", "S4"]
    assert card.structure.statement == "(0) ÷ 1 = 0.0 → 0 %"
    assert all(i.statement.startswith("No data: ") for i in card.structure.left_out)


def test_an_axis_with_no_data_at_all_has_no_score():
    empty = scores.Indicator("S1", scores.STRUCTURE, "Nothing", 0, 0, None, "a ÷ b", "No data: nothing.", "Exact.")
    axis = scores.AxisScore(scores.STRUCTURE, (empty,))
    assert axis.score is None
    assert axis.statement == "No data: none of its indicators has data."


def test_the_headcount_grows_with_people_who_joined_within_the_year(dataset):
    people = scores.headcount(D)
    assert (people.now, people.before) == (8, 7)
    assert people.growth == pytest.approx(100 / 7)


# --- Trend -----------------------------------------------------------------------------------------------------------


def test_the_trend_has_the_end_of_each_of_the_last_12_months():
    assert scores.trend_dates(date(2026, 3, 15)) == [
        *(scores.month_end(date(year, month, 1)) for year, month in [(2025, m) for m in range(4, 13)]),
        date(2026, 1, 31),
        date(2026, 2, 28),
        date(2026, 3, 15),
    ]


def test_a_past_month_is_computed_from_what_was_true_then(dataset):
    february = _by_code(scores.scorecard(date(2026, 2, 28)))
    assert (february["S1"].numerator, february["S1"].denominator) == (4, 4)  # SOP-4 not overdue yet
    today = _by_code(scores.scorecard(date(2026, 4, 30)))
    # A month after D: SOP-4 reviewed and SOP-5 effective, but SOP-2 (due on D) now overdue.
    assert (today["S1"].numerator, today["S1"].denominator) == (4, 5)


def test_the_trend_points_are_the_month_end_scores(dataset):
    balance = scores.balance(D)
    assert [point.as_of for point in balance.trend] == scores.trend_dates(D)
    assert (balance.trend[-1].structure, balance.trend[-1].culture) == (60, 59)
    february = scores.scorecard(date(2026, 2, 28))
    assert (balance.trend[-2].structure, balance.trend[-2].culture) == (
        february.structure.score,
        february.culture.score,
    )
    assert balance.trend[-2] != balance.trend[-1]
    assert balance.culture_before.as_of == date(2025, 9, 30)


def test_the_chart_breaks_its_line_where_a_month_has_no_data():
    points = [
        scores.TrendPoint(date(2026, 1, 31), 50, None),
        scores.TrendPoint(date(2026, 2, 28), None, 40),
        scores.TrendPoint(date(2026, 3, 31), 100, 60),
    ]
    chart = trend_chart(points)
    structure, culture = chart.series
    assert structure.path.count("M") == 2 and "L" not in structure.path
    assert culture.path.count("M") == 1 and culture.path.count("L") == 1
    assert [marker.value for marker in structure.markers] == [50, 100]
    assert "Structure went from 50 % in Jan 2026 to 100 % in Mar 2026." in chart.description


# --- Recommendation --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("structure", "culture", "before", "growth", "rule", "focus"),
    [
        (None, 80, 70, None, "structure-floor", "structure"),
        (59, 90, 50, None, "structure-floor", "structure"),
        (70, 60, 40, 25.0, "growth", "structure"),
        (62, 80, 60, 10.0, "structure-gap", "structure"),
        (80, 78, 78, None, "mature", "both"),
        (80, None, None, None, "culture-floor", "culture"),
        (65, 49, 30, None, "culture-floor", "culture"),
        (70, 60, 58, None, "culture-flat", "culture"),
        (70, 60, 62, None, "culture-flat", "culture"),
        (70, 65, 50, None, "lower", "culture"),
        (64, 70, 50, 20.0, "lower", "structure"),  # growth of exactly 20 % and a gap of 6 do not fire
        (60, 50, None, None, "lower", "culture"),  # both floors met exactly; no culture 6 months ago to compare
    ],
)
def test_the_first_rule_that_applies_decides_the_focus(structure, culture, before, growth, rule, focus):
    recommendation = scores.recommend(structure=structure, culture=culture, culture_before=before, growth=growth)
    assert (recommendation.rule.code, recommendation.focus) == (rule, focus)
    assert recommendation.reason


def test_the_data_set_recommends_raising_the_lower_axis(dataset):
    recommendation = scores.balance(D).recommendation
    # Structure 60 (not below 60), growth 14 %, culture 59 rising from 21 % six months before.
    assert recommendation.rule.code == "lower"
    assert recommendation.focus == "culture"
    assert "Structure is 60 % and culture 59 %" in recommendation.reason


# --- The page --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "status"),
    [("quality_manager", 200), ("auditor", 200), ("employee", 403), ("external_auditor", 403), ("outsider", 403)],
)
def test_quality_managers_and_auditors_see_the_page(client, personas, persona, status):
    client.force_login(personas[persona])
    assert client.get(reverse("maturity:index")).status_code == status


def test_a_visitor_is_sent_to_sign_in(client, db):
    response = client.get(reverse("maturity:index"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_page_shows_the_scores_with_their_formulas(client, dataset):
    client.force_login(dataset["qm"])
    with time_machine.travel(at(2026, 3, 31, 15), tick=False):
        response = client.get(reverse("maturity:index"))
    page = response.content.decode()
    assert response.status_code == 200
    for _numerator, _denominator, _percent, statement in KNOWN.values():
        assert statement in page
    assert "(75 + 32 + 75 + 67 + 50) ÷ 5 = 59.8 → 60 %" in page
    assert "ideas from employees and customers in 3 months ÷ employees × 100 ÷ 3" in page  # noqa: RUF001
    assert "bring up the lower axis" in page
    assert 'aria-labelledby="trend-title trend-desc"' in page
    assert "Today, 31 Mar 2026" in page


def test_the_page_asks_the_same_number_of_queries_with_or_without_data(client, quality_manager):
    client.force_login(quality_manager)
    with CaptureQueriesContext(connection) as empty:
        client.get(reverse("maturity:index"))
    people = _people()
    _structure(people)
    _culture(people)
    with CaptureQueriesContext(connection) as full:
        client.get(reverse("maturity:index"))
    assert len(full) == len(empty)
    # Eleven aggregate queries per month-end, a few for the headcount, the session and the layout.
    assert len(full) <= 11 * scores.TREND_MONTHS + 10


def test_the_dashboard_links_the_page_for_quality_staff_only(client, quality_manager, employee):
    client.force_login(quality_manager)
    assert reverse("maturity:index") in client.get(reverse("dashboard")).content.decode()
    client.force_login(employee)
    assert reverse("maturity:index") not in client.get(reverse("dashboard")).content.decode()
