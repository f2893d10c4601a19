"""The life of a management review: started with its inputs assembled, prepared (refreshed, edited), held (the inputs
frozen), decided, signed by its chair with a password (wrong ones logged, nothing signed), and unchangeable after;
or cancelled while it is prepared."""

from __future__ import annotations

import pytest
from django.utils import timezone

from capa import services as capa_services
from capa.models import Capa
from qms.errors import DomainError, NotAllowed
from qms.models import Notification, Signature, SignatureFailure
from qms.reviews import services
from qms.reviews.models import Decision, ManagementReview, ReviewAction
from qms.signatures import SignatureError, sha256_of_text
from tests.conftest import PASSWORD
from tests.qms.factories import UserFactory
from tests.reviews.conftest import CONCLUSION, decide, hold, in_days, start

pytestmark = pytest.mark.django_db


def _sections(review: ManagementReview) -> dict:
    return {section["key"]: section for section in review.inputs["sections"]}


# --- Starting -------------------------------------------------------------------------------------------------------


def test_a_quality_manager_starts_a_review_numbered_by_the_year_its_period_ends(quality_manager, chair, member):
    first = start(quality_manager, chair, member)
    second = start(quality_manager, chair)
    year = timezone.localdate().year
    assert first.reference == f"MR-{year}-001"
    assert second.reference == f"MR-{year}-002"
    assert first.status == ManagementReview.Status.PREPARING
    assert set(first.attendees.all()) == {chair, member}, "the chair attends in any case"
    assert first.inputs_sha256 and first.inputs_assembled_at is not None
    assert first.inputs["period"] == {"start": first.period_start.isoformat(), "end": first.period_end.isoformat()}
    assert first.inputs["assembled_by"] == quality_manager.display_name
    assert first.history.last().history_change_reason.startswith("Review started for")
    told = Notification.objects.filter(subject__startswith=f"Management review {first.reference}")
    assert set(told.values_list("recipient__username", flat=True)) == {"ceo", "prod.manager"}


def test_only_quality_managers_start_reviews(auditor, chair):
    with pytest.raises(NotAllowed):
        start(auditor, chair)


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"title": "  "}, "title"),
        ({"period_start": in_days(1), "period_end": in_days(0)}, "period_end"),
        ({"planned_on": in_days(-1)}, "planned_on"),
    ],
)
def test_a_review_needs_a_title_a_period_in_order_and_a_meeting_to_come(quality_manager, chair, extra, field):
    with pytest.raises(DomainError) as refusal:
        start(quality_manager, chair, **extra)
    assert refusal.value.field == field
    assert not ManagementReview.objects.exists()


def test_the_chair_must_be_able_to_sign_in_and_open_the_review(quality_manager, outsider):
    with pytest.raises(DomainError) as refusal:
        start(quality_manager, outsider)
    assert refusal.value.field == "chair"
    gone = UserFactory(username="left", roles=["employee"], is_active=False)
    with pytest.raises(DomainError):
        start(quality_manager, gone)


# --- Preparing ------------------------------------------------------------------------------------------------------


def test_refreshing_the_inputs_reads_todays_data_and_is_recorded(review, quality_manager, employee):
    before = _sections(review)["process_performance"]["facts"][0]["value"]
    capa_services.nonconformity_report(actor=employee, title="Leak", description="Valve 3 leaks")
    refreshed = services.review_refresh_inputs(actor=quality_manager, review=review)
    assert _sections(refreshed)["process_performance"]["facts"][0]["value"] == before + 1
    assert refreshed.inputs_sha256 != review.inputs_sha256
    row = refreshed.history.first()
    assert row.history_change_reason == "Inputs refreshed from today's data"
    assert row.history_user == quality_manager
    assert row.inputs_sha256 == refreshed.inputs_sha256, "the history keeps the digest of each snapshot"


def test_a_new_period_assembles_the_inputs_again(review, quality_manager):
    changed = services.review_update(actor=quality_manager, review=review, period_start=in_days(-30))
    assert changed.inputs["period"]["start"] == in_days(-30).isoformat()
    assert "inputs assembled again" in changed.history.first().history_change_reason


def test_written_inputs_and_attendees_change_while_preparing(review, quality_manager, chair, auditor):
    changed = services.review_update(
        actor=quality_manager, review=review, issues="A new competitor", attendees=[auditor]
    )
    assert changed.issues == "A new competitor"
    assert set(changed.attendees.all()) == {auditor, chair}


def test_someone_newly_invited_is_told(review, quality_manager, auditor):
    services.review_update(actor=quality_manager, review=review, attendees=[auditor])
    assert Notification.objects.filter(recipient=auditor, subject__contains=review.reference).exists()
    assert review.history.first().history_change_reason == "Attendees changed"


def test_a_review_in_preparation_is_cancelled_with_a_reason(review, quality_manager):
    with pytest.raises(DomainError):
        services.review_cancel(actor=quality_manager, review=review, reason=" ")
    cancelled = services.review_cancel(actor=quality_manager, review=review, reason="Merged into the next one")
    assert cancelled.status == ManagementReview.Status.CANCELLED
    with pytest.raises(DomainError):
        services.review_refresh_inputs(actor=quality_manager, review=cancelled)
    with pytest.raises(DomainError):
        hold(cancelled, quality_manager)


# --- The meeting ----------------------------------------------------------------------------------------------------


def test_holding_the_meeting_freezes_the_inputs_as_they_were_presented(review, quality_manager, employee, member):
    presented = review.inputs
    held = hold(review, quality_manager, member)
    assert held.status == ManagementReview.Status.HELD
    # Later data does not change what management saw, and the snapshot can no longer be refreshed.
    capa_services.nonconformity_report(actor=employee, title="Leak", description="Valve 3 leaks")
    capa_services.capa_create(
        actor=quality_manager, title="Leak", source="internal", problem="p", owner=employee, due_date=in_days(9)
    )
    with pytest.raises(DomainError):
        services.review_refresh_inputs(actor=quality_manager, review=held)
    with pytest.raises(DomainError):
        services.review_update(actor=quality_manager, review=held, period_start=in_days(-10))
    held.refresh_from_db()
    assert held.inputs == presented
    assert (
        held.history.first().history_change_reason == f"Meeting held on {timezone.localdate():%Y-%m-%d}; inputs frozen"
    )


def test_a_meeting_is_recorded_once_it_took_place_with_minutes_and_attendees(review, quality_manager):
    with pytest.raises(DomainError) as refusal:
        services.review_record_meeting(
            actor=quality_manager, review=review, held_on=in_days(1), attendees=[review.chair], minutes="m"
        )
    assert refusal.value.field == "held_on"
    with pytest.raises(DomainError) as refusal:
        services.review_record_meeting(
            actor=quality_manager, review=review, held_on=in_days(0), attendees=[review.chair], minutes=" "
        )
    assert refusal.value.field == "minutes"
    with pytest.raises(DomainError) as refusal:
        services.review_record_meeting(
            actor=quality_manager, review=review, held_on=in_days(0), attendees=[], minutes="m"
        )
    assert refusal.value.field == "attendees"


def test_decisions_are_recorded_after_the_meeting_not_before(review, quality_manager, member):
    with pytest.raises(DomainError, match="record the meeting first"):
        decide(review, quality_manager, member)
    held = hold(review, quality_manager)
    decision = decide(held, quality_manager, member)
    assert decision.number == 1
    action = decision.actions.get()
    assert action.label == f"{held.reference}/A1"
    assert action.status == ReviewAction.Status.OPEN
    assert Notification.objects.filter(recipient=member, subject__contains=held.reference).exists()
    second = services.action_add(
        actor=quality_manager, decision=decision, description="Train the line", owner=member, due_date=in_days(30)
    )
    assert second.number == 2


def test_only_quality_managers_record_decisions(held, auditor, member):
    with pytest.raises(NotAllowed):
        decide(held, auditor, member)


def test_an_action_needs_a_text_an_active_owner_and_a_due_date_to_come(held, quality_manager, member):
    with pytest.raises(DomainError) as refusal:
        decide(held, quality_manager, member, due_date=in_days(-1))
    assert refusal.value.field == "due_date"
    assert held.decisions.count() == 1, "the refused decision was not recorded, its action neither"


# --- Signing --------------------------------------------------------------------------------------------------------


def test_the_chair_signs_the_review_with_their_password(held, chair, quality_manager):
    review = services.review_sign(actor=chair, review=held, password=PASSWORD, comment="As minuted")
    assert review.status == ManagementReview.Status.SIGNED
    signature = review.signature
    assert signature.signer == chair and signature.meaning == Signature.Meaning.APPROVED
    assert signature.content_sha256 == sha256_of_text(services.signed_text(review))
    assert review.inputs_sha256 in services.signed_text(review)
    assert Notification.objects.filter(recipient=quality_manager, subject__contains="signed").exists()


def test_only_the_chair_signs_not_even_a_quality_manager(held, quality_manager):
    with pytest.raises(NotAllowed):
        services.review_sign(actor=quality_manager, review=held, password=PASSWORD)
    held.refresh_from_db()
    assert held.status == ManagementReview.Status.HELD
    assert not SignatureFailure.objects.exists()


def test_a_wrong_password_signs_nothing_and_is_logged(held, chair):
    with pytest.raises(SignatureError):
        services.review_sign(actor=chair, review=held, password="not-my-password")
    held.refresh_from_db()
    assert held.status == ManagementReview.Status.HELD and held.signature is None
    assert not Signature.objects.exists()
    failure = SignatureFailure.objects.get()
    assert failure.user == chair and failure.record_label == str(held)


def test_a_review_is_signed_only_with_a_conclusion_and_a_decision(review, quality_manager, chair, member):
    held = hold(review, quality_manager, member, conclusion="")
    with pytest.raises(DomainError) as refusal:
        services.review_sign(actor=chair, review=held, password=PASSWORD)
    assert "conclusion" in refusal.value.message and "at least one decision" in refusal.value.message
    with pytest.raises(DomainError, match="Only a held review"):
        services.review_sign(actor=chair, review=start(quality_manager, chair), password=PASSWORD)


def test_nothing_of_a_signed_review_changes(signed, quality_manager, member, chair):
    decision = signed.decisions.get()
    refusals = [
        lambda: services.review_update(actor=quality_manager, review=signed, title="Other"),
        lambda: services.review_update(actor=quality_manager, review=signed, attendees=[member]),
        lambda: services.review_refresh_inputs(actor=quality_manager, review=signed),
        lambda: hold(signed, quality_manager, member),
        lambda: decide(signed, quality_manager, member),
        lambda: services.action_add(
            actor=quality_manager, decision=decision, description="More", owner=member, due_date=in_days(5)
        ),
        lambda: services.review_cancel(actor=quality_manager, review=signed, reason="No"),
        lambda: services.review_sign(actor=chair, review=signed, password=PASSWORD),
    ]
    text = services.signed_text(signed)
    for refuse in refusals:
        with pytest.raises(DomainError):
            refuse()
    signed.refresh_from_db()
    assert services.signed_text(signed) == text
    assert sha256_of_text(text) == signed.signature.content_sha256
    assert Decision.objects.count() == 1 and ReviewAction.objects.count() == 1


def test_actions_of_a_signed_review_are_still_followed_up(signed, quality_manager, member):
    action = signed.actions.get()
    capa = services.action_raise_capa(actor=quality_manager, action=action)
    assert capa.status == Capa.Status.OPEN
    action.refresh_from_db()
    assert action.status == ReviewAction.Status.HANDED_OVER
    assert sha256_of_text(services.signed_text(signed)) == signed.signature.content_sha256, (
        "the follow-up is not part of what was signed"
    )


def test_signed_reviews_keep_the_meeting_record_closed(signed, quality_manager):
    with pytest.raises(DomainError, match="its meeting is on record"):
        services.review_record_meeting(
            actor=quality_manager, review=signed, held_on=in_days(0), attendees=[signed.chair], minutes="Again"
        )
    assert signed.conclusion == CONCLUSION
