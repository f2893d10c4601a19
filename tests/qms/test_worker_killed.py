"""A Celery worker killed with `kill -9` in the middle of a report or a reminder run: the work is delivered again and
its effect happens exactly once (issue #9).

A worker dies in one of two ways, and both are tested on real worker processes, PostgreSQL and Redis:
- its pool process dies while the worker's main process lives (the OOM killer picks the big one): the main process
  sees it at once and, with CELERY_TASK_REJECT_ON_WORKER_LOST, puts the message back in the queue;
- the whole worker dies (its machine is lost): the message stays unacknowledged in Redis and comes back once the
  broker's visibility timeout has passed (seconds here: tests/qms/killed_worker_settings.py).

Each kill lands at a chosen point, never after a guessed delay. The test holds a row lock that the worker's next
statement needs, waits until PostgreSQL shows that statement waiting on it, and kills; or, for the moment between a
commit and the hand-over of the email it queued, the worker holds itself there (tests/qms/hang_before_publishing.py).
"""

from __future__ import annotations

import os
import signal
import subprocess
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from datetime import timedelta
from email import message_from_bytes
from email.policy import default as email_policy
from pathlib import Path
from typing import Any

import pytest
from django.db import connection, transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from audits import services as audit_services
from audits.models import Audit, AuditReport
from documents.models import Document, DocumentType, ReviewReminder
from documents.tasks import send_review_reminders
from qms.models import Clause, Job, Notification, QueuedTask, User
from qms.tasks import publish_queued_tasks
from tests.conftest import REDIS_URL, tasks_through_broker
from tests.qms.conftest import WAIT, killable_worker, wait_for

pytestmark = [
    pytest.mark.redis,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("empty_broker"),
]


def _pool_process(worker: subprocess.Popen[str]) -> int:
    """The one pool process of a prefork worker (`--concurrency=1`), once the worker is ready: a child forked from the
    main process, so with its command line. (While it starts, the main process also forks short-lived commands.)"""
    wait_for(lambda: "ready." in worker.log.read_text(), "the worker to be ready", worker)

    def command_line(pid: int | str) -> bytes:
        try:
            return Path(f"/proc/{pid}/cmdline").read_bytes()
        except FileNotFoundError:
            return b""

    def pool_processes() -> list[int]:
        listed = [
            pid for path in Path(f"/proc/{worker.pid}/task").glob("*/children") for pid in path.read_text().split()
        ]
        return [int(pid) for pid in listed if command_line(pid) == command_line(worker.pid)]

    (pid,) = wait_for(pool_processes, "the worker's pool process", worker)
    return pid


@contextmanager
def _row_locked(model: type[Any], pk: int) -> Iterator[None]:
    """Hold the row's lock (FOR UPDATE): a worker that writes it, or a row pointing at it, waits until the end."""
    with transaction.atomic():
        model.objects.select_for_update().get(pk=pk)
        yield


def _statements_waiting_for_this_connection() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")  # the activity view is read once per transaction otherwise
        cursor.execute("SELECT query FROM pg_stat_activity WHERE pg_backend_pid() = ANY(pg_blocking_pids(pid))")
        return [query for (query,) in cursor.fetchall()]


def _kill_when_waiting(pid: int, statement: str, worker: subprocess.Popen[str]) -> None:
    """Kill the process once its statement (a fragment of its SQL) waits on this connection's lock."""
    waiting = wait_for(
        lambda: [query for query in _statements_waiting_for_this_connection() if statement in query],
        f"the worker to wait on the lock at {statement!r}",
        worker,
    )
    assert len(waiting) == 1, waiting
    os.kill(pid, signal.SIGKILL)


def _stored_files(media: Path) -> list[Path]:
    return sorted(path for path in media.rglob("*") if path.is_file())


def _emails_sent(folder: Path) -> list[str]:
    """The subjects of every email the workers sent (the file backend writes each connection's messages to a file)."""
    separator = b"\n" + b"-" * 79 + b"\n"
    messages = [message for path in folder.iterdir() for message in path.read_bytes().split(separator) if message]
    return [str(message_from_bytes(message, policy=email_policy)["Subject"]) for message in messages]


# --- A report job ---------------------------------------------------------------------------------------------------


@pytest.fixture
def audit(quality_manager: User, auditor: User) -> Audit:
    """An audit under way, whose report the auditor asks for."""
    start = timezone.localdate()
    planned = audit_services.audit_create(
        actor=quality_manager,
        title="Production control",
        scope="Filling lines 1 and 2",
        clauses=Clause.objects.filter(number__in=["8.5.1", "8.7"]),
        lead_auditor=auditor,
        planned_start=start,
        planned_end=start + timedelta(days=1),
    )
    return audit_services.audit_start(actor=auditor, audit=planned)


@contextmanager
def _report_held_after_rendering(audit: Audit, auditor: User, worker: subprocess.Popen[str]) -> Iterator[Job]:
    """Ask for the report and, once the worker renders it, lock the job row: the worker's next progress report (the
    PDF made, not yet stored) waits on the lock until the block ends."""
    with tasks_through_broker(REDIS_URL):
        job = audit_services.audit_report_request(actor=auditor, audit=audit)
    wait_for(lambda: Job.objects.get(pk=job.pk).progress >= 40, "the worker to render the report", worker)
    with _row_locked(Job, job.pk):
        yield job


def _made_once(job: Job, media: Path) -> None:
    job.refresh_from_db()
    assert (job.status, job.attempts, job.progress) == (Job.Status.DONE, 2, 100)
    report = AuditReport.objects.get()  # one report recorded, from the job
    assert report.job_id == job.pk and report.version == 1
    # One file: the killed attempt was killed before it stored one, and the second attempt's is the report's.
    assert _stored_files(media) == [media / job.result_file.name]
    assert report.file.name == job.result_file.name


def test_a_report_whose_pool_process_is_killed_is_made_once_by_the_next_process(audit, auditor, worker_folders):
    with killable_worker(worker_folders, pool="prefork") as worker:
        killed = _pool_process(worker)
        with _report_held_after_rendering(audit, auditor, worker) as job:
            _kill_when_waiting(killed, "GREATEST", worker)  # its progress report after rendering
            assert Job.objects.get(pk=job.pk).attempts == 1

        # The main process saw its pool process die and put the message back; a new pool process takes it.
        wait_for(lambda: AuditReport.objects.filter(job=job).exists(), "the report to be made again", worker)
        assert _pool_process(worker) != killed
    _made_once(job, worker_folders["media"])


def test_a_report_whose_whole_worker_is_killed_is_made_once_by_another_after_the_visibility_timeout(
    audit, auditor, worker_folders
):
    with ExitStack() as workers:
        first = workers.enter_context(killable_worker(worker_folders, pool="solo"))
        with _report_held_after_rendering(audit, auditor, first) as job:
            # Another worker runs beside it, as on a second machine; it has nothing to do yet.
            second = workers.enter_context(killable_worker(worker_folders, pool="solo"))
            _kill_when_waiting(first.pid, "GREATEST", first)
        first.wait(timeout=WAIT)

        # Nobody put the message back: it stays taken in Redis until its visibility timeout has passed.
        wait_for(lambda: AuditReport.objects.filter(job=job).exists(), "the other worker to make the report", second)
    _made_once(job, worker_folders["media"])


# --- A reminder run -------------------------------------------------------------------------------------------------

REMINDERS = 8
KILLED_AT = 4  # the reminder whose run is killed: the ones before it are done, the ones after it are not started


@pytest.fixture
def due_documents(employee: User) -> list[Document]:
    """Documents in force whose periodic review is due within the month: one reminder each."""
    sop = DocumentType.objects.get(code="SOP")
    due = timezone.localdate() + timedelta(days=20)
    documents = [
        Document(
            number=f"SOP-{number:03d}",
            document_type=sop,
            title=f"Filling step {number}",
            owner=employee,
            status=Document.Status.EFFECTIVE,
            next_review_due=due,
        )
        for number in range(1, REMINDERS + 1)
    ]
    return bulk_create_with_history(documents, Document, default_user=employee, default_change_reason="Issued")


@contextmanager
def _claim_held(document: Document) -> Iterator[None]:
    """Write, without committing, the claim that the run will write for this document: the run's own insert waits on
    the unique key until the block ends, and then this row is rolled back. (A lock on a row the claim points at would
    not do: foreign keys are checked at COMMIT, and a COMMIT sent before the kill still commits.)"""
    assert document.next_review_due is not None
    with transaction.atomic():
        ReviewReminder.objects.create(
            document=document, kind=ReviewReminder.Kind.UPCOMING, due_date=document.next_review_due, period="before"
        )
        yield
        transaction.set_rollback(True)


def _send_review_reminders() -> None:
    with tasks_through_broker(REDIS_URL):
        send_review_reminders.delay()


def _all_emailed() -> bool:
    return Notification.objects.count() == REMINDERS and not Notification.objects.filter(emailed_at=None).exists()


def _each_reminded_once(documents: list[Document], emails: Path) -> None:
    assert ReviewReminder.objects.count() == REMINDERS
    subjects = _emails_sent(emails)
    for document in documents:
        assert ReviewReminder.objects.filter(document=document).count() == 1
        assert Notification.objects.filter(subject__contains=f" {document.number} ").count() == 1
        assert sum(f" {document.number} " in subject for subject in subjects) == 1, subjects
    assert not QueuedTask.objects.exists()  # nothing left waiting to be handed to the broker


def test_a_reminder_run_killed_inside_a_reminders_transaction_sends_each_reminder_once(due_documents, worker_folders):
    with killable_worker(worker_folders, pool="prefork") as worker:
        killed = _pool_process(worker)
        with _claim_held(due_documents[KILLED_AT - 1]):
            _send_review_reminders()
            # The run has sent reminders 1 to 3 and waits to claim reminder 4.
            _kill_when_waiting(killed, 'INSERT INTO "documents_reviewreminder"', worker)
            assert Notification.objects.count() == KILLED_AT - 1

        wait_for(_all_emailed, "the run delivered again to send the rest", worker)
    _each_reminded_once(due_documents, worker_folders["emails"])


def test_a_reminder_run_killed_between_a_commit_and_handing_over_its_email_loses_no_email(
    due_documents, worker_folders
):
    hold = {
        "HANG_BEFORE_PUBLISHING_TASK": "qms.tasks.send_notification_email",
        "HANG_BEFORE_PUBLISHING_AT": str(KILLED_AT),
        "HANG_BEFORE_PUBLISHING_MARKER": str(worker_folders["logs"] / "holding"),
    }
    with killable_worker(worker_folders, pool="prefork", **hold) as worker:
        killed = _pool_process(worker)
        _send_review_reminders()
        wait_for((worker_folders["logs"] / "holding").exists, "the worker to hold before handing over an email", worker)
        os.kill(killed, signal.SIGKILL)

        # Reminder 4 was committed with its notification and its queued email; the email never reached the broker,
        # and the run delivered again skips the claimed reminder. The others are all sent.
        fourth = Notification.objects.get(subject__contains=f" SOP-{KILLED_AT:03d} ")
        wait_for(
            lambda: Notification.objects.filter(emailed_at__isnull=False).count() == REMINDERS - 1,
            "the run delivered again to send the rest",
            worker,
        )
        assert Notification.objects.get(pk=fourth.pk).emailed_at is None
        assert list(QueuedTask.objects.values_list("task", "args")) == [
            ("qms.tasks.send_notification_email", [fourth.pk])
        ]

        # The outbox's sweep, which beat sends every minute, hands the worker what waited longer than a minute.
        QueuedTask.objects.update(created_at=timezone.now() - timedelta(minutes=2))
        with tasks_through_broker(REDIS_URL):
            publish_queued_tasks.delay()
        wait_for(_all_emailed, "the fourth email to be sent", worker)
    _each_reminded_once(due_documents, worker_folders["emails"])
