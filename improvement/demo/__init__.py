"""Demo improvement ideas for `manage.py seed_demo`, built only through `improvement.services` (and
`documents.services` for the revisions that standardise ideas).

About sixty ideas from the last twelve months (`decided.py`, `pipeline.py`, `linked.py`) are taken step by step
through the services: submitted by name or anonymously, voted for, commented on, accepted with a champion, moved
through Plan-Do-Check-Act with their notes, standardized with a measured benefit, rejected or parked with a reason.
Their steps run in date order, each with Django's clock set to its day (`capa/demo/clock.py`), so ideas have real ages,
the references count up through the months, and the trend pages have a year to show: few ideas in the first months,
decided slowly, and more ideas, decided faster, in the last ones. Production, Maintenance and Logistics take part far
more than Purchasing and HR. Steps that build on the demo audits or documents, which are dated today, happen today:
the ideas raised from audit findings, and the document changes that standardise three ideas.
"""

from __future__ import annotations

import zlib
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from functools import partial
from typing import TypeVar

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import OutputWrapper
from django.utils import timezone

from audits.models import Finding
from capa.demo.clock import clock_at
from capa.models import Capa
from documents import services as document_services
from documents.demo.revising import changeable_document, revised_text, text_of
from documents.models import Document
from improvement import services
from improvement.demo.decided import DECIDED
from improvement.demo.linked import LINKED
from improvement.demo.pipeline import PIPELINE
from improvement.demo.plans import Cycle, Decision, DocumentChange, IdeaPlan, Remark
from improvement.models import Comment, Idea, Vote
from qms.models import Department, User
from qms.signatures import SignatureError

T = TypeVar("T")

IDEAS = (*DECIDED, *PIPELINE, *LINKED)

# Within one day: submissions first, then votes, moves, decisions that close an idea, and comments (which may answer
# the day's decision).
SUBMIT, VOTE, MOVE, CLOSE, COMMENT = range(5)
# Past steps happen on working days from this time on, a few minutes apart.
WORKDAY_START = time(8, 30)
STEP_MINUTES = 4
# How readily each demo person votes: Production, Maintenance and Logistics vote most; Engineering and Sales less;
# Purchasing and HR hardly or never. Those not named (external auditors, the administrator) do not vote.
VOTERS = {
    "employee": 1.0,
    "prod.lead": 1.0,
    "prod.op4": 1.0,
    "maint.tech": 1.0,
    "prod.op2": 0.9,
    "prod.op3": 0.9,
    "maint.lead": 0.9,
    "qa.engineer": 0.8,
    "log.lead": 0.8,
    "log.clerk": 0.8,
    "qm": 0.7,
    "eng.process": 0.7,
    "auditor": 0.6,
    "eng.lead": 0.5,
    "sales.rep": 0.5,
    "ceo": 0.4,
    "auditor2": 0.2,
    "sales.lead": 0.1,
    "pur.lead": 0.1,
}


class _StoryStops(Exception):
    """An idea's story cannot go on: what it builds on (a finding, a CAPA, a document) is not there as the demo made
    it, or a signer's password is not the demo password."""


@dataclass(order=True)
class _Step:
    day: int
    rank: int
    story: int
    order: int
    run: Callable[[], None] = field(compare=False)


class _Builder:
    """Runs every idea's steps in date order, with the people and departments looked up once."""

    def __init__(self, password: str) -> None:
        self.password = password
        self.today = timezone.localdate()
        self.users = {user.username: user for user in User.objects.select_related("department")}
        self.departments = {department.code: department for department in Department.objects.all()}
        self.refused: set[str] = set()
        self.stopped: dict[int, str] = {}  # story → why it stopped
        self.signatures = 0
        self._steps_on: Counter[date] = Counter()

    def build(self, stories: list[_IdeaStory]) -> None:
        steps = [
            _Step(day, rank, number, order, run)
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

    def user(self, username: str) -> User:
        try:
            return self.users[username]
        except KeyError:
            raise _StoryStops(f"there is no demo user {username}") from None

    def voters_for(self, plan: IdeaPlan) -> list[User]:
        """The `plan.votes` people most likely to back this idea: those who vote most, mixed by a draw that is the
        same on every run (never the submitter, named or not)."""

        def score(username: str) -> float:
            draw = zlib.crc32(f"{plan.title}|{username}".encode()) / 0xFFFFFFFF
            return VOTERS[username] * (0.5 + draw)

        candidates = [name for name in VOTERS if name != plan.by and name in self.users]
        return [self.users[name] for name in sorted(candidates, key=score, reverse=True)[: plan.votes]]

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


class _IdeaStory:
    def __init__(self, builder: _Builder, plan: IdeaPlan) -> None:
        self.builder = builder
        self.plan = plan
        self.idea: Idea | None = None

    def steps(self) -> Iterator[tuple[int, int, Callable[[], None]]]:
        plan = self.plan
        yield plan.day, SUBMIT, self.submit
        for day, voter in self._votes():
            yield day, VOTE, partial(self.vote, voter)
        if plan.accepted is not None:
            yield plan.accepted.day, MOVE, partial(self.accept, plan.accepted)
        if plan.stopped is not None:
            yield plan.stopped.day, CLOSE, self.stop
        if plan.resumed is not None:
            yield plan.resumed.day, MOVE, partial(self.accept, plan.resumed)
        for cycle in plan.cycles:
            yield cycle.plan, MOVE, partial(self.start_plan, cycle)
            if cycle.do is not None:
                yield cycle.do, MOVE, partial(self.start_do, cycle)
            if cycle.check is not None:
                yield cycle.check, MOVE, partial(self.start_check, cycle)
            if cycle.act is not None:
                yield cycle.act, MOVE, partial(self.start_act, cycle)
        if plan.change is not None:
            yield 0, MOVE, partial(self.change_document, plan.change)
        if plan.standardized is not None:
            yield (0 if plan.change is not None else plan.standardized.day), CLOSE, self.standardize
        for remark in plan.comments:
            yield remark.day, COMMENT, partial(self.comment, remark)

    def _votes(self) -> Iterator[tuple[int, User]]:
        """The votes, spread over the time the idea is open to them: from the day after it is submitted (or the day
        itself, for one submitted today) until it is decided or parked, or today. People vote when they come across
        an idea: when it is new, and again as its trial shows results."""
        plan = self.plan
        voters = self.builder.voters_for(plan)
        if not voters:
            return
        last = 0
        if plan.stopped is not None:
            last = min(last, plan.stopped.day)  # a decision that day comes after the day's votes
        if plan.decided is not None:
            last = min(last, plan.decided)
        first = min(plan.day + 1, last)
        for number, voter in enumerate(voters):
            yield first + (last - first) * number // len(voters), voter

    @property
    def opened(self) -> Idea:
        assert self.idea is not None  # every later step runs after `submit`
        return self.idea

    @property
    def champion(self) -> User:
        idea = self.opened
        assert idea.champion is not None  # PDCA steps run after `accept`
        return idea.champion

    def submit(self) -> None:
        plan, builder = self.plan, self.builder
        actor = builder.user(plan.by)
        if plan.finding:
            finding = (
                Finding.objects.filter(
                    statement__startswith=plan.finding,
                    type__in=[Finding.Type.OFI, Finding.Type.OBSERVATION],
                    ideas__isnull=True,
                )
                .select_related("audit")
                .first()
            )
            if finding is None:
                raise _StoryStops(f"no audit finding without an idea starts {plan.finding!r}")
            self.idea = services.idea_from_finding(actor=actor, finding=finding)
        elif plan.capa:
            capa = Capa.objects.filter(title=plan.capa, created_at__lte=timezone.now()).first()
            if capa is None:
                raise _StoryStops(f"no CAPA titled {plan.capa!r} was open by then")
            self.idea = services.idea_from_capa(actor=actor, capa=capa, title=plan.title, proposal=plan.proposal)
        else:
            files = []
            if plan.attachment is not None:
                name, text = plan.attachment
                files.append(SimpleUploadedFile(name, text.encode(), "text/csv"))
            self.idea = services.idea_submit(
                actor=actor,
                title=plan.title,
                problem=plan.problem,
                proposal=plan.proposal,
                category=plan.category,
                expected_benefit=plan.benefit,
                department=builder.departments.get(plan.department) if plan.department else None,
                anonymous=plan.anonymous,
                files=files,
                source=plan.source,
            )

    def vote(self, voter: User) -> None:
        services.idea_vote(actor=voter, idea=self.opened)

    def comment(self, remark: Remark) -> None:
        services.comment_add(actor=self.builder.user(remark.author), idea=self.opened, body=remark.body)

    def accept(self, decision: Decision) -> None:
        self.idea = services.idea_advance(
            actor=self.builder.user(decision.by),
            idea=self.opened,
            to=Idea.Stage.ACCEPTED,
            note=decision.note,
            champion=self.builder.user(decision.champion),
        )

    def stop(self) -> None:
        stopped = self.plan.stopped
        assert stopped is not None  # only then is this step planned
        self.idea = services.idea_advance(
            actor=self.builder.user("qm"), idea=self.opened, to=stopped.stage, note=stopped.reason
        )

    def start_plan(self, cycle: Cycle) -> None:
        champion = self.champion
        idea = services.idea_advance(actor=champion, idea=self.opened, to=Idea.Stage.PLAN, note=cycle.note)
        self.idea = services.idea_update_notes(
            actor=champion,
            idea=idea,
            target_metric=cycle.metric,
            baseline=cycle.baseline,
            target=cycle.target,
            plan_notes=cycle.plan_notes,
        )

    def start_do(self, cycle: Cycle) -> None:
        champion = self.champion
        idea = services.idea_advance(actor=champion, idea=self.opened, to=Idea.Stage.DO)
        self.idea = services.idea_update_notes(actor=champion, idea=idea, do_notes=cycle.do_notes)

    def start_check(self, cycle: Cycle) -> None:
        champion = self.champion
        idea = services.idea_advance(actor=champion, idea=self.opened, to=Idea.Stage.CHECK)
        self.idea = services.idea_update_notes(
            actor=champion, idea=idea, measured_result=cycle.measured, check_notes=cycle.check_notes
        )

    def start_act(self, cycle: Cycle) -> None:
        champion = self.champion
        idea = services.idea_advance(actor=champion, idea=self.opened, to=Idea.Stage.ACT)
        self.idea = services.idea_update_notes(actor=champion, idea=idea, act_notes=cycle.act_notes)

    def change_document(self, change: DocumentChange) -> None:
        """The champion requests the change; the document's owner accepts it and writes the revision from the
        effective text; the approver's signature makes it effective."""
        document = _changeable(change)
        if document is None:
            raise _StoryStops(f"the document {change.document!r} is not there as the demo made it")
        self.idea = services.idea_request_document_change(
            actor=self.champion, idea=self.opened, document=document, reason=change.summary
        )
        if not change.effective:
            return
        assert self.idea.change_request is not None  # requested just above
        author = document.owner
        change_request = document_services.change_request_accept(
            actor=author, change_request=self.idea.change_request, comment="Agreed; the revision follows."
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
        approver = self.builder.user(change.approver)
        revision = document_services.revision_submit(actor=author, revision=revision, approvers=[approver])
        self.builder.signed(approver, document_services.revision_approve, revision=revision, comment="Agreed.")

    def standardize(self) -> None:
        standardized = self.plan.standardized
        assert standardized is not None  # only then is this step planned
        champion = self.champion
        idea = services.idea_update_notes(
            actor=champion,
            idea=self.opened,
            benefit_unit=standardized.unit,
            benefit_amount=Decimal(standardized.amount),
            benefit_notes=standardized.benefit_notes,
            **({"no_document_change_reason": standardized.no_change_reason} if standardized.no_change_reason else {}),
        )
        self.idea = services.idea_advance(actor=champion, idea=idea, to=Idea.Stage.STANDARDIZED)


def _changeable(change: DocumentChange) -> Document | None:
    """The demo document an idea changes, if it is there as the demo made it (see documents.demo.revising)."""
    return changeable_document(change.document, change.changes)


# --- Seeding --------------------------------------------------------------------------------------------------------


def seed(stdout: OutputWrapper, password: str) -> None:
    """Build the demo ideas, unless there are ideas already."""
    if Idea.objects.exists():
        stdout.write("Demo ideas: ideas are already there, none added.")
        return
    # The same password seed_demo gives new accounts (`--password` is not passed on: then signing is skipped).
    builder = _Builder(password)
    quality_manager = builder.users.get("qm")
    if quality_manager is None or not quality_manager.check_password(builder.password):
        builder.refused.update(builder.users)  # no account will sign, so not one failed attempt is logged
    stories = [_IdeaStory(builder, plan) for plan in IDEAS]
    builder.build(stories)
    for number, story in enumerate(stories):
        if number not in builder.stopped and story.idea is not None and story.idea.stage != story.plan.stage:
            raise ValueError(
                f"Demo idea {story.plan.title!r} ended {story.idea.stage}, not {story.plan.stage}: check its plan."
            )
    stdout.write(_summary(builder))


def _summary(builder: _Builder) -> str:
    ideas = Idea.objects.all()
    stages = Counter(ideas.values_list("stage", flat=True))
    by_change = ideas.filter(stage=Idea.Stage.STANDARDIZED, change_request__isnull=False).count()
    summary = (
        f"Demo ideas: {sum(stages.values())} ideas ({_counts(stages)}; {by_change} standardized through a document "
        f"change), {ideas.filter(anonymous=True).count()} anonymous, "
        f"{ideas.filter(source=Idea.Source.AUDIT).count()} from audit findings, "
        f"{ideas.filter(source=Idea.Source.CAPA).count()} from CAPAs, {Vote.objects.count()} votes, "
        f"{Comment.objects.count()} comments, {builder.signatures} signatures."
    )
    if builder.stopped:
        reasons = sorted(set(builder.stopped.values()))
        summary += f" {len(builder.stopped)} stories stopped early: {'; '.join(reasons)}."
    return summary


def _counts(counter: Counter[str]) -> str:
    stages = [stage for stage in Idea.Stage.values if counter[stage]]
    return ", ".join(f"{counter[stage]} {stage}" for stage in stages)
