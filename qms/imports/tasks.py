"""Background work of imports: the check (the dry run) and the import itself, each a job with progress."""

from __future__ import annotations

from celery import shared_task
from django.db import InterfaceError, OperationalError

from qms.imports import services
from qms.imports.models import ImportRun
from qms.jobs import JobProgress, run_job
from qms.models import Job

_CSV = "text/csv"


# `run_job` records every failure of the work on the job; only the database can still raise here.
@shared_task(autoretry_for=(OperationalError, InterfaceError), retry_backoff=True, max_retries=5)
def check_import(job_id: int) -> None:
    """Check an uploaded list; writes only the report. Safe to run twice: `run_job` leaves a done job alone."""
    run_job(job_id, _check)


@shared_task(autoretry_for=(OperationalError, InterfaceError), retry_backoff=True, max_retries=5)
def run_import(job_id: int) -> None:
    """Import a checked list, all of it or nothing. Safe to run twice: a second run skips what the first wrote."""
    run_job(job_id, _run)


def _check(job: Job, progress: JobProgress) -> tuple[str, bytes, str]:
    run = _import_of(job)
    try:
        progress.report(1, "Reading the list")
        report = services.KINDS[run.kind].check(run, job.created_by, progress.report)
    except BaseException:
        services.record_outcome(run, status=ImportRun.Status.FAILED, report=None, reason="The check failed")
        raise
    verdict = "nothing wrong" if report.ok else f"{len(report.file_errors) + report.count('error')} problem(s)"
    services.record_outcome(run, status=ImportRun.Status.CHECKED, report=report, reason=f"Checked: {verdict}")
    return f"import-{run.pk}-check.csv", report.as_csv().encode(), _CSV


def _run(job: Job, progress: JobProgress) -> tuple[str, bytes, str]:
    run = _import_of(job)
    try:
        report = services.KINDS[run.kind].run(run, job.created_by, progress.report)
    except BaseException:
        services.record_outcome(
            run, status=ImportRun.Status.FAILED, report=None, reason="The import failed; nothing was written"
        )
        raise
    if report.ok:
        reason = f"Imported {report.count('create')}; {report.count('skip')} were there already"
        services.record_outcome(run, status=ImportRun.Status.IMPORTED, report=report, reason=reason)
    else:
        # Something changed since the check (a person deactivated, a number taken): nothing was written.
        reason = "Not imported: the list no longer checks out"
        services.record_outcome(run, status=ImportRun.Status.CHECKED, report=report, reason=reason)
    return f"import-{run.pk}-report.csv", report.as_csv().encode(), _CSV


def _import_of(job: Job) -> ImportRun:
    if job.object_id is None:
        raise ValueError(f"Job {job.pk} names no import.")
    return ImportRun.objects.get(pk=job.object_id)
