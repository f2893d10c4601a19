"""Browser: a quality manager sets up an authenticator app at first sign-in, then gives a code at the next one."""

from __future__ import annotations

import base64
import re
from pathlib import Path
from typing import Any

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import ConsoleMessage, Page, expect

from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-results" / "two-factor"


def _code_for(key: bytes) -> str:
    return f"{totp(key):06d}"


def _sign_in_with_password(page: Page, live_server: Any, username: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_a_quality_manager_sets_up_an_app_then_signs_in_with_a_code(
    page: Page, live_server: Any, quality_manager: Any, settings: Any
) -> None:
    settings.TWO_FACTOR_REQUIRED_ROLES = ["quality_manager"]
    refused: list[str] = []
    page.on("console", lambda message: _refused(message, refused))
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    # First sign-in: the password, then straight to the set-up, whatever page was asked for.
    _sign_in_with_password(page, live_server, quality_manager.username)
    expect(page).to_have_url(re.compile(r"/accounts/two-factor/setup/\?next=/$"))
    expect(page.get_by_role("heading", name="Two-factor sign-in")).to_be_visible()
    expect(page.get_by_text("Your role requires a second step")).to_be_visible()
    expect(page.locator(".qr-code svg")).to_be_visible()
    page.screenshot(path=SCREENSHOTS / "setup.png", full_page=True)
    page.goto(f"{live_server.url}/documents/")
    expect(page).to_have_url(re.compile(r"/accounts/two-factor/setup/\?next=/documents/$"))

    # The phone's app reads the key; here the test does what the app does.
    key = base64.b32decode(page.locator("code.secret").inner_text().replace(" ", ""))
    code_box = page.get_by_role("textbox", name="Code from your authenticator app")
    expect(code_box).to_be_focused()
    code_box.fill("000000" if _code_for(key) != "000000" else "111111")
    page.get_by_role("button", name="Turn on two-factor sign-in").click()
    expect(page.get_by_text("That code is not right")).to_be_visible()
    TOTPDevice.objects.filter(user=quality_manager).update(
        throttling_failure_count=0, throttling_failure_timestamp=None
    )
    page.get_by_role("textbox", name="Code from your authenticator app").fill(_code_for(key))
    page.get_by_role("button", name="Turn on two-factor sign-in").click()
    expect(page).to_have_url(f"{live_server.url}/documents/")
    expect(page.get_by_text("Two-factor sign-in is on")).to_be_visible()

    # Next sign-in: the password, then the code.
    page.locator("details.account > summary").click()
    page.get_by_role("button", name="Sign out").click()
    TOTPDevice.objects.filter(user=quality_manager).update(last_t=-1)  # the next code, as half a minute later
    _sign_in_with_password(page, live_server, quality_manager.username)
    expect(page.get_by_role("heading", name="Give the code from your app")).to_be_visible()
    page.screenshot(path=SCREENSHOTS / "code.png", full_page=True)
    page.get_by_role("textbox", name="Code from your authenticator app").fill(_code_for(key))
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Good to see you, Helen")).to_be_visible()
    assert not refused, refused


def _refused(message: ConsoleMessage, refused: list[str]) -> None:
    if "Content Security Policy" in message.text or "Refused to" in message.text:
        refused.append(message.text)
