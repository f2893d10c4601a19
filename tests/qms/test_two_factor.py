"""Two-factor sign-in (TOTP): required for quality managers, open to everyone, asked by the API's token endpoint too,
throttled, and reset by a quality manager for someone who lost their phone."""

from __future__ import annotations

import base64
import re
from typing import Any

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from qms.two_factor import HAS_DEVICE
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _required_for_quality_managers(settings: Any) -> None:
    settings.TWO_FACTOR_REQUIRED_ROLES = ["quality_manager"]  # the production default (tests/settings.py drops it)


def _signed_in(user: Any) -> Client:
    client = Client()
    assert client.post("/accounts/login/", {"username": user.username, "password": PASSWORD}).status_code == 302
    return client


def _code(device: TOTPDevice, *, offset: int = 0) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits) + offset:06d}"[-6:]


def _set_up(client: Client, user: Any) -> TOTPDevice:
    page = client.get("/accounts/two-factor/setup/")
    assert page.status_code == 200
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    response = client.post("/accounts/two-factor/setup/", {"code": _code(device), "next": "/documents/"})
    assert response.status_code == 302 and response["Location"] == "/documents/"
    device.refresh_from_db()
    assert device.confirmed
    return device


def test_the_production_default_requires_it_of_quality_managers() -> None:
    from qms import settings as production

    assert production.TWO_FACTOR_REQUIRED_ROLES == ["quality_manager"]


def test_a_quality_manager_without_an_app_is_sent_to_set_one_up_before_anything_else(quality_manager: Any) -> None:
    client = _signed_in(quality_manager)
    response = client.get("/documents/")
    assert response.status_code == 302 and response["Location"] == "/accounts/two-factor/setup/?next=/documents/"
    assert client.get("/api/v1/documents/").status_code == 403
    page = client.get("/accounts/two-factor/setup/").content.decode()
    assert "Your role requires a second step" in page
    assert "<svg" in page and "Or type this key" in page
    assert "Not now" not in page  # no way round it

    _set_up(client, quality_manager)

    landed = client.get("/documents/")
    assert landed.status_code == 200 and "Two-factor sign-in is on" in landed.content.decode()


def test_next_time_the_code_is_asked_after_the_password_and_a_wrong_one_is_refused(quality_manager: Any) -> None:
    device = _set_up(_signed_in(quality_manager), quality_manager)
    device.last_t = -1  # a code may be used once; the next sign-in comes in a later 30 seconds
    device.save()

    client = _signed_in(quality_manager)
    response = client.get("/capa/")
    assert response.status_code == 302 and response["Location"] == "/accounts/two-factor/?next=/capa/"
    wrong = client.post("/accounts/two-factor/", {"code": _code(device, offset=1), "next": "/capa/"})
    assert wrong.status_code == 400
    assert "That code is not right" in wrong.content.decode()
    assert client.get("/capa/").status_code == 302

    throttled = client.post("/accounts/two-factor/", {"code": _code(device), "next": "/capa/"})
    assert "Too many wrong codes" in throttled.content.decode()  # one failure already makes the next try wait
    device.refresh_from_db()
    device.throttle_reset()
    right = client.post("/accounts/two-factor/", {"code": _code(device), "next": "/capa/"})
    assert right.status_code == 302 and right["Location"] == "/capa/"
    assert client.get("/capa/").status_code == 200


def test_a_page_asked_for_with_a_query_is_the_one_reached_after_the_set_up(quality_manager: Any) -> None:
    client = _signed_in(quality_manager)
    response = client.get("/documents/?q=cleaning&status=effective")
    assert response["Location"] == "/accounts/two-factor/setup/?next=/documents/%3Fq%3Dcleaning%26status%3Deffective"
    client.get(response["Location"])
    device = TOTPDevice.objects.get(user=quality_manager, confirmed=False)
    done = client.post(
        "/accounts/two-factor/setup/", {"code": _code(device), "next": "/documents/?q=cleaning&status=effective"}
    )
    assert done["Location"] == "/documents/?q=cleaning&status=effective"


def test_the_next_page_after_the_code_never_leaves_the_site(quality_manager: Any) -> None:
    device = _set_up(_signed_in(quality_manager), quality_manager)
    device.last_t = -1
    device.save()
    client = _signed_in(quality_manager)
    response = client.post("/accounts/two-factor/", {"code": _code(device), "next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_an_employee_may_turn_it_on_and_is_then_asked_too(employee: Any) -> None:
    client = _signed_in(employee)
    assert client.get("/documents/").status_code == 200  # not required of an employee
    assert "Not now" in client.get("/accounts/two-factor/setup/").content.decode()
    device = _set_up(client, employee)
    device.last_t = -1
    device.save()

    again = _signed_in(employee)
    assert again.session[HAS_DEVICE] is True
    assert again.get("/documents/")["Location"] == "/accounts/two-factor/?next=/documents/"


def test_the_api_token_endpoint_asks_for_the_code(api_client: APIClient, quality_manager: Any, employee: Any) -> None:
    credentials = {"username": quality_manager.username, "password": PASSWORD}
    refused = api_client.post("/api/v1/auth/token/", credentials)
    assert refused.status_code == 400
    assert "set up an authenticator app in the browser first" in refused.json()["otp"][0]

    device = _set_up(_signed_in(quality_manager), quality_manager)
    device.last_t = -1
    device.save()
    assert "give the current code" in api_client.post("/api/v1/auth/token/", credentials).json()["otp"][0]
    assert api_client.post("/api/v1/auth/token/", {**credentials, "otp": "000000"}).status_code == 400
    device.refresh_from_db()
    device.throttle_reset()
    answer = api_client.post("/api/v1/auth/token/", {**credentials, "otp": _code(device)})
    assert answer.status_code == 200 and answer.json()["token"]
    # An employee without an app gets a token with the password alone.
    plain = api_client.post("/api/v1/auth/token/", {"username": employee.username, "password": PASSWORD})
    assert plain.status_code == 200


def test_a_quality_manager_removes_the_app_of_someone_who_lost_their_phone(
    quality_manager: Any, employee: Any, settings: Any
) -> None:
    settings.TWO_FACTOR_REQUIRED_ROLES = []  # the manager signs in with the password alone here
    employee_client = _signed_in(employee)
    _set_up(employee_client, employee)
    manager = _signed_in(quality_manager)
    page = manager.get(f"/users/{employee.pk}/").content.decode()
    assert "Remove their authenticator app" in page

    response = manager.post(f"/users/{employee.pk}/two-factor/reset/", follow=True)
    assert "Removed the authenticator app" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=employee).exists()
    assert employee_client.get("/").status_code == 302  # their sessions ended
    assert not any(s.get_decoded().get("_auth_user_id") == str(employee.pk) for s in Session.objects.all())


def test_only_a_quality_manager_may_remove_an_app(employee: Any, auditor: Any) -> None:
    assert _signed_in(auditor).post(f"/users/{employee.pk}/two-factor/reset/").status_code == 403


def test_the_set_up_page_shows_a_readable_key_matching_the_device(employee: Any) -> None:
    client = _signed_in(employee)
    page = client.get("/accounts/two-factor/setup/").content.decode()
    device = TOTPDevice.objects.get(user=employee)
    shown = re.search(r'<code class="secret">([A-Z2-7 ]+)</code>', page)
    assert shown is not None
    assert base64.b32decode(shown.group(1).replace(" ", "")) == device.bin_key
