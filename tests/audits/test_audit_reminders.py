"""Audit reminders: two weeks and one week ahead, once when overdue; each sent exactly once."""

from datetime import timedelta

import pytest
from django.core import mail

from audits import services, tasks
from audits.models import AuditReminder

pytestmark = pytest.mark.django_db


def _subjects(audit):
    return [message.subject for message in mail.outbox if audit.reference in message.subject]


def test_two_weeks_and_one_week_before_each_sent_once(
    planned, lead, co_auditor, auditee, django_capture_on_commit_callbacks
):
    two_weeks_before = planned.planned_start - timedelta(days=14)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_audit_reminders(today=two_weeks_before) == 1
        assert services.send_audit_reminders(today=two_weeks_before) == 0
    recipients = {address for message in mail.outbox for address in message.to}
    assert {lead.email, co_auditor.email, auditee.email} <= recipients
    assert all("starts in 14 days" in subject for subject in _subjects(planned))
    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_audit_reminders(today=planned.planned_start - timedelta(days=7)) == 1
    assert AuditReminder.objects.filter(audit=planned).count() == 2


def test_overdue_audits_are_flagged_to_quality_managers_once(
    planned, quality_manager, django_capture_on_commit_callbacks
):
    late = planned.planned_end + timedelta(days=3)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_audit_reminders(today=late) == 1
        assert services.send_audit_reminders(today=late + timedelta(days=1)) == 0
    overdue = [m for m in mail.outbox if "overdue" in m.subject]
    assert [m.to for m in overdue] == [[quality_manager.email]]


def test_the_beat_task_runs_the_same_rule(planned):
    assert tasks.send_audit_reminders() == 0
