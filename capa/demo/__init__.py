"""Demo nonconformities and CAPAs for `manage.py seed_demo`, built only through `capa.services` (and
`documents.services` for the revisions that answer document actions).

The log entries of `log.py` and the CAPAs of `ended.py` and `in_progress.py` are taken step by step through the
services, so the numbering, the history, the signatures and the notifications are those the application makes itself.
Their steps are spread over the last seven months and run in date order, each with Django's clock set to its day
(`clock.py`), so CAPAs have real ages, some are overdue, and the references count up through the months. Steps that
touch the demo audits or documents, which are dated today, happen today: the CAPAs raised from audit findings, and the
document changes.

Causes repeat on purpose: calibration (7.1.5) three times, labels (8.5.2) twice, filling line 2 and the O-ring
supplier more than once, so that "has this happened before?" has answers.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import partial
from typing import TypeVar

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import OutputWrapper
from django.utils import timezone

from audits.models import Finding
from capa import services
from capa.demo.clock import clock_at
from capa.demo.ended import ENDED
from capa.demo.in_progress import IN_PROGRESS
from capa.demo.log import NONCONFORMITIES
from capa.demo.plans import ActionPlan, Analysis, CapaPlan, CheckPlan, NonconformityPlan, RevisionPlan
from capa.models import Capa, CapaAction, EffectivenessCheck, Nonconformity
from documents import services as document_services
from documents.demo.revising import changeable_document, revised_text, text_of
from documents.models import Document
from qms.models import Clause, Department, User
from qms.signatures import SignatureError

T = TypeVar("T")

CAPAS = (*ENDED, *IN_PROGRESS)

# Within one day, a story's steps run in this order.
REPORT, OPEN, INVESTIGATE, ANALYSE, PLAN, IMPLEMENT, DONE, VERIFY, SIGN, CLOSE = range(10)
# Past steps happen on working days from this time on, a few minutes apart.
WORKDAY_START = time(8, 0)
STEP_MINUTES = 7


class _StoryStops(Exception):
    """A story cannot go on: a signer's password is not the demo password, or what it builds on is not there."""


@dataclass(order=True)
class _Step:
    day: int
    story: int
    rank: int
    order: int
    run: Callable[[], None] = field(compare=False)


class _Builder:
    """Runs every story's steps in date order, with the people and reference data looked up once."""

    def __init__(self, password: str) -> None:
        self.password = password
        self.today = timezone.localdate()
        self.users = {user.username: user for user in User.objects.select_related("department")}
        self.departments = {department.code: department for department in Department.objects.all()}
        self.clauses = {clause.number: clause for clause in Clause.objects.all()}
        self.quality_manager = self.users["qm"]
        self.nonconformities: dict[str, Nonconformity] = {}
        self.refused: set[str] = set()
        self.stopped: dict[int, str] = {}  # story → why it stopped
        self.signatures = 0
        self._steps_on: Counter[date] = Counter()

    def build(self, stories: list[_LogStory | _CapaStory]) -> None:
        steps = [
            _Step(day, number, rank, order, run)
            for number, story in enumerate(stories)
            for order, (day, rank, run) in enumerate(story.steps())
        ]
        for step in sorted(steps):
            if step.story in self.stopped:
                continue
            try:
                with self._clock(step.day):
                    step.run()
            except _StoryStops as stop:
                self.stopped[step.story] = str(stop)

    def _clock(self, day: int) -> AbstractContextManager[None]:
        """Today's steps run on the real clock; earlier ones on their working day, each a little after the last."""
        if day >= 0:
            return nullcontext()
        when = _working_day(self.today + timedelta(days=day))
        self._steps_on[when] += 1
        start = timezone.make_aware(datetime.combine(when, WORKDAY_START))
        return clock_at(start + timedelta(minutes=STEP_MINUTES * self._steps_on[when]))

    def signed(self, user: User, action: Callable[..., T], **kwargs: object) -> T:
        """Run a signing service as `user` with the demo password. Someone whose password is different (an account
        made before, or with `--password`) cannot sign: the story stops there, after one failed attempt at most."""
        if user.username in self.refused:
            raise _StoryStops(f"{user.username} cannot sign with the demo password")
        try:
            result = action(actor=user, password=self.password, **kwargs)
        except SignatureError:
            self.refused.add(user.username)
            raise _StoryStops(f"{user.username} cannot sign with the demo password") from None
        self.signatures += 1
        return result


def _working_day(day: date) -> date:
    """Work happens on working days: a Saturday or Sunday step moves back to the Friday."""
    return day - timedelta(days=max(0, day.weekday() - 4))


def _in_days(days: int) -> date:
    """A date this many days after the (demo's) today."""
    return timezone.localdate() + timedelta(days=days)


# --- The nonconformity log ------------------------------------------------------------------------------------------


class _LogStory:
    def __init__(self, builder: _Builder, plan: NonconformityPlan) -> None:
        self.builder = builder
        self.plan = plan

    def steps(self) -> Iterator[tuple[int, int, Callable[[], None]]]:
        yield self.plan.reported, REPORT, self.report
        if self.plan.closed is not None:
            yield self.plan.closed.day, CLOSE, self.close

    def report(self) -> None:
        plan, builder = self.plan, self.builder
        builder.nonconformities[plan.title] = services.nonconformity_report(
            actor=builder.users[plan.reporter],
            title=plan.title,
            description=plan.description,
            source=plan.source,
            severity=plan.severity,
            location=plan.location,
            containment=plan.containment,
            department=builder.departments[plan.department],
            clause=builder.clauses[plan.clause],
            customer=plan.customer,
            customer_reference=plan.customer_reference,
            reply_due=_in_days(plan.reply_in) if plan.reply_in is not None else None,
        )

    def close(self) -> None:
        assert self.plan.closed is not None  # only then is this step planned
        services.nonconformity_close(
            actor=self.builder.quality_manager,
            nonconformity=self.builder.nonconformities[self.plan.title],
            disposition=self.plan.closed.disposition,
            note=self.plan.closed.note,
        )


# --- CAPAs ----------------------------------------------------------------------------------------------------------


class _CapaStory:
    def __init__(self, builder: _Builder, plan: CapaPlan) -> None:
        self.builder = builder
        self.plan = plan
        self.owner = builder.users[plan.owner]
        self.capa: Capa | None = None
        self.actions: dict[int, CapaAction] = {}

    def steps(self) -> Iterator[tuple[int, int, Callable[[], None]]]:
        plan = self.plan
        yield plan.opened, OPEN, self.open
        if plan.investigating is not None:
            yield plan.investigating, INVESTIGATE, partial(self.advance, Capa.Status.INVESTIGATING)
        for analysis in plan.analyses:
            yield analysis.day, ANALYSE, partial(self.analyse, analysis)
        for number, action in enumerate(plan.actions):
            yield action.planned, PLAN, partial(self.plan_action, number, action)
            if action.done is not None:
                yield action.done, DONE, partial(self.complete, number, action)
            if action.cancelled is not None:
                yield action.cancelled, DONE, partial(self.cancel_action, number, action)
        for day in plan.implementing:
            yield day, IMPLEMENT, partial(self.advance, Capa.Status.IMPLEMENTING)
        for check in plan.checks:
            yield check.verifying, VERIFY, partial(self.verifying, check)
            if check.signed is not None:
                yield check.signed, SIGN, partial(self.sign, check)
        if plan.cancelled is not None:
            yield plan.cancelled, CLOSE, self.cancel

    @property
    def opened(self) -> Capa:
        assert self.capa is not None  # every later step runs after `open`
        return self.capa

    def open(self) -> None:
        plan, builder = self.plan, self.builder
        due_date = _in_days(plan.due)
        if plan.finding:
            finding = (
                Finding.objects.filter(statement__startswith=plan.finding, capas__isnull=True)
                .select_related("audit__lead_auditor")
                .first()
            )
            if finding is None:
                raise _StoryStops(f"no audit finding without a CAPA starts {plan.finding!r}")
            # The lead auditor raises it from the finding; the owner adds the containment already under way.
            self.capa = services.capa_raise_from_finding(
                actor=finding.audit.lead_auditor, finding=finding, owner=self.owner, due_date=due_date
            )
            if plan.containment:
                self.capa = services.capa_update(actor=self.owner, capa=self.capa, containment=plan.containment)
        elif plan.nonconformity:
            self.capa = services.nonconformity_escalate(
                actor=builder.quality_manager,
                nonconformity=builder.nonconformities[plan.nonconformity],
                owner=self.owner,
                due_date=due_date,
                kind=plan.kind,
            )
        else:
            self.capa = services.capa_create(
                actor=builder.quality_manager,
                title=plan.title,
                source=plan.source,
                problem=plan.problem,
                owner=self.owner,
                due_date=due_date,
                kind=plan.kind,
                severity=plan.severity,
                containment=plan.containment,
                department=builder.departments[plan.department],
                clause=builder.clauses[plan.clause],
            )

    def advance(self, to: str) -> None:
        self.capa = services.capa_advance(actor=self.owner, capa=self.opened, to=to)

    def analyse(self, analysis: Analysis) -> None:
        self.capa = services.capa_update(
            actor=self.owner,
            capa=self.opened,
            root_cause_method=analysis.method,
            root_cause_analysis=analysis.as_recorded(),
            root_cause=analysis.root_cause,
            cause_category=analysis.category,
        )

    def plan_action(self, number: int, plan: ActionPlan) -> None:
        self.actions[number] = services.action_create(
            actor=self.owner,
            capa=self.opened,
            description=plan.description,
            owner=self.builder.users[plan.owner],
            due_date=_in_days(plan.due),
            document=_changeable(plan),
        )

    def complete(self, number: int, plan: ActionPlan) -> None:
        action = self.actions[number]
        if plan.revision is not None and action.change_request is not None:
            self._revise(action, plan.revision)
        elif plan.revision is not None:
            # The demo documents are not there (the database had documents of its own): the change is reported done
            # by hand instead, unless the story leaves it waiting for its approver.
            if plan.revision.signed:
                evidence = f"{plan.document} revised: {plan.revision.summary}"
                services.action_complete(actor=action.owner, action=action, evidence=evidence)
        else:
            services.action_complete(actor=action.owner, action=action, evidence=plan.evidence)

    def _revise(self, action: CapaAction, change: RevisionPlan) -> None:
        """The document's owner accepts the action's change request, writes the revision and submits it; the
        approver's signature makes it effective, which completes the action (capa.apps connects the two)."""
        assert action.change_request is not None and action.document is not None
        document = action.document
        author = document.owner
        change_request = document_services.change_request_accept(
            actor=author, change_request=action.change_request, comment="Agreed; the revision follows."
        )
        revision = change_request.revision
        assert revision is not None  # accepting opens the draft
        text = revised_text(text_of(revision), change.changes, change.summary, revision.revision)
        upload = SimpleUploadedFile(
            f"{document.number} {document.title} rev {revision.revision}.md", text.encode(), "text/markdown"
        )
        revision = document_services.revision_replace_file(
            actor=author, revision=revision, file=upload, change_summary=change.summary
        )
        approver = self.builder.users[change.approver]
        revision = document_services.revision_submit(actor=author, revision=revision, approvers=[approver])
        if change.signed:
            self.builder.signed(approver, document_services.revision_approve, revision=revision, comment="Agreed.")

    def cancel_action(self, number: int, plan: ActionPlan) -> None:
        services.action_cancel(actor=self.owner, action=self.actions[number], reason=plan.cancel_reason)

    def verifying(self, check: CheckPlan) -> None:
        self.capa = services.capa_advance(
            actor=self.owner,
            capa=self.opened,
            to=Capa.Status.VERIFYING,
            planned_date=_in_days(check.planned_in) if check.planned_in is not None else None,
            criteria=check.criteria,
        )

    def sign(self, check: CheckPlan) -> None:
        self.capa = self.builder.signed(
            self.builder.quality_manager,
            services.capa_verify,
            capa=self.opened,
            effective=check.effective,
            comment=check.comment,
        )

    def cancel(self) -> None:
        self.capa = services.capa_cancel(
            actor=self.builder.quality_manager, capa=self.opened, reason=self.plan.cancel_reason
        )


def _changeable(plan: ActionPlan) -> Document | None:
    """The demo document an action changes, if it is there as the demo made it (see documents.demo.revising)."""
    if not plan.document or plan.revision is None:
        return None
    return changeable_document(plan.document, plan.revision.changes)


# --- Seeding --------------------------------------------------------------------------------------------------------


def seed(stdout: OutputWrapper, password: str) -> None:
    """Build the demo nonconformity log and CAPA register, unless there are nonconformities or CAPAs already."""
    if Capa.objects.exists() or Nonconformity.objects.exists():
        stdout.write("Demo CAPAs: nonconformities or CAPAs are already there, none added.")
        return
    needed = {plan.clause for plan in NONCONFORMITIES} | {plan.clause for plan in CAPAS if plan.clause}
    missing = needed - set(Clause.objects.values_list("number", flat=True))
    if missing:
        # The clauses come from a migration; a database emptied by hand (or by a test's flush) has none.
        stdout.write(f"Demo CAPAs: ISO 9001 clauses {', '.join(sorted(missing))} are missing; none added.")
        return
    # The same password seed_demo gives new accounts (`--password` is not passed on: then signing is skipped).
    builder = _Builder(password)
    if not builder.quality_manager.check_password(builder.password):
        builder.refused.update(builder.users)  # no account will sign, so not one failed attempt is logged
    log = [_LogStory(builder, plan) for plan in NONCONFORMITIES]
    register = [_CapaStory(builder, plan) for plan in CAPAS]
    builder.build([*log, *register])
    for number, story in enumerate(register, start=len(log)):
        if number not in builder.stopped and story.capa is not None and story.capa.status != story.plan.ends:
            raise ValueError(
                f"Demo CAPA {story.plan.label!r} ended {story.capa.status}, not {story.plan.ends}: check its plan."
            )
    stdout.write(_summary(builder))


def _summary(builder: _Builder) -> str:
    nonconformities = Counter(Nonconformity.objects.values_list("status", flat=True))
    capas = Counter(Capa.objects.values_list("status", flat=True))
    actions = Counter(CapaAction.objects.values_list("status", flat=True))
    failed = EffectivenessCheck.objects.filter(result=EffectivenessCheck.Result.NOT_EFFECTIVE).count()
    by_revision = CapaAction.objects.filter(status=CapaAction.Status.DONE, change_request__isnull=False).count()
    summary = (
        f"Demo CAPAs: {sum(nonconformities.values())} nonconformities ({_counts(nonconformities)}), "
        f"{sum(capas.values())} CAPAs ({_counts(capas)}), {sum(actions.values())} actions ({_counts(actions)}, "
        f"{by_revision} done by a document revision), {failed} failed effectiveness checks, "
        f"{builder.signatures} signatures."
    )
    if builder.stopped:
        reasons = sorted(set(builder.stopped.values()))
        summary += f" {len(builder.stopped)} stories stopped early: {'; '.join(reasons)}."
    return summary


def _counts(counter: Counter[str]) -> str:
    return ", ".join(f"{count} {value.replace('_', ' ')}" for value, count in counter.most_common())
