"""Long work with progress, shared by every module: audit report PDFs today, evidence packs next.

A view or endpoint calls `job_create` (the job is pending; its task is enqueued when the transaction commits) and
answers with the job: `qms.api.views.accepted` (202) in the API, the `qms/partials/job_progress.html` partial in the
browser. The module's Celery task takes the job id and hands `run_job` the function that does the work:

    @shared_task
    def render_audit_report(job_id: int) -> None:
        run_job(job_id, _render_audit_report)

    def _render_audit_report(job: Job, progress: JobProgress) -> tuple[str, bytes, str]:
        progress.report(40, "Rendering the checklist")
        return "AUD-2026-003-report.pdf", render_pdf(...), "application/pdf"

`run_job` claims the row, runs the work outside any transaction (so each progress report is seen at once), stores the
file under a generated name with its SHA-256 and size, and records a failure in words the user can read. Running it
twice is harmless: a finished job is left alone.
"""

from __future__ import annotations

import hashlib
import logging
import mimetypes
import re
import uuid
from collections.abc import Callable
from pathlib import PurePath
from typing import Any

from celery import Task
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import DEFAULT_DB_ALIAS, connection, connections, models, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models.functions import Greatest
from django.shortcuts import get_object_or_404
from django.utils import timezone

from qms.errors import DomainError, NotAllowed
from qms.models import Job, User
from qms.outbox import enqueue_on_commit
from qms.uploads import safe_display_name

logger = logging.getLogger(__name__)

GENERIC_ERROR = "The work failed unexpectedly; it was logged. Try again."
# 100 means "done, the file is there": only `run_job` writes it, after the file is stored.
_MAX_REPORTED_PROGRESS = 99
_MESSAGE_LENGTH = Job._meta.get_field("message").max_length or 200
_SAFE_EXTENSION = re.compile(r"\.[a-z0-9]{1,10}")

Work = Callable[[Job, "JobProgress"], tuple[str, bytes, str]]
"""The work itself: given the job and its progress reporter, return (download name, content, content type)."""


@transaction.atomic
def job_create(
    *,
    actor: User,
    kind: str,
    subject: models.Model | None = None,
    parameters: dict[str, Any] | None = None,
    task: Task[..., Any],
) -> Job:
    """Record a pending job and enqueue `task(job.pk)` once the surrounding transaction commits."""
    if subject is not None and subject.pk is None:
        raise ValueError("A job's subject must be saved before the job is created.")
    job = Job(kind=kind, created_by=actor, parameters=parameters or {})
    if subject is not None:
        job.subject = subject
    job.save()
    enqueue_on_commit(task, job.pk)
    return job


@transaction.atomic
def job_retry(*, actor: User, job: Job, task: Task[..., Any]) -> Job:
    """Put a failed job back in the queue. Its attempts are kept; its progress, message and error start afresh."""
    locked = Job.objects.select_for_update().visible_to(actor).filter(pk=job.pk).first()
    if locked is None:
        raise NotAllowed("You may not retry this job.")
    if locked.status != Job.Status.FAILED:
        raise DomainError("Only a job that failed can be tried again.")
    locked.status = Job.Status.PENDING
    locked.progress = 0
    locked.message = ""
    locked.error = ""
    locked.started_at = None
    locked.finished_at = None
    locked.save(update_fields=["status", "progress", "message", "error", "started_at", "finished_at"])
    enqueue_on_commit(task, locked.pk)
    return locked


def get_job_for_user(user: Any, pk: int | str) -> Job:
    """The job, if this user may see it (their own; every job for quality managers); otherwise 404."""
    return get_object_or_404(Job.objects.visible_to(user).select_related("created_by"), pk=pk)


class JobProgress:
    """What the work uses to say how far it has come. Each report is written at once, in its own statement, so a
    browser polling the job sees it while the work goes on; the bar never moves back.

    Work that holds one transaction open for all it writes (an all-or-nothing import) reports through a connection of
    its own, outside that transaction, or nothing would show until the end. SQLite allows one writer at a time, so
    there the bar moves only outside such a transaction."""

    def __init__(self, job: Job) -> None:
        self._job = job
        self._beside: BaseDatabaseWrapper | None = None
        # The transactions already open when the work starts (a test's own) are not the work's.
        self._depth_before_the_work = len(connection.atomic_blocks)

    def report(self, percent: int, message: str) -> None:
        percent = max(0, min(_MAX_REPORTED_PROGRESS, int(percent)))
        message = message[:_MESSAGE_LENGTH]
        if len(connection.atomic_blocks) > self._depth_before_the_work:
            self._report_beside_the_transaction(percent, message)
            return
        # `update()` bypasses model history, which the style forbids for tracked models; Job keeps none (see the
        # model), and one UPDATE is what makes the report visible without a transaction around the work. The
        # filter on `attempts` keeps a run that was superseded (its worker presumed dead) from writing over the new one.
        Job.objects.filter(pk=self._job.pk, status=Job.Status.RUNNING, attempts=self._job.attempts).update(
            progress=Greatest("progress", percent), message=message
        )
        self._job.progress = max(self._job.progress, percent)
        self._job.message = message

    def close(self) -> None:
        if self._beside is not None:
            self._beside.close()
            self._beside = None

    def _report_beside_the_transaction(self, percent: int, message: str) -> None:
        if connection.vendor != "postgresql":
            return
        if self._beside is None:
            self._beside = connections.create_connection(DEFAULT_DB_ALIAS)
        with self._beside.cursor() as cursor:
            cursor.execute(
                f"UPDATE {Job._meta.db_table} SET progress = GREATEST(progress, %s), message = %s "  # noqa: S608 - our table
                "WHERE id = %s AND status = %s AND attempts = %s",
                [percent, message, self._job.pk, Job.Status.RUNNING, self._job.attempts],
            )
        self._job.progress = max(self._job.progress, percent)
        self._job.message = message


def run_job(job_id: int, work: Work) -> None:
    """Claim the job, do the work, keep its file; or record why it failed. The one body of every job task.

    Must not be called inside a transaction that lasts as long as the work: progress would not be seen until the end.
    """
    job = _claim(job_id)
    if job is None:
        return
    stored: str | None = None
    # Failures end here, recorded on the job, and are not raised again: the person who asked reads the error and
    # decides to retry (`job_retry`). Raising would let Celery's retries (or a redelivery with late acks) run a job
    # that fails for good again and again, and would log the same traceback twice.
    progress = JobProgress(job)
    try:
        download_name, content, content_type = work(job, progress)
        stored = _store(content, download_name, content_type)
        if not _finish(job, stored=stored, download_name=download_name, content=content, content_type=content_type):
            logger.info("Job %s was taken over by a later attempt; this attempt's file is discarded", job.pk)
            _delete_quietly(stored)
    except DomainError as refusal:
        logger.info("Job %s (%s) refused: %s", job.pk, job.kind, refusal.message)
        _delete_quietly(stored)
        _fail(job, refusal.message)
    except Exception:
        logger.exception("Job %s (%s) failed", job.pk, job.kind)
        _delete_quietly(stored)
        _fail(job, GENERIC_ERROR)
    finally:
        progress.close()


def _claim(job_id: int) -> Job | None:
    with transaction.atomic():
        job = Job.objects.select_for_update().filter(pk=job_id).first()
        if job is None:
            logger.info("Job %s no longer exists; nothing to do", job_id)
            return None
        if job.status not in {Job.Status.PENDING, Job.Status.RUNNING}:
            return None  # done already (a second delivery), or failed and waiting for someone to retry it
        # A job found running lost its worker (killed, or its message delivered again after a crash): run it again.
        # The attempt number tells this run from the one it replaces (see `JobProgress.report` and `_finish`).
        job.status = Job.Status.RUNNING
        job.attempts += 1
        job.started_at = timezone.now()
        job.message = "Starting"
        job.error = ""
        job.save(update_fields=["status", "attempts", "started_at", "message", "error"])
    return job


def _store(content: bytes, download_name: str, content_type: str) -> str:
    """Save the bytes in the default storage under a generated name (never one the work chose) and return it."""
    if not isinstance(content, bytes):
        raise TypeError(f"A job's work must return bytes, not {type(content).__name__}")
    now = timezone.now()
    name = f"jobs/{now:%Y}/{now:%m}/{uuid.uuid4().hex}{_extension(download_name, content_type)}"
    return default_storage.save(name, ContentFile(content))


def _extension(download_name: str, content_type: str) -> str:
    suffix = PurePath(download_name).suffix.lower()
    if _SAFE_EXTENSION.fullmatch(suffix):
        return suffix
    return mimetypes.guess_extension(content_type) or ".bin"


def _finish(job: Job, *, stored: str, download_name: str, content: bytes, content_type: str) -> bool:
    """Mark the job done with its file, unless a later attempt has taken it over; say whether it was marked."""
    updated = Job.objects.filter(pk=job.pk, status=Job.Status.RUNNING, attempts=job.attempts).update(
        status=Job.Status.DONE,
        progress=100,
        message="",
        finished_at=timezone.now(),
        result_file=stored,
        result_name=safe_display_name(download_name),
        result_sha256=hashlib.sha256(content).hexdigest(),
        result_size=len(content),
        result_content_type=content_type or mimetypes.guess_type(download_name)[0] or "application/octet-stream",
    )
    return updated == 1


def _fail(job: Job, error: str) -> None:
    Job.objects.filter(pk=job.pk, status=Job.Status.RUNNING, attempts=job.attempts).update(
        status=Job.Status.FAILED, message="", error=error, finished_at=timezone.now()
    )


def _delete_quietly(name: str | None) -> None:
    # A failed clean-up (a storage outage) must not hide the error that caused it; an orphan file is the lesser harm.
    if not name:
        return
    try:
        default_storage.delete(name)
    except Exception:
        logger.exception("Could not delete %s after a failed job; it is left as an orphan", name)
