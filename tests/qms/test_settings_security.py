"""Production settings: refuse a default secret key, and `check --deploy` is clean."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "a-production-like-secret-key-that-is-long-and-random-0123456789abcdef",
    "ALLOWED_HOSTS": "qms.example.com",
    "CSRF_TRUSTED_ORIGINS": "https://qms.example.com",
    "DATABASE_URL": "sqlite:////tmp/qms-deploy-check.sqlite3",
}


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    # The suite's own switches (the async-unsafe allowance for browser tests) are not part of a deployment.
    dropped = {"SECRET_KEY", "DEBUG", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    base = {k: v for k, v in os.environ.items() if k not in dropped}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**base, "DJANGO_SETTINGS_MODULE": "qms.settings", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_app_refuses_to_start_with_debug_off_and_the_development_secret_key():
    result = _manage("check", DEBUG="false")
    assert result.returncode != 0
    assert "SECRET_KEY is the development default" in result.stderr


def test_app_refuses_a_bad_boolean_with_a_message_naming_the_variable():
    result = _manage("check", DEBUG="perhaps")
    assert result.returncode != 0
    assert "DEBUG='perhaps' is not a boolean" in result.stderr


def test_app_refuses_a_broker_visibility_timeout_too_close_to_the_report_time_limit():
    # A report still running when its message comes back would be started again by a second worker.
    result = _manage("check", DEBUG="true", BROKER_VISIBILITY_TIMEOUT_SECONDS="1200", REPORT_TIME_LIMIT_SECONDS="900")
    assert result.returncode != 0
    assert "REPORT_TIME_LIMIT_SECONDS=900 is above the maximum of 600" in result.stderr


def test_check_deploy_prints_no_warnings_with_production_settings():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_responses_carry_the_security_headers(client, settings):
    response = client.get("/accounts/login/")
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    policy = dict(directive.strip().split(" ", 1) for directive in response["Content-Security-Policy"].split(";"))
    assert policy["script-src"] == policy["style-src"] == policy["default-src"] == "'self'"
    assert policy["frame-ancestors"] == policy["object-src"] == "'none'"
    assert "unsafe" not in response["Content-Security-Policy"]


def test_session_and_csrf_cookies_are_http_only():
    from django.conf import settings

    assert settings.SESSION_COOKIE_HTTPONLY is True
    assert settings.CSRF_COOKIE_HTTPONLY is True
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SESSION_ACTIVITY_SECONDS == 60  # the idle timeout's resolution (tests/qms/test_sessions.py)


def test_date_inputs_are_prefilled_in_iso_form_as_browsers_need():
    from datetime import date

    from django import forms

    class Dated(forms.Form):
        day = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), initial=date(2026, 3, 9))

    assert 'value="2026-03-09"' in str(Dated()["day"])
    assert Dated(data={"day": "09/03/2026"}).is_valid()
