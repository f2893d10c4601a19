"""Integration: a real Celery worker, started as its own process against Redis, sends a notification email.

The worker shares the test database (the test run's PostgreSQL database, or the SQLite test file) and proves that
tasks are found by autodiscovery, travel through the broker, and commit their work.
"""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

from qms import services
from qms.celery import app
from qms.models import Notification
from tests.conftest import REDIS_URL

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]


def _database_url():
    db = connection.settings_dict
    if db["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{db['NAME']}"
    host = db["HOST"] or "127.0.0.1"
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{host}:{db['PORT'] or 5432}/{db['NAME']}"


def _drop_broker_connections():
    """Forget pooled connections made for an earlier broker URL, as Celery itself does after a fork."""
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def worker():
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": _database_url(),
        "CELERY_BROKER_URL": REDIS_URL,
        # The worker is another process: its mail goes nowhere, and the test reads the result from the database.
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "qms",
            "worker",
            "--pool=solo",
            "--without-heartbeat",
            "--without-mingle",
            "--without-gossip",
            "-l",
            "info",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    previous = (app.conf.task_always_eager, app.conf.broker_url)
    app.conf.task_always_eager = False
    app.conf.broker_url = REDIS_URL
    _drop_broker_connections()
    try:
        yield process
    finally:
        app.conf.task_always_eager, app.conf.broker_url = previous
        _drop_broker_connections()
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()


def test_a_real_worker_sends_the_notification_email_through_redis(worker, employee):
    (notification,) = services.notify(
        recipients=[employee],
        kind="generic",
        subject="Hello from the worker",
        context={"message": "via Redis"},
        url="/",
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if Notification.objects.filter(pk=notification.pk, emailed_at__isnull=False).exists():
            break
        if worker.poll() is not None:
            pytest.fail("The worker exited early:\n" + worker.stdout.read())
        time.sleep(0.3)
    else:
        worker.terminate()
        pytest.fail("The worker did not send the email within 60 s:\n" + worker.communicate(timeout=15)[0])
