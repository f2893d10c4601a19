"""Sign-in, sign-out, password change and reset, and the login lockout (django-axes)."""

import re

import pytest
from django.core import mail

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def test_login_page_is_served_to_anonymous_visitors(client):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    assert b"Sign in to" in response.content


def test_pages_ask_anonymous_visitors_to_sign_in(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_a_user_signs_in_and_out(client, employee):
    response = client.post("/accounts/login/", {"username": employee.username, "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    client.post("/accounts/logout/")
    assert client.get("/").status_code == 302


def test_a_wrong_password_shows_an_error_and_keeps_the_user_out(client, employee):
    response = client.post("/accounts/login/", {"username": employee.username, "password": "wrong"})
    assert response.status_code == 200
    assert b"Please enter a correct username and password" in response.content


def test_repeated_failures_lock_the_username_out_even_with_the_right_password(client, employee, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/accounts/login/", {"username": employee.username, "password": "wrong"})
    response = client.post("/accounts/login/", {"username": employee.username, "password": PASSWORD})
    assert response.status_code == 429
    assert b"Too many failed sign-in attempts" in response.content


def test_password_change_needs_the_old_password(client, employee):
    client.force_login(employee)
    response = client.post(
        "/accounts/password_change/",
        {"old_password": "nope", "new_password1": "a-new-long-password", "new_password2": "a-new-long-password"},
    )
    assert b"Your old password was entered incorrectly" in response.content
    response = client.post(
        "/accounts/password_change/",
        {"old_password": PASSWORD, "new_password1": "a-new-long-password", "new_password2": "a-new-long-password"},
    )
    assert response.status_code == 302
    employee.refresh_from_db()
    assert employee.check_password("a-new-long-password")


def test_password_reset_emails_a_link_that_sets_a_new_password(client, employee):
    client.post("/accounts/password_reset/", {"email": employee.email})
    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^/]+(/accounts/reset/\S+)", mail.outbox[0].body).group(1)
    response = client.get(link, follow=True)
    form_url = response.redirect_chain[-1][0]
    response = client.post(form_url, {"new_password1": "brand-new-password-1", "new_password2": "brand-new-password-1"})
    assert response.status_code == 302
    employee.refresh_from_db()
    assert employee.check_password("brand-new-password-1")


def test_password_reset_says_the_same_for_unknown_addresses(client):
    response = client.post("/accounts/password_reset/", {"email": "nobody@example.com"}, follow=True)
    assert b"Check your email" in response.content
    assert mail.outbox == []


def test_api_token_is_issued_for_good_credentials(api_client, employee):
    response = api_client.post("/api/v1/auth/token/", {"username": employee.username, "password": PASSWORD})
    assert response.status_code == 200
    token = response.json()["token"]
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api_client.get("/api/v1/users/me/").json()["username"] == employee.username


def test_api_token_refuses_bad_credentials_with_a_400(api_client, employee):
    response = api_client.post("/api/v1/auth/token/", {"username": employee.username, "password": "wrong"})
    assert response.status_code == 400
    assert "non_field_errors" in response.json()
    assert api_client.post("/api/v1/auth/token/", {}).json() == {
        "username": ["This field is required."],
        "password": ["This field is required."],
    }


def test_api_token_failures_count_towards_the_lockout(api_client, employee, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        api_client.post("/api/v1/auth/token/", {"username": employee.username, "password": "wrong"})
    response = api_client.post("/api/v1/auth/token/", {"username": employee.username, "password": PASSWORD})
    assert response.status_code == 429


def test_api_refuses_anonymous_requests_with_401(api_client):
    assert api_client.get("/api/v1/users/me/").status_code == 401


def test_session_auth_api_writes_need_a_csrf_token(employee):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(employee)
    response = client.post("/api/v1/notifications/mark-read/", {}, content_type="application/json")
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
