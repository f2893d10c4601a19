"""Periodic review reminders: 30 days ahead, weekly while overdue, each sent exactly once."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from documents import services, tasks
from documents.models import Document, ReviewReminder

pytestmark = pytest.mark.django_db


@pytest.fixture
def due_document(effective):
    document = Document.objects.get(pk=effective.document_id)
    document.next_review_due = timezone.localdate() + timedelta(days=20)
    document.save()
    return document


def _emails_about(document):
    return [message for message in mail.outbox if document.number in message.subject]


def test_running_the_beat_task_twice_sends_one_reminder(due_document, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.send_review_reminders() == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.send_review_reminders() == 0
    assert len(_emails_about(due_document)) == 1
    assert "is due" in _emails_about(due_document)[0].subject


def test_overdue_reviews_are_reminded_once_a_week(due_document, django_capture_on_commit_callbacks):
    today = due_document.next_review_due + timedelta(days=1)
    with django_capture_on_commit_callbacks(execute=True):
        services.send_review_reminders(today=today)
        services.send_review_reminders(today=today + timedelta(days=2))  # same ISO week... or the next
    weeks = {today.isocalendar()[1], (today + timedelta(days=2)).isocalendar()[1]}
    assert ReviewReminder.objects.filter(kind="overdue").count() == len(weeks)
    with django_capture_on_commit_callbacks(execute=True):
        services.send_review_reminders(today=today + timedelta(days=7))
    assert ReviewReminder.objects.filter(kind="overdue").count() == len(weeks) + 1


def test_documents_not_due_get_no_reminder(effective):
    assert services.send_review_reminders() == 0


def test_confirming_the_review_moves_the_due_date_so_a_new_reminder_can_follow(due_document, employee):
    from tests.conftest import PASSWORD

    services.send_review_reminders()
    services.document_confirm_review(actor=employee, document=due_document, password=PASSWORD)
    due_document.refresh_from_db()
    later = due_document.next_review_due - timedelta(days=10)
    assert services.send_review_reminders(today=later) == 1
