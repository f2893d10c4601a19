"""Sessions: a new key at sign-in, an idle timeout that activity keeps pushing forward (without a write for every
page read), an absolute lifetime however active the session, and every session of a person ended when they are
deactivated."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from qms import services
from qms.sessions import ACTIVE_AT, SIGNED_IN_AT
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def _signed_in(user: Any) -> Client:
    client = Client()
    response = client.post("/accounts/login/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    return client


def test_signing_in_gives_a_new_session_key(client: Client, employee: Any) -> None:
    client.get("/accounts/login/")
    session = client.session
    session["before"] = "anonymous"  # a session that exists before the sign-in
    session.save()
    before = session.session_key
    client.post("/accounts/login/", {"username": employee.username, "password": PASSWORD})
    assert client.session.session_key != before
    assert not Session.objects.filter(session_key=before).exists()


def _stored(client: Client) -> Session:
    return Session.objects.get(session_key=client.session.session_key)


def test_a_session_idle_for_thirty_minutes_ends(employee: Any, settings: Any) -> None:
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    client = _signed_in(employee)
    assert _stored(client).expire_date > timezone.now() + timedelta(minutes=29)
    Session.objects.filter(session_key=client.session.session_key).update(expire_date=timezone.now())
    assert client.get("/documents/").url == "/accounts/login/?next=/documents/"


def test_reading_pages_writes_nothing_until_the_last_activity_is_a_minute_old(employee: Any, settings: Any) -> None:
    client = _signed_in(employee)
    expires = _stored(client).expire_date
    with CaptureQueriesContext(connection) as reading:
        assert client.get("/documents/").status_code == 200
    reads = ("SELECT", "SAVEPOINT", "RELEASE")
    writes = [query["sql"] for query in reading.captured_queries if not query["sql"].startswith(reads)]
    assert writes == []
    assert _stored(client).expire_date == expires

    session = client.session
    session[ACTIVE_AT] = int(time.time()) - settings.SESSION_ACTIVITY_SECONDS
    session.save()
    Session.objects.filter(session_key=session.session_key).update(expire_date=expires - timedelta(minutes=5))
    assert client.get("/documents/").status_code == 200
    assert _stored(client).expire_date > expires - timedelta(seconds=5)  # thirty minutes from this request
    assert client.session[ACTIVE_AT] >= int(time.time()) - 5


def _age(client: Client, seconds: int) -> None:
    session = client.session
    session[SIGNED_IN_AT] = int(time.time()) - seconds
    session.save()


def test_a_session_ends_twelve_hours_after_sign_in_however_active(employee: Any, settings: Any) -> None:
    assert settings.SESSION_ABSOLUTE_SECONDS == 12 * 3600
    client = _signed_in(employee)
    _age(client, 12 * 3600 - 60)
    assert client.get("/").status_code == 200

    _age(client, 12 * 3600 + 60)
    response = client.get("/documents/", follow=True)
    assert response.redirect_chain[0] == ("/accounts/login/?next=/documents/", 302)
    assert "a session ends after 12 hours" in response.content.decode()
    assert client.get("/").status_code == 302  # signed out for good, not only for one request


def test_an_api_call_with_an_expired_session_gets_a_401(employee: Any) -> None:
    client = _signed_in(employee)
    _age(client, 13 * 3600)
    response = client.get("/api/v1/documents/")
    assert response.status_code == 401
    assert "a session ends after 12 hours" in response.json()["detail"]


def test_deactivating_a_person_ends_every_session_they_have(employee: Any, quality_manager: Any) -> None:
    on_laptop, on_phone = _signed_in(employee), _signed_in(employee)
    manager = _signed_in(quality_manager)
    assert on_laptop.get("/").status_code == on_phone.get("/").status_code == 200

    services.user_update(actor=quality_manager, user=employee, is_active=False, reason="Left the company")

    assert on_laptop.get("/").status_code == on_phone.get("/").status_code == 302
    assert manager.get("/").status_code == 200  # nobody else's session
    assert len(Session.objects.all()) == 1


def test_a_deactivated_person_s_api_token_is_refused(api_client: Any, employee: Any, quality_manager: Any) -> None:
    token = api_client.post("/api/v1/auth/token/", {"username": employee.username, "password": PASSWORD}).json()
    services.user_update(actor=quality_manager, user=employee, is_active=False, reason="Left the company")
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token['token']}")
    assert api_client.get("/api/v1/documents/").status_code == 401
