"""Background work of management reviews: the review report PDF."""

from celery import shared_task
from django.db import InterfaceError, OperationalError

from qms.jobs import run_job
from qms.reviews.report import render_report


# `run_job` records every failure of the work on the job itself; only the database can still raise here.
@shared_task(autoretry_for=(OperationalError, InterfaceError), retry_backoff=True, max_retries=5)
def render_review_pdf(job_id: int) -> None:
    """Render a management review report. Safe to run twice: `run_job` leaves a done job alone."""
    run_job(job_id, render_report)
