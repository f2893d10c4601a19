"""Scheduled work of document control (the beat schedule is in qms/settings.py)."""

from celery import shared_task

from documents import services


@shared_task
def make_due_revisions_effective() -> int:
    """Approved revisions whose effective date has come become effective."""
    return services.revisions_make_due_effective()


@shared_task
def send_review_reminders() -> int:
    """Periodic-review reminders to owners: 30 days ahead, then weekly while overdue; each sent once."""
    return services.send_review_reminders()
