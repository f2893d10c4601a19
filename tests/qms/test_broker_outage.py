"""Redis down: the site keeps working, the work it queues waits in the outbox, and is done once Redis is back.

A Redis server of the test's own is started, stopped for the outage and started again on the same port, so the
outage is a real refused connection and the recovery a real broker with a real worker.
"""

from __future__ import annotations

import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from improvement.models import Idea
from qms.models import Job, Notification, QueuedTask
from qms.outbox import publish_waiting
from qms.tasks import publish_queued_tasks
from tests.conftest import PASSWORD, api_as, start_worker, stop_worker, tasks_through_broker

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]


class RedisServer:
    """A throwaway redis-server on a free port that can be stopped and started again."""

    def __init__(self) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self._process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self._process = subprocess.Popen(
            ["redis-server", "--bind", "127.0.0.1", "--port", str(self.port), "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
        )
        _wait_for(lambda: _accepts(self.port), "redis-server to accept connections")

    def stop(self) -> None:
        if self._process is not None:
            self._process.terminate()
            self._process.wait(timeout=15)
            self._process = None


@pytest.fixture
def redis_server() -> Iterator[RedisServer]:
    server = RedisServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()


def test_work_queued_while_redis_is_down_is_done_once_it_is_back(
    redis_server: RedisServer, client: Any, employee: Any, quality_manager: Any
) -> None:
    redis_server.stop()
    with tasks_through_broker(redis_server.url):
        client.force_login(employee)
        submitted = client.post(
            "/improvement/ideas/new/",
            {
                "title": "Label the spare fuses",
                "problem": "Nobody finds the fuse.",
                "proposal": "Colour-code them.",
                "category": "time",
                "department": "",
            },
        )
        pack = api_as(quality_manager).post(
            "/api/v1/evidence-packs/", {"period_start": "2026-01-01", "period_end": "2026-12-31"}, format="json"
        )
        health = client.get("/healthz")

    # The writes were made and answered as usual; only the hand-over to the broker waits.
    assert submitted.status_code == 302, submitted.content
    assert Idea.objects.filter(title="Label the spare fuses").exists()
    assert pack.status_code == 202, pack.content
    job = Job.objects.get(pk=pack.json()["id"])
    notification = Notification.objects.get(recipient=quality_manager)
    assert sorted(QueuedTask.objects.values_list("task", flat=True)) == [
        "qms.evidence.tasks.build_evidence_pack",
        "qms.tasks.send_notification_email",
    ]
    assert all(queued.attempts == 1 and "connecting" in queued.last_error for queued in QueuedTask.objects.all())
    assert health.status_code == 200
    assert health.json()["status"] == "degraded" and health.json()["broker"] == "error"

    # Redis comes back; the sweep (beat sends it every minute) hands over what waited longer than a minute.
    redis_server.start()
    QueuedTask.objects.update(created_at=timezone.now() - timedelta(minutes=2))
    worker = start_worker(redis_server.url)
    try:
        with tasks_through_broker(redis_server.url):
            publish_queued_tasks.delay()
            _wait_for(
                lambda: (
                    Job.objects.get(pk=job.pk).status == Job.Status.DONE
                    and Notification.objects.get(pk=notification.pk).emailed_at is not None
                ),
                "the worker to build the pack and send the email",
                worker,
            )
            assert client.get("/healthz").json()["status"] == "ok"
    finally:
        stop_worker(worker)
    assert not QueuedTask.objects.exists()
    assert Job.objects.get(pk=job.pk).attempts == 1


def test_the_sweep_leaves_fresh_rows_to_their_own_hand_over_and_stops_while_the_broker_is_down(
    redis_server: RedisServer,
) -> None:
    QueuedTask.objects.create(task="qms.tasks.purge_old_notifications", args=[180])
    assert publish_waiting() == 0  # younger than a minute: its own transaction's hand-over is still under way
    redis_server.stop()
    with tasks_through_broker(redis_server.url):
        assert publish_waiting(older_than=timedelta(0)) == 0
    queued = QueuedTask.objects.get()
    assert queued.attempts == 1
    redis_server.start()
    with tasks_through_broker(redis_server.url):
        assert publish_waiting(older_than=timedelta(0)) == 1
    assert not QueuedTask.objects.exists()


def test_a_queued_task_whose_name_is_no_longer_registered_is_kept_with_the_reason(redis_server: RedisServer) -> None:
    QueuedTask.objects.create(task="qms.tasks.renamed_long_ago", args=[1])
    with tasks_through_broker(redis_server.url):
        assert publish_waiting(older_than=timedelta(0)) == 0
    assert "No task is registered" in QueuedTask.objects.get().last_error


def test_the_token_endpoint_works_while_the_cache_is_down(
    redis_server: RedisServer, api_client: Any, employee: Any, settings: Any
) -> None:
    redis_server.stop()
    # Django replaces its cache connections when this setting changes (django.test.signals).
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": redis_server.url}
    }
    response = api_client.post("/api/v1/auth/token/", {"username": employee.username, "password": PASSWORD})
    assert response.status_code == 200, response.content
    assert response.json()["token"]
    health = api_client.get("/healthz").json()
    assert (health["status"], health["cache"]) == ("degraded", "error")


def _accepts(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


def _wait_for(condition: Callable[[], bool], what: str, process: subprocess.Popen[str] | None = None) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if condition():
            return
        if process is not None and process.poll() is not None:
            pytest.fail(
                f"The process exited while waiting for {what}:\n{process.stdout.read() if process.stdout else ''}"
            )
        time.sleep(0.2)
    if process is not None:
        stop_worker(process)
        pytest.fail(f"Gave up waiting for {what}:\n{_output(process)}")
    pytest.fail(f"Gave up waiting for {what}")


def _output(process: subprocess.Popen[str]) -> str:
    return process.stdout.read() if process.stdout else ""
