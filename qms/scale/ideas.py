"""Seeded improvement ideas: submitted by employees (some anonymously), voted and commented on, moved through PDCA.

Older ideas have mostly reached a decision (standardized, rejected or parked); recent ones are spread along the
pipeline. Anonymous ideas name nobody anywhere, their history included, as `improvement.services` promises.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from itertools import pairwise

from improvement.models import Comment, Idea, StageChange, Vote, Watch
from qms.scale.audits import SeededFinding
from qms.scale.capa import SeededCapa
from qms.scale.rows import Row, Rows
from qms.scale.world import Person, World

I = Idea.Stage  # noqa: E741 - reads like the domain's stage names, as C and A do in the sibling modules
PATH: list[str] = [I.SUBMITTED, I.ACCEPTED, I.PLAN, I.DO, I.CHECK, I.ACT, I.STANDARDIZED]
COMMENTS = [
    "Good idea, we see the same on our shift.",
    "Could we trial it on line 2 first?",
    "Please check with maintenance before changing the fixture.",
    "+1, this costs us time every week.",
    "We tried something similar in 2019; the gauge was the problem.",
]


def add_ideas(world: World, rows: Rows, count: int, findings: list[SeededFinding], capas: list[SeededCapa]) -> None:
    offers = [finding for finding in findings if finding.type == "ofi"]
    for _ in range(count):
        _add_idea(world, rows, offers, capas)


def _final_stage(world: World, created: datetime) -> str:
    rng = world.rng
    if created > world.now - timedelta(days=120):
        return rng.choice(PATH[:6])
    draw = rng.random()
    if draw < 0.4:
        return I.STANDARDIZED
    if draw < 0.65:
        return I.REJECTED
    if draw < 0.75:
        return I.PARKED
    return rng.choice(PATH[:6])


def _add_idea(world: World, rows: Rows, offers: list[SeededFinding], capas: list[SeededCapa]) -> None:
    rng = world.rng
    vocabulary = world.vocabulary
    finding = offers.pop() if offers and rng.random() < 0.5 else None
    capa = rng.choice(capas) if capas and finding is None and rng.random() < 0.05 else None
    created = world.after(finding.created_at, max_days=10) if finding else world.moment(world.start, world.now)
    anonymous = finding is None and capa is None and rng.random() < 0.1
    submitter = world.rng.choice(world.staff)
    department_id = None if anonymous else submitter.department_id
    source = Idea.Source.AUDIT if finding else Idea.Source.CAPA if capa else Idea.Source.EMPLOYEE
    idea = rows.add(
        Idea,
        reference=f"IDEA-{world.next_number('idea'):04d}",
        title=f"Simplify {vocabulary.process()} of {vocabulary.object()}s"[:200],
        problem=vocabulary.statement(),
        proposal=vocabulary.statement(),
        expected_benefit="Less waiting and fewer defects.",
        category=rng.choice(Idea.Category.values),
        department_id=department_id,
        submitter_id=None if anonymous else submitter.id,
        anonymous=anonymous,
        source=source,
        finding_id=finding.id if finding else None,
        capa_id=capa.id if capa else None,
        stage=I.SUBMITTED,
        champion_id=None,
        cycle=1,
        created_at=created,
        stage_changed_at=created,
    )
    author = None if anonymous else submitter.id
    rows.history(Idea, idea, when=created, user=author, reason="Submitted anonymously" if anonymous else "Submitted")
    watchers = {submitter.id} if not anonymous else set()
    voters = _votes(world, rows, idea, created)
    watchers.update(voters)
    watchers.update(_comments(world, rows, idea, created))
    for user_id in sorted(watchers):
        rows.add(Watch, idea_id=idea["id"], user_id=user_id)
    _move(world, rows, idea, _final_stage(world, created))


def _votes(world: World, rows: Rows, idea: Row, created: datetime) -> set[int]:
    people = world.rng.sample(world.staff, k=min(len(world.staff), world.rng.choices(range(13))[0]))
    for person in people:
        at = world.after(created, max_days=60)
        vote = rows.add(Vote, idea_id=idea["id"], voter_id=person.id, at=at)
        rows.history(Vote, vote, when=at, user=person.id, reason="Voted")
    return {person.id for person in people}


def _comments(world: World, rows: Rows, idea: Row, created: datetime) -> set[int]:
    authors = set()
    for _ in range(world.rng.choices(range(5), weights=(40, 25, 15, 12, 8))[0]):
        person = world.rng.choice(world.staff)
        at = world.after(created, max_days=90)
        comment = rows.add(Comment, idea_id=idea["id"], author_id=person.id, body=world.rng.choice(COMMENTS), at=at)
        rows.history(Comment, comment, when=at, user=person.id, reason="Comment added")
        authors.add(person.id)
    return authors


def _move(world: World, rows: Rows, idea: Row, final: str) -> None:
    """Walk the idea along the PDCA path to its final stage, filling what each stage asks for."""
    if final == I.SUBMITTED:
        return
    rng = world.rng
    vocabulary = world.vocabulary
    manager = rng.choice(world.quality_managers)
    champion: Person = world.member_of(idea["department_id"])
    if final in (I.REJECTED, I.PARKED):
        stops = [I.SUBMITTED, final] if rng.random() < 0.5 else [I.SUBMITTED, I.ACCEPTED, final]
    else:
        stops = PATH[: PATH.index(final) + 1]
    moment: datetime = idea["created_at"]
    fill: dict[str, dict[str, object]] = {
        I.ACCEPTED: {"champion_id": champion.id},
        I.DO: {
            "target_metric": f"{vocabulary.object().capitalize()} defects per week",
            "baseline": "12",
            "target": "4",
            "plan_notes": vocabulary.sentence(),
        },
        I.CHECK: {"do_notes": vocabulary.sentence()},
        I.ACT: {"measured_result": str(rng.randint(2, 8)), "check_notes": vocabulary.sentence()},
        I.STANDARDIZED: {
            "act_notes": vocabulary.sentence(),
            "no_document_change_reason": "The change is in the tool.",
            "benefit_unit": rng.choice(Idea.BenefitUnit.values),
            "benefit_amount": Decimal(rng.randint(10, 5000)),
            "benefit_notes": "Measured over a quarter.",
        },
        I.REJECTED: {"decision_reason": "Not worth the cost of the change."},
        I.PARKED: {"decision_reason": "Good idea; waits for the new line next year."},
    }
    for previous, stage in pairwise(stops):
        moment = world.after(moment, max_days=30, min_days=1)
        decides = stage in (I.ACCEPTED, I.REJECTED, I.PARKED)
        actor = manager if decides else champion
        idea.update(fill.get(stage, {}), stage=stage, stage_changed_at=moment)
        reason = f"Moved from {Idea.Stage(previous).label} to {Idea.Stage(stage).label}"
        rows.history(Idea, idea, when=moment, user=actor.id, reason=reason, kind="~")
        change = rows.add(
            StageChange,
            idea_id=idea["id"],
            from_stage=previous,
            to_stage=stage,
            cycle=1,
            note=idea.get("decision_reason", "") if stage in (I.REJECTED, I.PARKED) else "",
            actor_id=actor.id,
            at=moment,
        )
        rows.history(StageChange, change, when=moment, user=actor.id, reason=reason)
