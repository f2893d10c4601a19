"""Ideas through PDCA: the stage rules from every stage, who may move what, and the notes each stage needs."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from improvement import services
from improvement.models import Idea
from qms.errors import DomainError, NotAllowed
from qms.history import history_of
from tests.improvement.conftest import move
from tests.qms.factories import UserFactory

pytestmark = pytest.mark.django_db

PDCA = ["accepted", "plan", "do", "check", "act", "standardized"]


def test_an_idea_goes_from_submitted_to_standardized(idea, quality_manager, employee):
    assert idea.reference == "IDEA-0001" and idea.stage == Idea.Stage.SUBMITTED
    idea = move(idea, quality_manager, *PDCA)
    assert idea.stage == Idea.Stage.STANDARDIZED
    assert idea.champion == quality_manager
    assert list(idea.stage_changes.values_list("to_stage", flat=True)) == PDCA
    subjects = list(employee.notifications.values_list("subject", flat=True))
    assert sum(subject.startswith("IDEA-0001 moved to") for subject in subjects) == len(PDCA)


def _idea_in(stage: str, idea: Idea, manager: Any) -> Idea:
    if stage in {"rejected", "parked"}:
        return services.idea_advance(actor=manager, idea=idea, to=stage, note="Not now: budget frozen")
    return move(idea, manager, *PDCA[: PDCA.index(stage) + 1]) if stage != "submitted" else idea


ALL = ["submitted", "accepted", "plan", "do", "check", "act", "standardized", "rejected", "parked"]


@pytest.mark.parametrize("stage", ALL)
@pytest.mark.parametrize("target", ALL)
def test_an_idea_moves_only_along_the_pdca_path(stage, target, idea, quality_manager):
    idea = _idea_in(stage, idea, quality_manager)
    if target in Idea.MOVES[stage]:
        return  # the allowed moves are walked by the other tests, with the notes each needs
    changes = idea.stage_changes.count()
    with pytest.raises(DomainError, match="moves to"):
        services.idea_advance(actor=quality_manager, idea=idea, to=target, note="Try")
    idea.refresh_from_db()
    assert idea.stage == stage and idea.stage_changes.count() == changes


def test_skipping_check_is_refused(idea, quality_manager):
    idea = move(idea, quality_manager, "accepted", "plan", "do")
    with pytest.raises(DomainError, match="moves to check, parked, not to act"):
        services.idea_advance(actor=quality_manager, idea=idea, to="act")


@pytest.mark.parametrize(
    ("stage", "target", "missing"),
    [
        ("plan", "do", "name the metric to improve and its baseline"),
        ("do", "check", "say what was tried"),
        ("check", "act", "record the measured result"),
    ],
)
def test_each_stage_needs_its_notes(stage, target, missing, idea, quality_manager):
    idea = _idea_in("accepted", idea, quality_manager)
    idea = services.idea_advance(actor=quality_manager, idea=idea, to="plan")
    if stage in {"do", "check"}:
        idea = move(idea, quality_manager, "do")
    if stage == "check":
        idea = move(idea, quality_manager, "check")
    with pytest.raises(DomainError, match=missing):
        services.idea_advance(actor=quality_manager, idea=idea, to=target)


def test_standardized_needs_an_effective_change_or_a_reason_and_a_benefit(idea, quality_manager):
    idea = move(idea, quality_manager, "accepted", "plan", "do", "check", "act")
    with pytest.raises(DomainError) as refused:
        services.idea_advance(actor=quality_manager, idea=idea, to="standardized")
    assert "say why no document changes" in refused.value.message
    assert "Record the measured benefit" in refused.value.message


def test_a_new_cycle_goes_back_to_plan(idea, quality_manager):
    idea = move(idea, quality_manager, "accepted", "plan", "do", "check", "act")
    idea = services.idea_advance(actor=quality_manager, idea=idea, to="plan", note="Target missed on night shift")
    assert (idea.stage, idea.cycle) == ("plan", 2)
    assert "New PDCA cycle started: Target missed on night shift" in [e.reason for e in history_of(idea)]


def test_rejecting_and_parking_need_a_reason_the_submitter_reads(idea, quality_manager, employee):
    with pytest.raises(DomainError, match="the submitter will read it"):
        services.idea_advance(actor=quality_manager, idea=idea, to="rejected", note=" ")
    idea = services.idea_advance(actor=quality_manager, idea=idea, to="parked", note="Waiting for the new line")
    assert idea.decision_reason == "Waiting for the new line"
    message = employee.notifications.get(subject__startswith="IDEA-0001 moved to parked")
    assert "Why: Waiting for the new line" in message.body
    idea = services.idea_advance(actor=quality_manager, idea=idea, to="accepted")
    assert idea.stage == "accepted"


def test_only_quality_managers_decide_and_only_the_champion_moves_on(idea, quality_manager, employee, auditor):
    for someone in (employee, auditor):
        with pytest.raises(NotAllowed):
            services.idea_advance(actor=someone, idea=idea, to="accepted")
    champion = UserFactory(username="champion", roles=["employee"])
    idea = services.idea_advance(actor=quality_manager, idea=idea, to="accepted", champion=champion)
    with pytest.raises(NotAllowed):
        services.idea_advance(actor=employee, idea=idea, to="plan")
    with pytest.raises(NotAllowed):
        services.idea_update_notes(actor=employee, idea=idea, target_metric="Mine")
    assert services.idea_advance(actor=champion, idea=idea, to="plan").stage == "plan"
    with pytest.raises(NotAllowed):
        services.idea_advance(actor=champion, idea=idea, to="parked", note="Champions do not park")


def test_notes_belong_to_their_stage(idea, quality_manager):
    idea = move(idea, quality_manager, "accepted", "plan")
    with pytest.raises(DomainError, match="cannot be written: measured_result") as refused:
        services.idea_update_notes(actor=quality_manager, idea=idea, measured_result="0")
    assert refused.value.field == "measured_result"
    idea = move(idea, quality_manager, "do", "check", "act")
    with pytest.raises(DomainError, match="not negative"):
        services.idea_update_notes(actor=quality_manager, idea=idea, benefit_amount=Decimal("-1"))


def test_votes_count_once_and_watch(idea, auditor, quality_manager):
    assert services.idea_vote(actor=auditor, idea=idea) == 1
    assert services.idea_vote(actor=auditor, idea=idea) == 1
    assert idea.watches.filter(user=auditor).exists()
    assert services.idea_unvote(actor=auditor, idea=idea) == 0
    idea = services.idea_advance(actor=quality_manager, idea=idea, to="rejected", note="Duplicate of IDEA-0002")
    with pytest.raises(DomainError, match="Voting is closed"):
        services.idea_vote(actor=auditor, idea=idea)


def test_comments_notify_mentions_and_watchers(idea, employee, auditor, quality_manager):
    comment = services.comment_add(actor=auditor, idea=idea, body=f"Good one, @{quality_manager.username} please look")
    assert quality_manager.notifications.filter(subject__endswith="mentioned you on IDEA-0001").exists()
    assert employee.notifications.filter(subject__startswith="New comment on IDEA-0001").exists()
    assert comment.idea.watches.filter(user=auditor).exists()
    with pytest.raises(DomainError, match="Write something"):
        services.comment_add(actor=auditor, idea=idea, body="  ")


def test_an_ofi_becomes_an_idea_in_one_step_and_a_nonconformity_does_not(in_progress, lead, quality_manager):
    from audits import services as audit_services
    from qms.models import Clause

    clause = Clause.objects.get(number="10.3")
    ofi = audit_services.finding_create(actor=lead, audit=in_progress, type="ofi", clause=clause, statement="Kanban")
    idea = services.idea_from_finding(actor=lead, finding=ofi)
    assert (idea.source, idea.finding, idea.submitter) == ("audit", ofi, lead)
    assert list(ofi.ideas.all()) == [idea]
    with pytest.raises(DomainError, match="already an idea"):
        services.idea_from_finding(actor=quality_manager, finding=ofi)
    nc = audit_services.finding_create(actor=lead, audit=in_progress, type="minor_nc", clause=clause, statement="x")
    with pytest.raises(DomainError, match="needs a CAPA"):
        services.idea_from_finding(actor=lead, finding=nc)


def test_a_capa_spawns_a_preventive_idea(open_capa, employee, auditor):
    idea = services.idea_from_capa(actor=employee, capa=open_capa, title="Red zones everywhere", proposal="All sites")
    assert (idea.source, idea.capa) == ("capa", open_capa)
    with pytest.raises(NotAllowed):
        services.idea_from_capa(actor=auditor, capa=open_capa, title="x", proposal="y")
