"""Fixtures of the shared base's tests: a real Celery worker process on Redis."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from qms.celery import app
from tests.conftest import REDIS_URL

ROOT = Path(__file__).resolve().parents[2]


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
    """A worker process on the test database and Redis; tasks sent while it runs go through the broker to it.
    Use with `pytest.mark.redis` and `pytest.mark.django_db(transaction=True)`: the worker must see committed rows."""
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
