"""The database restarting: a request whose connection is cut half-way gets a clean 503 and leaves nothing
half-written; the next request works again.

A restart (or a failover) ends every server process, and with them their connections; `pg_terminate_backend` does
exactly that to the one connection this test's requests use, from a second connection, at a chosen moment.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import psycopg2
import pytest
from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.db import connection
from django.test import Client, RequestFactory

from improvement import services as idea_services
from improvement.models import Idea
from qms.models import Notification, QueuedTask
from tests.conftest import api_as

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

SUBMISSION = {
    "title": "Label the spare fuses",
    "problem": "Nobody finds the fuse.",
    "proposal": "Colour-code them.",
    "category": "time",
    "department": "",
}


def _cut_this_connection() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (pid,) = cursor.fetchone()
    database = connection.settings_dict
    other = psycopg2.connect(
        dbname=database["NAME"], user=database["USER"], host=database["HOST"] or "127.0.0.1", port=database["PORT"]
    )
    try:
        other.autocommit = True
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    finally:
        other.close()


@pytest.fixture
def restart_after_the_idea_is_written(monkeypatch: pytest.MonkeyPatch) -> None:
    """The connection is cut after the idea's row and its history are written, before its notifications are."""
    notify: Callable[..., Any] = idea_services.notify

    def cut_then_notify(**kwargs: Any) -> Any:
        _cut_this_connection()
        return notify(**kwargs)

    monkeypatch.setattr(idea_services, "notify", cut_then_notify)


def test_a_form_cut_off_half_way_gets_a_clean_page_and_saves_nothing(
    restart_after_the_idea_is_written: None, employee: Any, quality_manager: Any
) -> None:
    client = Client(raise_request_exception=False)
    client.force_login(employee)
    response = client.post("/improvement/ideas/new/", SUBMISSION)
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    page = response.content.decode()
    assert "Nothing you sent was saved" in page and "Traceback" not in page
    assert not Idea.objects.exists()
    assert not Idea.history.exists()
    assert not Notification.objects.exists() and not QueuedTask.objects.exists()
    assert client.get("/improvement/ideas/").status_code == 200


def test_an_api_call_cut_off_half_way_gets_a_json_503_and_saves_nothing(
    restart_after_the_idea_is_written: None, employee: Any, quality_manager: Any
) -> None:
    client = api_as(employee)
    client.raise_request_exception = False
    response = client.post("/api/v1/ideas/", SUBMISSION)
    assert response.status_code == 503
    assert response.json() == {"detail": "The database did not answer; nothing was saved. Try again in a moment."}
    assert not Idea.objects.exists() and not Idea.history.exists()


def test_after_a_restart_between_two_requests_the_next_one_works(client: Client, employee: Any) -> None:
    client.force_login(employee)
    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    assert _served("/improvement/ideas/", cookie) == 200
    _cut_this_connection()
    # The kept-open connection is found dead when the next request starts (CONN_HEALTH_CHECKS) and replaced.
    assert _served("/improvement/ideas/", cookie) == 200


def _served(path: str, cookie: str) -> int:
    """Serve one request as a WSGI server does: the test client keeps the connection across requests on purpose (it
    unhooks the per-request connection check), so it cannot show what happens between two real requests."""
    environ = RequestFactory().get(path, HTTP_COOKIE=cookie).environ
    statuses: list[str] = []

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Callable[[bytes], Any]:
        statuses.append(status)
        return lambda body: None

    response = WSGIHandler()(environ, start_response)
    response.close()  # sends request_finished, as a server does
    return int(statuses[0].split()[0])
