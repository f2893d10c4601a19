"""The daily CAPA digest: one email per person per day listing what is due, each sent once whatever the retries."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.core import mail

from capa import reminders, services, tasks
from capa.models import Capa, EffectivenessCheck, ReminderDigest
from qms.celery import app as celery_app
from tests.capa.conftest import analyse, in_days, plan_action
from tests.qms.factories import UserFactory

pytestmark = pytest.mark.django_db


def _send(capture: Any, day: Any) -> int:
    """Send the digests of `day`, with the emails that leave after commit."""
    with capture(execute=True):
        return reminders.send_capa_digests(today=day)


def _to(user: Any) -> list[Any]:
    return [message for message in mail.outbox if message.to == [user.email]]


def _action(capa: Capa, owner: Any, days: int, description: str) -> Any:
    return services.action_create(
        actor=capa.owner, capa=capa, description=description, owner=owner, due_date=in_days(days)
    )


@pytest.fixture
def three_actions(open_capa: Capa, employee: Any) -> list[Any]:
    """Three actions of the employee's CAPA, due in 10, 14 and 30 days."""
    capa = analyse(open_capa, employee)
    return [
        _action(capa, employee, 10, "Clear the hold area daily"),
        _action(capa, employee, 14, "Add a hold label to the checklist"),
        _action(capa, employee, 30, "Train the night shift"),
    ]


def test_an_owner_gets_one_digest_listing_their_actions_due_soon_and_overdue(
    three_actions, employee, quality_manager, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    assert _send(django_capture_on_commit_callbacks, in_days(12)) == 1
    [message] = _to(employee)
    assert message.subject == f"[{settings.SITE_NAME}] CAPA digest for {in_days(12):%Y-%m-%d}: 2 actions due"
    overdue, soon, later = three_actions
    assert f"{overdue.label}: Clear the hold area daily (overdue since {in_days(10):%Y-%m-%d})" in message.body
    assert f"{soon.label}: Add a hold label to the checklist (due {in_days(14):%Y-%m-%d})" in message.body
    assert later.label not in message.body
    assert str(settings.SITE_URL).rstrip("/") + overdue.get_absolute_url() in message.body
    html, _ = message.alternatives[0]
    assert overdue.label in html
    # The quality manager has nothing due (the CAPA is due in 60 days, no check is planned): no digest at all.
    assert _to(quality_manager) == []
    assert list(ReminderDigest.objects.values_list("recipient", "day")) == [(employee.pk, in_days(12))]


def test_a_person_with_many_actions_across_capas_gets_one_email(
    three_actions, open_capa, employee, quality_manager, django_capture_on_commit_callbacks
):
    other = services.capa_create(
        actor=quality_manager, title="Labels fade", source="internal", problem="p", owner=quality_manager,
        due_date=in_days(90),
    )  # fmt: skip
    analyse(other, quality_manager)
    plan_action(other, quality_manager, employee, description="Switch to durable labels")
    mail.outbox.clear()
    assert _send(django_capture_on_commit_callbacks, in_days(40)) == 1
    [message] = _to(employee)
    assert "4 actions due" in message.subject
    assert "Switch to durable labels" in message.body


def test_a_second_run_or_a_retried_task_the_same_day_sends_nothing_more(
    open_capa, employee, django_capture_on_commit_callbacks
):
    action = _action(analyse(open_capa, employee), employee, 2, "Clear the hold area daily")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.send_capa_digests.delay().get() == 1
        assert tasks.send_capa_digests.delay().get() == 0
        assert reminders.send_capa_digests() == 0
    assert len(_to(employee)) == 1
    assert ReminderDigest.objects.count() == 1
    assert action.label in ReminderDigest.objects.get().summary


def test_the_next_day_sends_again_for_actions_still_overdue(
    three_actions, employee, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    for day in (in_days(31), in_days(32)):
        assert _send(django_capture_on_commit_callbacks, day) == 1
        assert _send(django_capture_on_commit_callbacks, day) == 0
    first, second = _to(employee)
    assert "3 actions due" in first.subject and in_days(31).isoformat() in first.subject
    assert "3 actions due" in second.subject and in_days(32).isoformat() in second.subject


def test_done_and_cancelled_actions_are_not_listed(three_actions, employee, django_capture_on_commit_callbacks):
    overdue, soon, _later = three_actions
    services.action_complete(actor=employee, action=overdue, evidence="Done on the first shift")
    services.action_cancel(actor=employee, action=soon, reason="Covered by the first action")
    mail.outbox.clear()
    assert _send(django_capture_on_commit_callbacks, in_days(12)) == 0
    assert mail.outbox == []


def test_quality_managers_get_the_capas_past_their_due_date(
    open_capa, employee, quality_manager, django_capture_on_commit_callbacks
):
    cancelled = services.capa_create(
        actor=quality_manager, title="Not needed", source="internal", problem="p", owner=employee,
        due_date=in_days(10),
    )  # fmt: skip
    services.capa_cancel(actor=quality_manager, capa=cancelled, reason="Duplicate of the first")
    second_manager = UserFactory(username="second.manager", roles=["quality_manager"])
    mail.outbox.clear()
    assert _send(django_capture_on_commit_callbacks, in_days(61)) == 2
    for manager in (quality_manager, second_manager):
        [message] = _to(manager)
        assert "1 CAPA past due" in message.subject
        assert f"{open_capa.reference} {open_capa.title} (Open, due {in_days(60):%Y-%m-%d}" in message.body
        assert cancelled.reference not in message.body
    # The owner hears of their CAPA from its page and the dashboard; the digest on late CAPAs is the managers'.
    assert _to(employee) == []


def _verifying(implementing: tuple[Capa, Any], employee: Any, days: int) -> Capa:
    capa, action = implementing
    services.action_complete(actor=employee, action=action, evidence="Checklist v3 in use")
    return services.capa_advance(
        actor=employee, capa=capa, to=Capa.Status.VERIFYING, planned_date=in_days(days), criteria="No mix-up"
    )


def test_an_effectiveness_check_that_falls_due_is_reported_once(
    implementing, employee, quality_manager, django_capture_on_commit_callbacks
):
    capa = _verifying(implementing, employee, 30)
    mail.outbox.clear()
    assert _send(django_capture_on_commit_callbacks, in_days(29)) == 0
    assert _send(django_capture_on_commit_callbacks, in_days(30)) == 1
    [message] = _to(quality_manager)
    assert "1 effectiveness check due" in message.subject
    assert f"{capa.reference} {capa.title} (planned {in_days(30):%Y-%m-%d}: No mix-up)" in message.body
    check = EffectivenessCheck.objects.get(capa=capa)
    assert check.reminded_on == in_days(30)
    assert check.history.first().history_change_reason.startswith("Quality managers reminded")
    assert _send(django_capture_on_commit_callbacks, in_days(31)) == 0
    assert len(_to(quality_manager)) == 1


def test_a_run_stopped_half_way_still_tells_the_other_managers_of_a_check_due_today(
    implementing, employee, quality_manager, django_capture_on_commit_callbacks
):
    capa = _verifying(implementing, employee, 30)
    second_manager = UserFactory(username="second.manager", roles=["quality_manager"])
    # The first manager's digest went out and marked the check, then the run stopped before the second manager's.
    ReminderDigest.objects.create(recipient=quality_manager, day=in_days(30), summary="the check")
    check = EffectivenessCheck.objects.get(capa=capa)
    check.reminded_on = in_days(30)
    check.save()
    mail.outbox.clear()
    assert _send(django_capture_on_commit_callbacks, in_days(30)) == 1
    [message] = _to(second_manager)
    assert capa.reference in message.body


def test_digests_are_in_the_notification_centre_and_inactive_owners_get_none(
    three_actions, employee, django_capture_on_commit_callbacks
):
    assert _send(django_capture_on_commit_callbacks, in_days(12)) == 1
    notification = employee.notifications.get(kind="capa_digest")
    assert notification.url == "/"
    assert three_actions[0].label in notification.body
    employee.is_active = False
    employee.save()
    assert _send(django_capture_on_commit_callbacks, in_days(13)) == 0


def test_the_digest_is_sent_daily_by_the_beat_schedule():
    entry = settings.CELERY_BEAT_SCHEDULE["send-capa-digests"]
    assert entry["task"] == "capa.tasks.send_capa_digests"
    assert entry["task"] in celery_app.tasks
    assert entry["schedule"] <= timedelta(days=1)


def test_a_quality_manager_who_owns_actions_gets_everything_in_one_digest(
    open_capa, quality_manager, employee, django_capture_on_commit_callbacks
):
    capa = analyse(open_capa, employee)
    action = _action(capa, quality_manager, 5, "Audit the hold area weekly")
    mail.outbox.clear()
    assert _send(django_capture_on_commit_callbacks, in_days(61)) == 1
    [message] = _to(quality_manager)
    assert "1 action due, 1 CAPA past due" in message.subject
    assert action.label in message.body and f"{capa.reference} {capa.title}" in message.body
