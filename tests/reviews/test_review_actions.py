"""A review's actions after the meeting: turned in one step into a CAPA, an improvement idea or a document change
request through the owning app's service, linked both ways; or kept as plain actions, done or cancelled."""

from __future__ import annotations

import pytest

from capa.models import Capa
from documents.models import ChangeRequest
from improvement.models import Idea
from qms.errors import DomainError, NotAllowed
from qms.links import links_for
from qms.reviews import services
from qms.reviews.models import ReviewAction
from tests.reviews.conftest import decide, hold, in_days

pytestmark = pytest.mark.django_db


@pytest.fixture
def action(held) -> ReviewAction:
    return held.actions.select_related("review", "decision").get()


def test_an_action_becomes_a_capa_owned_by_its_owner_and_linked_both_ways(action, quality_manager, member):
    capa = services.action_raise_capa(actor=quality_manager, action=action, kind="preventive", severity="high")
    action.refresh_from_db()
    assert action.status == ReviewAction.Status.HANDED_OVER and action.capa == capa
    assert capa.review_action == action
    assert capa.owner == member and capa.due_date == action.due_date
    assert capa.kind == "preventive" and capa.severity == "high" and capa.source == "internal"
    assert capa.title.startswith(f"{action.label}: ")
    assert f"management review {action.review.reference}" in capa.problem
    assert action.follow_up().label == f"{capa.reference} open"
    assert action.history.first().history_change_reason == f"Action A1 handed over to {capa.reference}"
    # The CAPA's page links back to the action, for those who may see the review.
    links = [(one.label, one.url) for one in links_for("capa", capa, quality_manager)]
    assert (f"From management review {action.label}", action.get_absolute_url()) in links


def test_a_capa_made_from_an_action_is_not_linked_back_for_someone_who_cannot_see_the_review(
    action, quality_manager, employee
):
    capa = services.action_raise_capa(actor=quality_manager, action=action)
    assert not [link for link in links_for("capa", capa, employee) if "management review" in link.label]


def test_an_action_becomes_an_idea_accepted_with_its_owner_as_champion(action, quality_manager, member):
    idea = services.action_raise_idea(actor=quality_manager, action=action, category="customer")
    action.refresh_from_db()
    assert action.idea == idea and idea.review_action == action
    assert idea.stage == Idea.Stage.ACCEPTED and idea.champion == member
    assert idea.category == "customer" and idea.submitter == quality_manager
    assert action.review.reference in idea.problem
    assert [link.url for link in links_for("idea", idea, member)] == [action.get_absolute_url()]


def test_an_action_becomes_a_change_request_on_a_document(action, quality_manager, effective):
    document = effective.document
    change = services.action_request_change(actor=quality_manager, action=action, document=document)
    action.refresh_from_db()
    assert action.change_request == change and change.review_action == action
    assert change.status == ChangeRequest.Status.OPEN and change.document == document
    assert change.reason.startswith(f"{action.label}: ")
    assert action.follow_up().label == f"CR-{change.pk:04d} open"


def test_an_action_is_handed_over_once(action, quality_manager):
    services.action_raise_capa(actor=quality_manager, action=action)
    with pytest.raises(DomainError, match="already handed over to CAPA"):
        services.action_raise_idea(actor=quality_manager, action=action)
    assert Capa.objects.count() == 1 and not Idea.objects.exists()


def test_only_quality_managers_hand_actions_over(action, member, auditor):
    for actor in (member, auditor):
        with pytest.raises(NotAllowed):
            services.action_raise_capa(actor=actor, action=action)
    assert not Capa.objects.exists()


def test_a_refusal_of_the_owning_app_leaves_the_action_open(review, quality_manager, member):
    """capa_create refuses a due date in the past: the action, due yesterday by now, stays open and unlinked."""
    held = hold(review, quality_manager, member)
    decision = decide(held, quality_manager, member, due_date=in_days(1))
    action = decision.actions.get()
    action.due_date = in_days(-1)  # as if the day had passed
    action.save()
    with pytest.raises(DomainError):
        services.action_raise_capa(actor=quality_manager, action=action)
    action.refresh_from_db()
    assert action.status == ReviewAction.Status.OPEN and action.capa is None
    assert not Capa.objects.exists()


def test_the_owner_reports_a_plain_action_done(action, member, employee, quality_manager):
    with pytest.raises(NotAllowed):
        services.action_complete(actor=employee, action=action, note="Done")
    with pytest.raises(DomainError):
        services.action_complete(actor=member, action=action, note=" ")
    done = services.action_complete(actor=member, action=action, note="Checked all labels")
    assert done.status == ReviewAction.Status.DONE and done.completed_by == member
    assert done.follow_up().done
    with pytest.raises(DomainError, match="already done"):
        services.action_raise_capa(actor=quality_manager, action=action)


def test_a_quality_manager_cancels_a_plain_action_with_a_reason(action, quality_manager, member):
    with pytest.raises(NotAllowed):
        services.action_cancel(actor=member, action=action, reason="Not needed")
    cancelled = services.action_cancel(actor=quality_manager, action=action, reason="Covered by CAPA-0001")
    assert cancelled.status == ReviewAction.Status.CANCELLED and cancelled.note == "Covered by CAPA-0001"
    assert cancelled.follow_up().ended and not cancelled.follow_up().done
