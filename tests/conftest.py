"""Shared fixtures: personas, API clients, Celery in-process, and the gates for tests that need real services.

A test that needs Redis, PostgreSQL or the browser is skipped on a developer's machine that lacks it, and fails in CI
(CI=true), where every service must be there.
"""

from __future__ import annotations

import io
import os
import shutil
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import import_module
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.db import connection
from rest_framework.test import APIClient

from qms.celery import app as celery_app
from qms.roles import Role
from tests import settings as _test_settings  # noqa: F401 - gives this process its own Redis databases first
from tests.qms.factories import UserFactory

# live_server, the ORM and Playwright's page all work in one test thread; Django must not object to that.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
PASSWORD = "correct-horse-battery-staple"
REDIS_URL = os.environ.get("CELERY_BROKER_URL") or os.environ["TEST_REDIS_URL"]  # per test process: tests/settings.py
CHROMIUM = "/usr/bin/chromium"
ROOT = Path(__file__).resolve().parents[1]


def _reachable(url: str) -> bool:
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 6379), timeout=1):
            return True
    except OSError:
        return False


def _missing(reason: str) -> None:
    if IN_CI:
        pytest.fail(f"CI must have this service: {reason}", pytrace=False)
    pytest.skip(reason)


def pytest_runtest_setup(item: pytest.Item) -> None:
    if item.get_closest_marker("redis") and not _reachable(REDIS_URL):
        _missing(f"Redis is not reachable at {REDIS_URL}")
    if item.get_closest_marker("browser") and not shutil.which(CHROMIUM):
        _missing(f"Chromium is not installed at {CHROMIUM}")
    if (
        item.get_closest_marker("postgres")
        and settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql"
    ):
        _missing("the database is not PostgreSQL (set DATABASE_URL)")


@pytest.fixture(autouse=True)
def _celery_in_process() -> Iterator[None]:
    """Tasks run in-process in tests; the worker integration test switches this off for itself."""
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


@pytest.fixture(autouse=True)
def _reference_data(request: pytest.FixtureRequest) -> None:
    """Transactional tests empty every table when they end, taking the rows that migrations load (role groups,
    the clause catalogue, document types) with them; put those back for the tests that come after."""
    marker = request.node.get_closest_marker("django_db")
    if marker is None or not marker.kwargs.get("transaction"):
        return
    request.getfixturevalue("transactional_db")
    from django.apps import apps

    for module, function in _REFERENCE_DATA:
        getattr(import_module(module), function)(apps, None)


_REFERENCE_DATA = [
    ("qms.migrations.0002_roles", "create_role_groups"),
    ("qms.migrations.0003_clause_catalogue", "load_catalogue"),
    ("documents.migrations.0002_document_types_and_search_index", "create_types"),
]


@dataclass
class SeededDemo:
    """What `seed_demo` said on its first run (DEBUG on) and on its second (DEBUG off), and the rows of every model,
    by label, before and after the second run."""

    first_output: str
    second_output: str
    rows_before_second_run: dict[str, int]
    rows_after_second_run: dict[str, int]
    media_root: Path

    def unchanged_by_second_run(self, *models: Any) -> bool:
        labels = [model._meta.label for model in models]
        before = {label: self.rows_before_second_run[label] for label in labels}
        return before == {label: self.rows_after_second_run[label] for label in labels}


def _rows_of_every_model() -> dict[str, int]:
    from django.apps import apps

    return {model._meta.label: model._default_manager.count() for model in apps.get_models()}


def _seed_demo_output(debug: bool) -> str:
    from django.core.management import call_command
    from django.test.utils import override_settings

    output = io.StringIO()
    with override_settings(DEBUG=debug):
        call_command("seed_demo", stdout=output)
    return output.getvalue()


def pytest_itemcollected(item: pytest.Item) -> None:
    """The seeded demo's tests share one process under pytest-xdist (`--dist loadgroup`), so it is seeded once."""
    if "seeded_demo" in getattr(item, "fixturenames", ()):
        item.add_marker(pytest.mark.xdist_group("seeded_demo"))


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests of the seeded demo need the test database set up, which pytest-django does only for tests marked
    `django_db`; but they must run after every test that writes, which pytest-django orders by the same mark. So they
    are left unmarked while pytest-django sorts (it puts them last), and marked here, after it has."""
    for item in items:
        if "seeded_demo" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.django_db)


@pytest.fixture(scope="session")
def _seeded_demo_session(
    django_db_setup: None, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[SeededDemo]:
    """The whole demo, seeded once for the session: seeding takes about a minute, and each module's demo test only
    reads it (inside a transaction that is rolled back). They run after every other database test (see
    `pytest_collection_modifyitems`); the database is emptied again when the session ends."""
    from django.apps import apps
    from django.core.management import call_command
    from django.test.utils import override_settings

    media_root = tmp_path_factory.mktemp("demo-media")
    # Session fixtures are set up before the autouse `_celery_in_process`: the demo's audit reports and other tasks
    # must run in-process here too, not wait on a broker no worker listens to.
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media_root):
        for module, function in _REFERENCE_DATA:
            getattr(import_module(module), function)(apps, None)
        first = _seed_demo_output(debug=True)
        before = _rows_of_every_model()
        second = _seed_demo_output(debug=False)
        demo = SeededDemo(first, second, before, _rows_of_every_model(), media_root)
    celery_app.conf.task_always_eager = eager
    yield demo
    with django_db_blocker.unblock():
        call_command("flush", interactive=False, verbosity=0)
        for module, function in _REFERENCE_DATA:
            getattr(import_module(module), function)(apps, None)


@pytest.fixture
def seeded_demo(_seeded_demo_session: SeededDemo) -> Iterator[SeededDemo]:
    """The demo seeded for the session, for reading (see `_seeded_demo_session`)."""
    from django.test.utils import override_settings

    with override_settings(MEDIA_ROOT=_seeded_demo_session.media_root):
        yield _seeded_demo_session


@pytest.fixture(autouse=True)
def _fresh_caches() -> Iterator[None]:
    """Throttle counters live in the cache; a test must not inherit another's."""
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


@contextmanager
def around_the_application() -> Iterator[None]:
    """Write as someone with direct database access would: on PostgreSQL with the audit trail's append-only triggers
    switched off (a superuser can), so a test shows the trail's check catches what the triggers did not stop."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SET session_replication_role = DEFAULT")


def _persona(username: str, *roles: Role, **extra: Any) -> Any:
    return UserFactory(username=username, password=PASSWORD, roles=[str(role) for role in roles], **extra)


@pytest.fixture
def quality_manager(db: None) -> Any:
    return _persona("quality.manager", Role.QUALITY_MANAGER, Role.EMPLOYEE, first_name="Helen", last_name="Carter")


@pytest.fixture
def auditor(db: None) -> Any:
    return _persona("internal.auditor", Role.AUDITOR, Role.EMPLOYEE)


@pytest.fixture
def employee(db: None) -> Any:
    return _persona("plain.employee", Role.EMPLOYEE)


@pytest.fixture
def external_auditor(db: None) -> Any:
    return _persona("external.auditor", Role.EXTERNAL_AUDITOR)


@pytest.fixture
def outsider(db: None) -> Any:
    """An active account that holds no role: it may sign in and nothing more."""
    return _persona("no.role")


@pytest.fixture
def personas(quality_manager: Any, auditor: Any, employee: Any, external_auditor: Any, outsider: Any) -> dict[str, Any]:
    return {
        "quality_manager": quality_manager,
        "auditor": auditor,
        "employee": employee,
        "external_auditor": external_auditor,
        "outsider": outsider,
    }


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


def api_as(user: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


# --- A real Celery worker ------------------------------------------------------------------------------------------


def _database_url() -> str:
    db = connection.settings_dict
    if db["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{db['NAME']}"
    host = db["HOST"] or "127.0.0.1"
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{host}:{db['PORT'] or 5432}/{db['NAME']}"


def _drop_broker_connections() -> None:
    """Forget pooled connections made for an earlier broker URL, as Celery itself does after a fork."""
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


def start_worker(broker_url: str, queues: str = "default,reports") -> subprocess.Popen[str]:
    """A Celery worker process on the test database and the given broker (the `worker` fixture's; a test that takes
    the broker away and brings it back starts its own)."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": _database_url(),
        "CELERY_BROKER_URL": broker_url,
        # The worker is another process: its mail goes nowhere, and the test reads the result from the database.
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
    }
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "qms",
            "worker",
            "-Q",
            queues,
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


def stop_worker(process: subprocess.Popen[str]) -> None:
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()


@contextmanager
def tasks_through_broker(broker_url: str) -> Iterator[None]:
    """Tasks queued in this process go to `broker_url` instead of running in-process, for the duration."""
    previous = {"task_always_eager": celery_app.conf.task_always_eager, "broker_url": celery_app.conf.broker_url}
    # Celery reads CELERY_BROKER_URL from the environment before its own setting, as CI sets it.
    previous_environment = os.environ.get("CELERY_BROKER_URL")
    os.environ["CELERY_BROKER_URL"] = broker_url
    celery_app.conf.update(task_always_eager=False, broker_url=broker_url)
    _drop_broker_connections()
    try:
        yield
    finally:
        if previous_environment is None:
            os.environ.pop("CELERY_BROKER_URL", None)
        else:
            os.environ["CELERY_BROKER_URL"] = previous_environment
        celery_app.conf.update(previous)
        _drop_broker_connections()


@pytest.fixture
def worker(request: pytest.FixtureRequest) -> Iterator[subprocess.Popen[str]]:
    """A worker process on the test database and Redis; tasks sent while it runs go through the broker to it.
    Use with `pytest.mark.redis` and `pytest.mark.django_db(transaction=True)`: the worker must see committed rows.
    It consumes both queues, as a single production worker would; parametrize it indirectly to name others."""
    process = start_worker(REDIS_URL, getattr(request, "param", "default,reports"))
    try:
        with tasks_through_broker(REDIS_URL):
            yield process
    finally:
        stop_worker(process)
