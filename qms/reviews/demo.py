"""Demo management reviews for `manage.py seed_demo`, built only through `qms.reviews.services`.

Two reviews: last year's, held in January and signed by the managing director, whose decisions' actions became a
CAPA, an improvement idea and a change request on the quality manual (and two plain actions, one done, one late); and
this year's, in preparation, whose "actions from earlier reviews" input shows where those stand now. The steps of
last year's review happen on their days in January (the clock is turned back as in `capa/demo/clock.py`); the change
request is asked for today, since the demo documents are made today.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from functools import partial
from typing import TypeVar

from django.core.management.base import OutputWrapper
from django.utils import timezone

from capa import services as capa_services
from capa.demo.clock import clock_at
from capa.models import Capa
from documents.models import Document
from improvement import services as idea_services
from improvement.models import Idea
from qms.models import User
from qms.reviews import services
from qms.reviews.models import Decision, ManagementReview, ReviewAction
from qms.signatures import SignatureError

T = TypeVar("T")

ATTENDEES = ("qm", "qa.engineer", "prod.lead", "eng.lead", "pur.lead", "sales.lead", "hr.lead")
NEEDED = ("qm", "ceo", *ATTENDEES, "log.lead", "prod.op3")

LAST_YEAR_ISSUES = (
    "A second customer in the medical sector asks for ISO 13485-style traceability of batches.\n"
    "The O-ring supplier was bought by a competitor; deliveries became less reliable in the autumn.\n"
    "Two experienced line operators retire in the coming year."
)
LAST_YEAR_RESOURCES = (
    "Quality inspection runs on one inspector for two shifts: final inspection waits on the late shift.\n"
    "The calibration of the torque tools is outsourced and its budget was overspent."
)
LAST_YEAR_RISKS = (
    "The dual-sourcing of O-rings (risk R-04) was planned but not started.\n"
    "The backup of the test-bench data (risk R-09) works: restored once in a drill."
)
LAST_YEAR_MINUTES = (
    "1. Actions of earlier reviews: this was the first review held in the QMS.\n"
    "2. Context: the medical customer's traceability request and the supplier change were discussed; sales will "
    "report the customer's requirements.\n"
    "3. Customer feedback: labelling complaints came up at two customers; they are the biggest theme.\n"
    "4. Resources: inspection is a bottleneck on the late shift; a second inspector is justified.\n"
    "5. Improvement: the warehouse team has many ideas that never reach anyone."
)
LAST_YEAR_CONCLUSION = (
    "The QMS is suitable and adequate for the business. It is effective in controlling documents and audits; "
    "customer labelling complaints show that corrective action on labelling is not yet effective. The direction "
    "(growth with medical customers) needs stronger traceability."
)
THIS_YEAR_ISSUES = (
    "The medical customer became our second largest account; its quality agreement was signed in March.\n"
    "A new filling line is planned for the coming year."
)


class _CannotSign(Exception):
    """The chair's password is not the demo password: the review stays held, unsigned."""


def seed(stdout: OutputWrapper, password: str) -> None:
    """Build the demo reviews, unless there are reviews already or the demo people are missing."""
    if ManagementReview.objects.exists():
        stdout.write("Demo management reviews: reviews are already there, none added.")
        return
    users = {user.username: user for user in User.objects.filter(username__in=NEEDED)}
    missing = sorted(set(NEEDED) - set(users))
    if missing:
        stdout.write(f"Demo management reviews: the demo people {', '.join(missing)} are missing; none added.")
        return
    last_year, signed = _last_year(users, password)
    this_year = _this_year(users)
    state = "signed" if signed else "held, not signed (the chair's password is not the demo password)"
    handed = ReviewAction.objects.filter(review=last_year, status=ReviewAction.Status.HANDED_OVER).count()
    stdout.write(
        f"Demo management reviews: {last_year.reference} {state}, {last_year.decisions.count()} decisions, "
        f"{handed} actions handed over to a CAPA, an idea and a change request; {this_year.reference} in preparation."
    )


def _at(day: date, hour: int, step: Callable[[], T], minute: int = 0) -> T:
    """Run a step with the clock set to that day and hour."""
    with clock_at(timezone.make_aware(datetime.combine(day, time(hour, minute)))):
        return step()


def _working_day(day: date) -> date:
    return day - timedelta(days=max(0, day.weekday() - 4))


def _last_year(users: dict[str, User], password: str) -> tuple[ManagementReview, bool]:
    today = timezone.localdate()
    year = today.year - 1
    qm, ceo = users["qm"], users["ceo"]
    # Held in late January, or earlier when that is less than a hundred days ago, so that its story has happened.
    held = _working_day(min(date(today.year, 1, 22), today - timedelta(days=100)))
    started = _working_day(held - timedelta(days=14))
    review = _at(
        started,
        9,
        lambda: services.review_create(
            actor=qm,
            title=f"Management review {year}",
            period_start=date(year, 1, 1),
            period_end=date(year, 12, 31),
            planned_on=held,
            chair=ceo,
            attendees=[users[name] for name in ATTENDEES],
            issues=LAST_YEAR_ISSUES,
            resources=LAST_YEAR_RESOURCES,
            risk_actions=LAST_YEAR_RISKS,
        ),
    )
    review = _at(
        held,
        14,
        lambda: services.review_record_meeting(
            actor=qm,
            review=review,
            held_on=held,
            attendees=[users[name] for name in ATTENDEES],
            minutes=LAST_YEAR_MINUTES,
            conclusion=LAST_YEAR_CONCLUSION,
        ),
    )

    def action(description: str, owner: str, due: date) -> services.ActionSpec:
        return services.ActionSpec(description=description, owner=users[owner], due_date=due)

    decisions = [
        (
            Decision.Kind.IMPROVEMENT,
            "Labelling complaints are the biggest customer theme: find and remove their cause, beyond the single "
            "complaints.",
            [
                action(
                    "Investigate the causes of labelling complaints across lines 1 and 2",
                    "prod.lead",
                    held + timedelta(days=98),
                )
            ],
        ),
        (
            Decision.Kind.QMS_CHANGE,
            "The quality manual must name batch traceability for medical customers as part of the scope.",
            [action("Revise the quality manual's scope for batch traceability", "qm", held + timedelta(days=68))],
        ),
        (
            Decision.Kind.IMPROVEMENT,
            "Give the warehouse team a way to bring their ideas forward.",
            [action("Pilot an idea board in the warehouse", "log.lead", held + timedelta(days=129))],
        ),
        (
            Decision.Kind.RESOURCES,
            "A second quality inspector for the late shift is approved.",
            [action("Recruit a second quality inspector", "hr.lead", held + timedelta(days=68))],
        ),
        (
            Decision.Kind.RESOURCES,
            "The calibration budget for torque tools is raised by a third.",
            [action("Agree the calibration contract for the new budget", "pur.lead", held + timedelta(days=159))],
        ),
    ]
    for number, (kind, text, specs) in enumerate(decisions):
        _at(
            held,
            15,
            partial(services.decision_add, actor=qm, review=review, kind=kind, text=text, actions=specs),
            minute=5 * number,
        )
    signed = True
    try:
        review = _at(
            held + timedelta(days=1),
            10,
            lambda: _sign(ceo, review, password),
        )
    except _CannotSign:
        signed = False

    actions = {a.number: a for a in review.actions.all()}
    capa = _at(
        held + timedelta(days=4),
        9,
        lambda: services.action_raise_capa(actor=qm, action=actions[1], severity=Capa.Severity.HIGH),
    )
    _capa_story(capa, users["prod.lead"], users["prod.op3"], held)
    idea = _at(held + timedelta(days=4), 9, lambda: services.action_raise_idea(actor=qm, action=actions[3]), minute=10)
    _at(
        held + timedelta(days=19),
        13,
        lambda: idea_services.idea_advance(
            actor=users["log.lead"], idea=idea, to=Idea.Stage.PLAN, note="Board ordered."
        ),
    )
    _at(
        held + timedelta(days=64),
        16,
        lambda: services.action_complete(
            actor=users["hr.lead"],
            action=actions[4],
            note="Fatima Zahra moved from the line to quality inspection on the late shift after her training.",
        ),
    )
    manual = (
        Document.objects.filter(title="Quality manual", status=Document.Status.EFFECTIVE).first()
        or Document.objects.filter(status=Document.Status.EFFECTIVE).order_by("number").first()
    )
    if manual is not None:
        # Today: the demo documents are made today, so a change request on one cannot be older.
        services.action_request_change(actor=qm, action=actions[2], document=manual)
    return review, signed


def _capa_story(capa: Capa, owner: User, inspector: User, held: date) -> None:
    """The CAPA from the review is investigated and its action planned in February; by now it runs late."""
    _at(held + timedelta(days=12), 11, partial(capa_services.capa_advance, actor=owner, capa=capa, to="investigating"))
    _at(
        held + timedelta(days=19),
        10,
        partial(
            capa_services.capa_update,
            actor=owner,
            capa=capa,
            root_cause_method=Capa.Method.FIVE_WHYS,
            root_cause_analysis=[
                {"why": "Why do customers get wrong labels?", "because": "Labels are printed for the whole shift."},
                {"why": "Why for the whole shift?", "because": "The printer is far from the lines."},
                {"why": "Why is it far?", "because": "Its place was never planned with the lines."},
            ],
            root_cause="Labels are printed in batches away from the line, so a changeover leaves old labels in use.",
            cause_category=Capa.CauseCategory.METHOD,
        ),
    )
    _at(
        held + timedelta(days=21),
        9,
        partial(
            capa_services.action_create,
            actor=owner,
            capa=capa,
            description="Print labels at each line, per order, from the line terminal",
            owner=inspector,
            due_date=held + timedelta(days=90),
        ),
    )
    _at(held + timedelta(days=22), 14, partial(capa_services.capa_advance, actor=owner, capa=capa, to="implementing"))


def _sign(chair: User, review: ManagementReview, password: str) -> ManagementReview:
    if not chair.check_password(password):
        raise _CannotSign  # no attempt, so no failed signature is logged for the demo
    try:
        return services.review_sign(actor=chair, review=review, password=password, comment="Approved as minuted.")
    except SignatureError:
        raise _CannotSign from None


def _this_year(users: dict[str, User]) -> ManagementReview:
    today = timezone.localdate()
    return services.review_create(
        actor=users["qm"],
        title=f"Management review {today.year}",
        period_start=date(today.year, 1, 1),
        period_end=date(today.year, 12, 31),
        planned_on=_next_working_day(today + timedelta(days=16)),
        chair=users["ceo"],
        attendees=[users[name] for name in ATTENDEES],
        issues=THIS_YEAR_ISSUES,
    )


def _next_working_day(day: date) -> date:
    return day + timedelta(days=max(0, 7 - day.weekday())) if day.weekday() >= 5 else day
