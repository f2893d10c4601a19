"""Scheduled and background work of internal audits (the beat schedule is in qms/settings.py)."""

from celery import shared_task
from django.db import InterfaceError, OperationalError

from audits import services
from audits.report import render_report
from qms.jobs import run_job
from qms.models import Job


@shared_task
def send_audit_reminders() -> int:
    """Two weeks and one week before each planned audit, and once when an audit runs late; each sent once."""
    return services.send_audit_reminders()


# `run_job` records every failure of the work on the job itself; what can still raise here is the database while the
# report is recorded. A retry then skips the done work and records it.
@shared_task(autoretry_for=(OperationalError, InterfaceError), retry_backoff=True, max_retries=5)
def render_audit_report(job_id: int) -> None:
    """Render an audit report PDF and keep it as the audit's next report.

    Safe to run twice: `run_job` leaves a done job alone and runs again one whose worker died mid-way, and the report
    is recorded once per job. A task that died between the two steps records the report when it is delivered again.
    """
    run_job(job_id, render_report)
    job = Job.objects.filter(pk=job_id, status=Job.Status.DONE).first()
    if job is not None:
        services.audit_report_record(job=job)
