"""Fixtures and helpers of the tests that kill Celery workers (tests/qms/test_worker_killed.py,
tests/qms/test_import_worker.py): workers in process groups of their own, on settings with a visibility timeout of
seconds (tests/qms/killed_worker_settings.py), and waits that end as soon as their condition holds."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

import pytest
import redis

from tests.conftest import REDIS_URL, ROOT, _database_url

WAIT = 60  # seconds; generous, for a loaded CI machine: each wait ends as soon as its condition holds


@pytest.fixture
def empty_broker() -> None:
    """A test that failed half-way may leave messages in this test process's Redis (queued, or taken by a killed
    worker and never acknowledged); they must not reach the next test's workers."""
    with redis.Redis.from_url(REDIS_URL) as client:
        client.delete("unacked", "unacked_index", "unacked_mutex", *client.keys("default*"), *client.keys("reports*"))


@pytest.fixture
def worker_folders(settings: Any, tmp_path: Path) -> dict[str, Path]:
    """Where the workers of one test keep files (the test reads the same MEDIA_ROOT), write emails and their logs."""
    folders = {name: tmp_path / name for name in ("media", "emails", "logs")}
    for folder in folders.values():
        folder.mkdir()
    settings.MEDIA_ROOT = folders["media"]
    return folders


@contextmanager
def killable_worker(folders: dict[str, Path], *, pool: str, **environment: str) -> Iterator[subprocess.Popen[str]]:
    """A worker on the test database and Redis, in a process group of its own: whatever it forked goes with it."""
    log = folders["logs"] / f"worker-{len(list(folders['logs'].iterdir())) + 1}.log"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.qms.killed_worker_settings",
        "DATABASE_URL": _database_url(),
        "CELERY_BROKER_URL": REDIS_URL,
        "MEDIA_ROOT": str(folders["media"]),
        "EMAIL_FILE_PATH": str(folders["emails"]),
        **environment,
    }
    command = [sys.executable, "-m", "celery", "-A", "qms", "worker", "-Q", "default,reports", f"--pool={pool}"]
    command += ["--concurrency=1"] if pool == "prefork" else []
    command += [
        "--include=tests.qms.hang_before_publishing",
        "--without-heartbeat",
        "--without-mingle",
        "--without-gossip",
        "-l",
        "info",
    ]
    with log.open("w") as output:
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT, text=True, start_new_session=True
        )
    process.log = log  # read in failure messages
    try:
        yield process
    finally:
        # Killed, not stopped: its work has been checked (or the test has failed), and a graceful stop of a prefork
        # worker takes seconds. The group goes with it: the pool processes, and a process orphaned by a kill.
        with suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def wait_for(condition: Callable[[], Any], what: str, *workers: subprocess.Popen[str]) -> Any:
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        if result := condition():
            return result
        time.sleep(0.1)
    logs = "\n".join(f"--- {worker.log.name}:\n{worker.log.read_text()[-4000:]}" for worker in workers)
    pytest.fail(f"Waited {WAIT} s for {what}.\n{logs}")
