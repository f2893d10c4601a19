"""Performance dashboard numbers: on a constructed data set, each number equals a direct count of the records written
here independently of `qms.performance.metrics`, and a known answer; the period's first and last days count, the days
around them do not; and a user's numbers count only what that user may see.

The records are made through the apps' services with the clock moved (time-machine) to the moment each step happens,
as the demo does (capa/demo/clock.py): the services stamp `timezone.now()` and refuse due dates in the past. "Today" is
31 Mar 2026 noon (UTC, the test site's time zone); the period is January and February 2026.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.db.models import Q

from audits import services as audit_services
from audits.models import Audit, ChecklistItem, Finding
from capa import services as capa_services
from capa.models import Capa, EffectivenessCheck, Nonconformity
from documents import services as document_services
from documents.models import Acknowledgement, Document, DocumentType, Revision
from improvement import services as idea_services
from improvement.models import Comment, Idea, Vote
from qms.models import Clause, User
from qms.performance import charts, metrics
from qms.periods import Period
from qms.roles import Role
from tests.capa.conftest import FIVE_WHYS
from tests.conftest import PASSWORD
from tests.documents.conftest import make_effective, text_file
from tests.qms.factories import DepartmentFactory, UserFactory

NOW = datetime(2026, 3, 31, 12, tzinfo=UTC)
TODAY = NOW.date()
PERIOD = Period(date(2026, 1, 1), date(2026, 2, 28))
QM, AUDITOR, EMPLOYEE = str(Role.QUALITY_MANAGER), str(Role.AUDITOR), str(Role.EMPLOYEE)


def at(year: int, month: int, day: int, hour: int = 12, minute: int = 0, second: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


FIRST_MOMENT = at(2026, 1, 1, 0)  # the period's first moment
LAST_MOMENT = at(2026, 2, 28, 23, 59, 59)  # and its last second
JUST_BEFORE = at(2025, 12, 31, 23, 59, 59)
JUST_AFTER = at(2026, 3, 1, 0)


@contextmanager
def clock(moment: datetime) -> Iterator[None]:
    with time_machine.travel(moment, tick=False):
        yield


# --- Building the records through the services ---------------------------------------------------------------------


def people() -> dict[str, Any]:
    dept = {code: DepartmentFactory(code=code, name=f"Dept {code}") for code in ("A", "B", "Q")}

    def person(name: str, code: str, *roles: str) -> Any:
        return UserFactory(
            username=name, password=PASSWORD, department=dept[code], roles=list(roles), date_joined=at(2024, 1, 1)
        )

    return {
        "dept": dept,
        "qm": person("qm", "Q", QM, EMPLOYEE),
        "lead": person("lead", "Q", AUDITOR, EMPLOYEE),
        "e1": person("e1", "A", EMPLOYEE),
        "e2": person("e2", "A", EMPLOYEE),
        "e3": person("e3", "B", EMPLOYEE),
    }


def _document(p: dict[str, Any], title: str, *, effective_at: datetime | None, **links: Any) -> Document:
    with clock(effective_at or NOW - timedelta(days=400)):
        document = document_services.document_create(
            actor=p["qm"], document_type=DocumentType.objects.get(code="SOP"), title=title, owner=p["qm"], **links
        )
        if effective_at is not None:
            draft = document_services.revision_create(
                actor=p["qm"], document=document, file=text_file(), change_summary="First issue"
            )
            make_effective(draft, p["lead"])
    return document


def documents(p: dict[str, Any]) -> None:
    """Draft 1, effective 3 (one review overdue, one due within 30 days), obsolete 1. SOP-0002 is read by department
    A (e1 and e2; e1 read it), SOP-0003 by department B and the quality managers (e3 and qm; e3 read it): 2 of 4."""
    _document(p, "Overdue review", effective_at=at(2024, 6, 1))  # next review due 1 Jun 2025
    read_by_a = _document(p, "Recent", effective_at=at(2026, 3, 1), distribution_departments=[p["dept"]["A"]])
    read_by_b = _document(
        p,
        "Review due soon",
        effective_at=at(2025, 4, 15),  # next review due 15 Apr 2026
        distribution_departments=[p["dept"]["B"]],
        distribution_roles=[Group.objects.get(name=QM)],
    )
    _document(p, "Still a draft", effective_at=None)
    retired = _document(p, "Retired", effective_at=at(2025, 1, 10), distribution_departments=[p["dept"]["B"]])
    with clock(at(2025, 9, 1)):
        document_services.document_retire(actor=p["qm"], document=retired, password=PASSWORD, comment="Replaced")
    with clock(at(2026, 3, 15)):
        document_services.document_acknowledge(actor=p["e1"], document=read_by_a)
        document_services.document_acknowledge(actor=p["e3"], document=read_by_b)


def _audit(p: dict[str, Any], start: date, clauses: tuple[str, ...] = ("7", "8", "10.2")) -> Audit:
    return audit_services.audit_create(
        actor=p["qm"],
        title=f"Audit starting {start}",
        scope="Scope",
        clauses=Clause.objects.filter(number__in=clauses),
        lead_auditor=p["lead"],
        planned_start=start,
        planned_end=start + timedelta(days=1),
    )


def audits(p: dict[str, Any]) -> Audit:
    """Planned to start in the period: in progress (on its first day), planned (on its last day), cancelled and
    closed; the days before and after hold one each. Returns the audit in progress."""
    lead = p["lead"]
    in_progress = _audit(p, PERIOD.start)
    with clock(at(2025, 12, 20)):
        in_progress = audit_services.audit_start(actor=lead, audit=in_progress)
    _audit(p, PERIOD.end)
    audit_services.audit_cancel(actor=p["qm"], audit=_audit(p, date(2026, 1, 20)), reason="Merged into another")
    closed = audit_services.audit_start(actor=lead, audit=_audit(p, date(2026, 2, 2), ("9.2",)))
    for item in closed.checklist_items.all():
        audit_services.checklist_answer(actor=lead, item=item, result=ChecklistItem.Result.CONFORMING)
    closed = audit_services.audit_report_ready(actor=lead, audit=closed, conclusion="Effective.")
    audit_services.audit_close(actor=lead, audit=closed, password=PASSWORD)
    _audit(p, date(2025, 12, 31))
    _audit(p, date(2026, 3, 1))
    return in_progress


def findings(p: dict[str, Any], audit: Audit) -> None:
    """In the period: minor NCs against 7.1.5 (at the first moment) and 7.1 (both in row 7.1), an OFI against the
    whole of clause 8, a major NC against 10.2 (at the last second). Outside: one just before, one just after."""
    clauses = {clause.number: clause for clause in Clause.objects.all()}
    for moment, kind, number in [
        (JUST_BEFORE, Finding.Type.OBSERVATION, "7.5"),
        (FIRST_MOMENT, Finding.Type.MINOR_NC, "7.1.5"),
        (at(2026, 1, 15), Finding.Type.MINOR_NC, "7.1"),
        (at(2026, 2, 1), Finding.Type.OFI, "8"),
        (LAST_MOMENT, Finding.Type.MAJOR_NC, "10.2"),
        (JUST_AFTER, Finding.Type.OBSERVATION, "7.5.3"),
    ]:
        with clock(moment):
            audit_services.finding_create(
                actor=p["lead"], audit=audit, type=kind, clause=clauses[number], statement=f"{kind} at {moment}"
            )


def _open(p: dict[str, Any], title: str, opened: datetime, due: date, owner: str = "e1") -> Capa:
    with clock(opened):
        return capa_services.capa_create(
            actor=p["qm"],
            title=title,
            source=Capa.Source.INTERNAL,
            problem="Problem",
            owner=p[owner],
            due_date=due,
            department=p[owner].department,
        )


def _to_verifying(p: dict[str, Any], capa: Capa, owner: Any) -> Capa:
    """Investigate (the first time), plan one action, do it, and move to verifying, at the clock's moment."""
    qm = p["qm"]
    if capa.status == Capa.Status.OPEN:
        capa = capa_services.capa_advance(actor=qm, capa=capa, to=Capa.Status.INVESTIGATING)
        capa = capa_services.capa_update(
            actor=qm,
            capa=capa,
            root_cause_method=Capa.Method.FIVE_WHYS,
            root_cause_analysis=FIVE_WHYS,
            root_cause="Nobody's task.",
            cause_category=Capa.CauseCategory.METHOD,
        )
    action = capa_services.action_create(
        actor=qm, capa=capa, description="Make it somebody's task", owner=owner, due_date=NOW.date() + timedelta(1)
    )
    capa = capa_services.capa_advance(actor=qm, capa=capa, to=Capa.Status.IMPLEMENTING)
    capa_services.action_complete(actor=owner, action=action, evidence="Done")
    return capa_services.capa_advance(actor=qm, capa=capa, to=Capa.Status.VERIFYING)


def _verify(p: dict[str, Any], capa: Capa, moment: datetime, *, effective: bool) -> Capa:
    with clock(moment):
        capa = _to_verifying(p, capa, capa.owner)
        return capa_services.capa_verify(
            actor=p["qm"], capa=capa, effective=effective, password=PASSWORD, comment="" if effective else "Back again"
        )


def capas(p: dict[str, Any]) -> None:
    """Open now, by age: 0 days (open) and 30 days (investigating); 31 days (open); 180 days (implementing); 181 days
    (open, overdue). Closed in the period: K1 on its due day (on time, effective at once) and K2 late (a failed check
    first, effective later): on time 1 of 2, checks effective 2 of 3. Closed just before and just after the period,
    and one cancelled in it, do not count as closed in the period."""
    qm = p["qm"]
    _open(p, "Today", at(2026, 3, 31, 9), date(2026, 6, 30))
    with clock(at(2026, 3, 1, 9)):
        capa_services.capa_advance(
            actor=qm, capa=_open(p, "30 days", at(2026, 3, 1, 9), date(2026, 6, 30)), to=Capa.Status.INVESTIGATING
        )
    _open(p, "31 days", at(2026, 2, 28, 9), date(2026, 6, 30), owner="e3")
    with clock(at(2025, 10, 2, 9)):
        capa = _open(p, "180 days", at(2025, 10, 2, 9), date(2026, 6, 30), owner="e3")
        capa = capa_services.capa_advance(actor=qm, capa=capa, to=Capa.Status.INVESTIGATING)
        capa = capa_services.capa_update(
            actor=qm,
            capa=capa,
            root_cause_method=Capa.Method.FIVE_WHYS,
            root_cause_analysis=FIVE_WHYS,
            root_cause="Nobody's task.",
            cause_category=Capa.CauseCategory.METHOD,
        )
        capa_services.action_create(actor=qm, capa=capa, description="Act", owner=p["e3"], due_date=date(2026, 6, 30))
        capa_services.capa_advance(actor=qm, capa=capa, to=Capa.Status.IMPLEMENTING)
    _open(p, "181 days, overdue", at(2025, 10, 1, 9), date(2025, 12, 1))

    on_due_day = _open(p, "K1", at(2025, 11, 1), date(2026, 1, 31))
    _verify(p, on_due_day, at(2026, 1, 31, 23), effective=True)
    late = _open(p, "K2", at(2025, 11, 1), date(2026, 1, 15), owner="e3")
    late = _verify(p, late, at(2026, 1, 20), effective=False)
    _verify(p, late, at(2026, 2, 10), effective=True)
    _verify(p, _open(p, "K3", at(2025, 11, 1), date(2026, 6, 30)), JUST_BEFORE, effective=True)
    _verify(p, _open(p, "K4", at(2025, 11, 1), date(2026, 6, 30)), JUST_AFTER, effective=True)
    cancelled = _open(p, "K5", at(2025, 11, 1), date(2026, 6, 30))
    with clock(at(2026, 2, 1)):
        capa_services.capa_cancel(actor=qm, capa=cancelled, reason="A duplicate")


def nonconformities(p: dict[str, Any]) -> None:
    """Reported in the period: 4, of which 2 repeat an earlier one (the same clause 8.7 as one of June 2025; the same
    place "Line 2" in department A as one of a fortnight before, written in other capitals)."""
    clauses = {clause.number: clause for clause in Clause.objects.filter(number__in=["4.1", "8.7", "9.1"])}
    dept_a = p["dept"]["A"]
    for moment, fields in [
        (at(2025, 6, 1), {"clause": clauses["8.7"]}),
        (JUST_BEFORE, {"clause": clauses["4.1"]}),
        (FIRST_MOMENT, {"clause": clauses["8.7"]}),  # repeats June's
        (at(2026, 1, 20), {"clause": clauses["9.1"]}),
        (at(2026, 2, 5), {"department": dept_a, "location": "Line 2"}),
        (LAST_MOMENT, {"department": dept_a, "location": "line 2"}),  # repeats the one of 5 Feb
        (JUST_AFTER, {"clause": clauses["9.1"]}),  # would repeat, but after the period
    ]:
        with clock(moment):
            capa_services.nonconformity_report(
                actor=p["e1"], title=f"Reported at {moment}", description="What happened", **fields
            )


def ideas(p: dict[str, Any]) -> None:
    """Submitted in the period: e1's (still submitted), an anonymous one of e2's (accepted), e3's (rejected); one just
    before and one just after. Taking part in the period: e1 and e3 (by name) and qm (a comment); e2's idea was
    anonymous and e2's vote came after the period, so e2 does not count."""
    qm = p["qm"]

    def submit(moment: datetime, who: str, **extra: Any) -> Idea:
        with clock(moment):
            return idea_services.idea_submit(
                actor=p[who], title=f"Idea of {who} at {moment}", problem="Problem", proposal="Proposal", **extra
            )

    submit(JUST_BEFORE, "e1")
    by_e1 = submit(FIRST_MOMENT, "e1")
    anonymous = submit(at(2026, 1, 20), "e2", anonymous=True)
    by_e3 = submit(LAST_MOMENT, "e3")
    submit(JUST_AFTER, "e2")
    with clock(at(2026, 2, 1)):
        idea_services.idea_advance(actor=qm, idea=anonymous, to=Idea.Stage.ACCEPTED)
        idea_services.comment_add(actor=qm, idea=by_e1, body="Good one")
    with clock(at(2026, 3, 5)):
        idea_services.idea_advance(actor=qm, idea=by_e3, to=Idea.Stage.REJECTED, note="Out of scope")
        idea_services.idea_vote(actor=p["e2"], idea=by_e1)


def build() -> dict[str, Any]:
    p = people()
    documents(p)
    findings(p, audits(p))
    capas(p)
    nonconformities(p)
    ideas(p)
    return p


@pytest.fixture
def dataset(db: None, settings: Any, tmp_path: Any) -> dict[str, Any]:
    settings.MEDIA_ROOT = tmp_path / "media"
    return build()


def board(user: Any, period: Period = PERIOD) -> metrics.Dashboard:
    with clock(NOW):
        return metrics.dashboard(user, period, today=TODAY)


def _in(period: Period, name: str) -> Q:
    return Q(**{f"{name}__gte": period.starts_at, f"{name}__lt": period.ends_before})


# --- Each number equals a direct count ------------------------------------------------------------------------------


def test_documents_by_status_and_reviews_due_are_counted_now(dataset):
    numbers = board(dataset["qm"]).documents
    by_status = {figure.key: figure.value for figure in numbers.by_status}
    assert (
        by_status
        == {status: Document.objects.filter(status=status).count() for status in Document.Status.values}
        == {"draft": 1, "effective": 3, "obsolete": 1}
    )
    effective = Document.objects.filter(status=Document.Status.EFFECTIVE)
    assert numbers.review_overdue.value == effective.filter(next_review_due__lt=TODAY).count() == 1
    due_soon = effective.filter(next_review_due__gte=TODAY, next_review_due__lte=TODAY + timedelta(days=30))
    assert numbers.review_soon.value == due_soon.count() == 1
    assert numbers.total.value == Document.objects.count() == 5


def test_acknowledgements_count_each_reader_of_each_revision_in_force(dataset):
    numbers = board(dataset["qm"]).acknowledgements
    required = done = 0
    for revision in Revision.objects.filter(status=Revision.Status.EFFECTIVE).select_related("document"):
        document = revision.document
        readers = set(
            User.objects.filter(is_active=True)
            .filter(
                Q(department__in=document.distribution_departments.all())
                | Q(groups__in=document.distribution_roles.all())
            )
            .values_list("pk", flat=True)
        )
        required += len(readers)
        done += Acknowledgement.objects.filter(revision=revision, user_id__in=readers).count()
    assert (numbers.done.value, numbers.rate.denominator) == (done, required) == (2, 4)
    assert numbers.pending.value == 2
    assert numbers.rate.percent == 50


def test_audits_planned_to_start_in_the_period_are_counted_by_status(dataset):
    numbers = board(dataset["qm"]).audits
    planned = Audit.objects.filter(planned_start__gte=PERIOD.start, planned_start__lte=PERIOD.end)
    by_status = {figure.key: figure.value for figure in numbers.by_status}
    assert by_status == {status: planned.filter(status=status).count() for status in Audit.Status.values}
    assert by_status == {"planned": 1, "in_progress": 1, "reporting": 0, "closed": 1, "cancelled": 1}
    assert numbers.total.value == planned.count() == 4
    assert (numbers.completion.numerator, numbers.completion.denominator, numbers.completion.percent) == (1, 3, 33)


def test_findings_are_counted_by_second_level_clause_and_type(dataset):
    numbers = board(dataset["qm"]).findings
    raised = Finding.objects.filter(_in(PERIOD, "created_at"))
    cells = {
        (row.number, row.whole, cell.key): cell.value
        for group in numbers.groups
        for row in group.rows
        for cell in row.cells
        if cell.value
    }
    within_71 = raised.filter(Q(clause__number="7.1") | Q(clause__number__startswith="7.1."))
    assert cells[("7.1", False, Finding.Type.MINOR_NC)] == within_71.filter(type=Finding.Type.MINOR_NC).count() == 2
    assert cells[("8", True, Finding.Type.OFI)] == raised.filter(clause__number="8", type=Finding.Type.OFI).count() == 1
    assert cells[("10.2", False, Finding.Type.MAJOR_NC)] == raised.filter(clause__number="10.2").count() == 1
    assert len(cells) == 3
    assert numbers.total.value == raised.count() == 4
    by_type = {figure.key: figure.value for figure in numbers.by_type}
    assert by_type == {kind: raised.filter(type=kind).count() for kind in Finding.Type.values}
    # Every second-level clause has its row, in the catalogue's order; a whole top-level clause only with findings.
    rows = [(row.number, row.whole) for group in numbers.groups for row in group.rows]
    assert len([row for row in rows if not row[1]]) == 28
    assert [row for row in rows if row[1]] == [("8", True)]
    assert rows.index(("8", True)) == rows.index(("8.1", False)) - 1


def test_open_capas_are_counted_by_age_and_status_now(dataset):
    numbers = board(dataset["qm"]).open_capas
    running = Capa.objects.exclude(status__in=[Capa.Status.CLOSED, Capa.Status.CANCELLED])
    ages = {capa.title: (TODAY - capa.created_at.date()).days for capa in running}
    assert ages == {"Today": 0, "30 days": 30, "31 days": 31, "180 days": 180, "181 days, overdue": 181}
    grid = {(row.label, cell.key): cell.value for row in numbers.rows for cell in row.cells}
    for bucket in metrics.AGE_BUCKETS:
        for status, _ in metrics.OPEN_STATUSES:
            expected = sum(
                1
                for capa in running.filter(status=status)
                if bucket.low <= ages[capa.title] and (bucket.high is None or ages[capa.title] <= bucket.high)
            )
            assert grid[(bucket.label, status)] == expected, (bucket.label, status)
    assert [row.total.value for row in numbers.rows] == [2, 1, 1, 1]
    newest, _, middle, _ = (bucket.label for bucket in metrics.AGE_BUCKETS)
    assert grid[(newest, Capa.Status.INVESTIGATING)] == 1
    assert grid[(middle, Capa.Status.IMPLEMENTING)] == 1
    assert numbers.total.value == running.count() == 5
    assert numbers.overdue.value == running.filter(due_date__lt=TODAY).count() == 1
    assert [figure.value for figure in numbers.by_status] == [
        running.filter(status=status).count() for status, _ in metrics.OPEN_STATUSES
    ]


def test_capas_closed_on_time_and_checks_found_effective_in_the_period(dataset):
    numbers = board(dataset["qm"]).capa_outcomes
    closed = Capa.objects.filter(status=Capa.Status.CLOSED).filter(_in(PERIOD, "closed_at"))
    on_time = [capa for capa in closed if capa.closed_at.date() <= capa.due_date]
    assert numbers.closed.value == closed.count() == 2
    assert numbers.on_time.value == len(on_time) == 1
    assert numbers.late.value == 1
    assert numbers.on_time_rate.percent == 50
    signed = EffectivenessCheck.objects.exclude(result="").filter(_in(PERIOD, "verified_at"))
    assert numbers.checks_signed == signed.count() == 3
    assert numbers.effective.value == signed.filter(result=EffectivenessCheck.Result.EFFECTIVE).count() == 2
    assert numbers.checks_not_effective == numbers.failed.value == 1
    assert numbers.effectiveness_rate.percent == 67


def test_repeat_nonconformities_in_the_period(dataset):
    numbers = board(dataset["qm"]).repeats
    reported = list(Nonconformity.objects.filter(_in(PERIOD, "reported_at")))
    earlier = list(Nonconformity.objects.all())

    def repeats(entry: Nonconformity) -> bool:
        return any(
            entry.reported_at - timedelta(days=365) <= other.reported_at < entry.reported_at
            and (
                (entry.clause_id is not None and other.clause_id == entry.clause_id)
                or (
                    entry.department_id is not None
                    and entry.location
                    and other.department_id == entry.department_id
                    and other.location.lower() == entry.location.lower()
                )
            )
            for other in earlier
        )

    assert numbers.reported.value == len(reported) == 4
    assert numbers.repeats.value == sum(repeats(entry) for entry in reported) == 2
    assert numbers.rate.percent == 50


def test_ideas_by_stage_and_participation_in_the_period(dataset):
    numbers = board(dataset["qm"])
    submitted = Idea.objects.filter(_in(PERIOD, "created_at"))
    by_stage = {figure.key: figure.value for figure in numbers.ideas.by_stage if figure.value}
    assert by_stage == {"submitted": 1, "accepted": 1, "rejected": 1}
    assert all(figure.value == submitted.filter(stage=figure.key).count() for figure in numbers.ideas.by_stage)
    assert numbers.ideas.total.value == submitted.count() == 3

    people = User.objects.filter(is_active=True, department__is_active=True)
    taking_part = (
        set(submitted.filter(submitter__isnull=False).values_list("submitter", flat=True))
        | set(Vote.objects.filter(_in(PERIOD, "at")).values_list("voter", flat=True))
        | set(Comment.objects.filter(_in(PERIOD, "at")).values_list("author", flat=True))
    )
    assert numbers.participation.people.value == people.count() == 5
    assert numbers.participation.taking_part.value == people.filter(pk__in=taking_part).count() == 3
    assert set(people.filter(pk__in=taking_part).values_list("username", flat=True)) == {"e1", "e3", "qm"}


# --- The period's bounds ---------------------------------------------------------------------------------------------


def test_the_first_and_last_days_count_and_the_days_around_them_do_not(dataset):
    qm = dataset["qm"]
    inside, wider = board(qm), board(qm, Period(date(2025, 12, 31), date(2026, 3, 1)))
    narrower = board(qm, Period(date(2026, 1, 2), date(2026, 2, 27)))
    # Findings, nonconformities and ideas at the first moment and the last second of the period count in it; those a
    # second before or at midnight after count in the wider period only; the narrower one loses both ends.
    assert (narrower.findings.total.value, inside.findings.total.value, wider.findings.total.value) == (2, 4, 6)
    assert (narrower.repeats.reported.value, inside.repeats.reported.value, wider.repeats.reported.value) == (2, 4, 6)
    assert (narrower.ideas.total.value, inside.ideas.total.value, wider.ideas.total.value) == (1, 3, 5)
    # K3 closed a second before the period and K4 at midnight after it; K1 on 31 Jan and K2 on 10 Feb.
    assert (inside.capa_outcomes.closed.value, wider.capa_outcomes.closed.value) == (2, 4)
    # Audits planned to start on the period's first and last days count; those of the day before and after do not.
    assert (narrower.audits.total.value, inside.audits.total.value, wider.audits.total.value) == (2, 4, 6)


def test_numbers_of_the_state_now_do_not_depend_on_the_period(dataset):
    qm = dataset["qm"]
    one, other = board(qm), board(qm, Period(date(2020, 1, 1), date(2020, 12, 31)))
    assert one.documents == other.documents
    assert one.acknowledgements == other.acknowledgements
    assert one.open_capas.total.value == other.open_capas.total.value == 5
    assert other.findings.total.value == other.ideas.total.value == other.capa_outcomes.closed.value == 0


# --- Visibility ------------------------------------------------------------------------------------------------------


def test_a_user_counts_only_what_they_may_see(dataset):
    """The page is for quality staff, but the numbers start from `visible_to`: an employee of department A would see
    the CAPAs of department A only, the published documents, the audits of their department (none)."""
    employee = dataset["e1"]
    mine = board(employee)
    everything = board(dataset["qm"])
    visible_capas = Capa.objects.visible_to(employee).exclude(status__in=[Capa.Status.CLOSED, Capa.Status.CANCELLED])
    assert mine.open_capas.total.value == visible_capas.count() == 3
    assert everything.open_capas.total.value == 5
    assert mine.documents.total.value == Document.objects.visible_to(employee).count() == 4  # not the draft
    assert mine.audits.total.value == mine.findings.total.value == 0
    visible_closed = (
        Capa.objects.visible_to(employee).filter(status=Capa.Status.CLOSED).filter(_in(PERIOD, "closed_at"))
    )
    assert mine.capa_outcomes.closed.value == visible_closed.count() == 1


# --- Charts -----------------------------------------------------------------------------------------------------------


def test_the_heat_map_shades_cells_in_four_steps_up_to_the_largest(dataset):
    heat = charts.heat_map(board(dataset["qm"]).findings)
    assert heat is not None
    levels = {
        (row.number, cell.figure.key): cell.level for group in heat.groups for row in group.rows for cell in row.cells
    }
    assert levels[("7.1", Finding.Type.MINOR_NC)] == 4  # the largest cell, 2
    assert levels[("10.2", Finding.Type.MAJOR_NC)] == 2  # 1 of 2
    assert levels[("4.1", Finding.Type.OFI)] == 0
    assert [(shade.level, shade.label) for shade in heat.shades] == [(2, "1"), (4, "2")]
    assert heat.description.startswith("4 findings in the period; the most against 7.1 Resources (2)")


def test_charts_have_no_geometry_without_data():
    zero = metrics.Figure("draft", "Draft", 0, "draft documents", "/")
    assert charts.bar_chart([zero]) is None
    assert charts.stacked_chart([("", [zero])]) is None
    assert charts.share_bar(metrics.Rate(0, 0)) is None
    assert metrics.Rate(0, 0).percent is None


def test_bars_are_scaled_to_the_largest_and_print_their_numbers():
    figures = [metrics.Figure(key, key, value, key, "/") for key, value in [("a", 4), ("b", 1), ("c", 0)]]
    chart = charts.bar_chart(figures)
    assert chart is not None
    widths = [bar.width for bar in chart.bars]
    assert widths[0] == charts.WIDTH - charts.LABEL_WIDTH - charts.VALUE_SPACE
    assert widths[1] == pytest.approx(widths[0] / 4, abs=0.1)
    assert widths[2] == 0
    assert chart.description == "a: 4; b: 1; c: 0."
    stacked = charts.stacked_chart([("row", figures)])
    assert stacked is not None
    assert [segment.key for segment in stacked.rows[0].segments] == ["a", "b"]  # a 0 draws no segment
    assert stacked.rows[0].segments[1].x == pytest.approx(stacked.rows[0].segments[0].x + widths[0] * 4 / 5, abs=0.2)


def test_a_rate_rounds_half_up():
    assert metrics.Rate(1, 8).percent == 13  # 12.5
    assert metrics.Rate(2, 3).percent == 67
