"""Scheduled and background work of internal audits (the beat schedule is in qms/settings.py)."""

from celery import shared_task

from audits import services


@shared_task
def send_audit_reminders() -> int:
    """Two weeks and one week before each planned audit, and once when an audit runs late; each sent once."""
    return services.send_audit_reminders()
