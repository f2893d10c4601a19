"""Queues by kind of work: PDF and ZIP tasks go to `reports`, everything else to `default` (see CELERY_TASK_ROUTES).

The table is checked against every task the Celery app knows, so a new task lands in a queue on purpose; and two
real workers, each consuming one queue, show that a report waits for a `reports` worker and is run by one.
"""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.utils import timezone

from qms import services as qms_services
from qms.celery import app as celery_app
from qms.evidence import services as evidence_services
from qms.models import Job, Notification

# The PDF and ZIP work of the project; every other task of ours belongs in `default`.
REPORT_TASKS = {
    "audits.tasks.render_audit_report",
    "qms.evidence.tasks.build_evidence_pack",
    "qms.reviews.tasks.render_review_pdf",
    "qms.imports.tasks.check_import",
    "qms.imports.tasks.run_import",
}
OUR_MODULES = ("qms.", "documents.", "audits.", "capa.", "improvement.")


def _our_tasks() -> dict[str, Any]:
    celery_app.loader.import_default_modules()  # what a worker does at start: autodiscovery of every tasks.py
    return {name: task for name, task in celery_app.tasks.items() if name.startswith(OUR_MODULES)}


def _queue_of(name: str) -> str:
    return celery_app.amqp.router.route({}, name)["queue"].name


def test_report_tasks_go_to_the_reports_queue_and_every_other_task_to_default() -> None:
    tasks = _our_tasks()
    assert tasks.keys() >= REPORT_TASKS
    assert len(tasks) > len(REPORT_TASKS)  # the emails, reminders and upkeep are there too
    queues = {name: _queue_of(name) for name in tasks}
    assert queues == {name: "reports" if name in REPORT_TASKS else "default" for name in tasks}


def test_every_route_names_a_task_that_exists() -> None:
    assert set(settings.CELERY_TASK_ROUTES) <= _our_tasks().keys()


def test_a_worker_started_without_queues_consumes_both() -> None:
    assert set(celery_app.amqp.queues) == {"default", "reports"}


def test_report_tasks_have_a_soft_time_limit_below_their_hard_limit() -> None:
    tasks = _our_tasks()
    for name in REPORT_TASKS:
        assert 0 < tasks[name].soft_time_limit < tasks[name].time_limit, name


def test_workers_replace_a_process_that_grew_past_the_memory_limit() -> None:
    assert celery_app.conf.worker_max_memory_per_child == settings.CELERY_WORKER_MAX_MEMORY_PER_CHILD > 0


# --- Real workers, one queue each -----------------------------------------------------------------------------------


def _wait_until(done: Callable[[], bool], worker: subprocess.Popen[str], *, what: str, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if done():
            return
        if worker.poll() is not None:
            pytest.fail("The worker exited early:\n" + (worker.stdout.read() if worker.stdout else ""))
        time.sleep(0.3)
    worker.terminate()
    pytest.fail(f"{what} within {seconds:.0f} s:\n" + worker.communicate(timeout=15)[0])


def _waiting_in(queue: str) -> int:
    with celery_app.connection_for_read() as connection:
        return connection.default_channel.queue_declare(queue=queue, passive=True).message_count


def _purge(queue: str) -> None:
    with celery_app.connection_for_write() as connection:
        connection.default_channel.queue_purge(queue)


def _request_pack(actor: Any) -> Job:
    today = timezone.localdate()
    _, job = evidence_services.evidence_pack_request(
        actor=actor, period_start=today - timedelta(days=7), period_end=today
    )
    return job


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("worker", ["default"], indirect=True)
def test_a_worker_on_the_default_queue_leaves_reports_waiting(
    worker: subprocess.Popen[str], quality_manager: Any
) -> None:
    _purge("reports")
    try:
        job = _request_pack(quality_manager)
        # Sent after the report: once the worker has sent this email, it has had every chance to take the report.
        (probe,) = qms_services.notify(
            recipients=[quality_manager], kind="generic", subject="Probe", context={"message": "probe"}, url="/"
        )
        _wait_until(
            lambda: Notification.objects.filter(pk=probe.pk, emailed_at__isnull=False).exists(),
            worker,
            what="The default worker did not send the email",
        )
        job.refresh_from_db()
        assert job.status == Job.Status.PENDING
        assert _waiting_in("reports") == 1
    finally:
        _purge("reports")  # a later worker of this test process must not find a job of a database since emptied


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("worker", ["reports"], indirect=True)
def test_a_worker_on_the_reports_queue_builds_the_evidence_pack(
    worker: subprocess.Popen[str], quality_manager: Any
) -> None:
    job = _request_pack(quality_manager)
    _wait_until(
        lambda: Job.objects.filter(pk=job.pk, status__in=[Job.Status.DONE, Job.Status.FAILED]).exists(),
        worker,
        what="The reports worker did not finish the pack",
    )
    job.refresh_from_db()
    assert job.status == Job.Status.DONE, job.error
