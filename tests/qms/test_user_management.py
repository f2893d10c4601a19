"""Quality managers manage accounts in the browser and through the API; every change lands in the history."""

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from qms.models import User
from tests.conftest import api_as
from tests.qms.factories import DepartmentFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_me_returns_the_contract_fields(employee):
    data = api_as(employee).get("/api/v1/users/me/").json()
    assert {"id", "username", "email", "roles", "department"} <= set(data)
    assert data["roles"] == ["employee"]
    assert data["department"] == employee.department_id


def test_quality_manager_creates_a_user_with_roles_and_department(quality_manager):
    department = DepartmentFactory(name="Production", code="PROD")
    response = api_as(quality_manager).post(
        "/api/v1/users/",
        {
            "username": "new.operator",
            "email": "new.operator@example.com",
            "password": "a-long-enough-password",
            "roles": ["employee", "auditor"],
            "department": department.pk,
        },
    )
    assert response.status_code == 201, response.content
    assert response.json()["roles"] == ["auditor", "employee"]
    user = User.objects.get(username="new.operator")
    assert user.check_password("a-long-enough-password")
    assert user.department == department
    assert user.history.first().history_user == quality_manager


def test_a_user_created_without_password_is_invited_by_email(quality_manager, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = api_as(quality_manager).post(
            "/api/v1/users/", {"username": "invitee", "email": "invitee@example.com", "roles": ["employee"]}
        )
    assert response.status_code == 201
    assert not User.objects.get(username="invitee").has_usable_password()
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["invitee@example.com"]
    assert "/accounts/reset/" in mail.outbox[0].body


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"username": "x", "password": "short", "roles": ["employee"]}, "password"),
        ({"username": "x", "password": "a-long-enough-password", "roles": ["wizard"]}, "roles"),
        ({"username": "", "password": "a-long-enough-password"}, "username"),
        ({"username": "x", "department": 999999}, "department"),
        ({"username": "quality.manager", "password": "a-long-enough-password"}, "username"),
    ],
)
def test_bad_user_input_gets_field_errors_and_creates_nothing(quality_manager, body, field):
    before = User.objects.count()
    response = api_as(quality_manager).post("/api/v1/users/", body)
    assert response.status_code == 400
    assert field in response.json()
    assert User.objects.count() == before


def test_changing_roles_is_kept_in_history_with_who_and_why(quality_manager, employee):
    response = api_as(quality_manager).patch(f"/api/v1/users/{employee.pk}/", {"roles": ["employee", "auditor"]})
    assert response.status_code == 200
    history = api_as(quality_manager).get(f"/api/v1/users/{employee.pk}/history/").json()
    latest = history[0]
    assert latest["user"]["username"] == quality_manager.username
    assert latest["reason"] == "Roles set to auditor, employee"
    assert latest["changes"] == [{"field": "groups", "old": "employee", "new": "auditor, employee"}]


def test_history_cannot_be_written_through_the_api(quality_manager, employee):
    client = api_as(quality_manager)
    for method in ("post", "put", "patch", "delete"):
        assert getattr(client, method)(f"/api/v1/users/{employee.pk}/history/").status_code == 405


def test_users_cannot_be_deleted_through_the_api(quality_manager, employee):
    assert api_as(quality_manager).delete(f"/api/v1/users/{employee.pk}/").status_code == 405


def test_user_list_endpoint_runs_a_fixed_number_of_queries(quality_manager):
    def count_queries(page_size):
        client = api_as(User.objects.get(pk=quality_manager.pk))  # a fresh user object: no roles cached on it
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"/api/v1/users/?page_size={page_size}")
        assert response.status_code == 200
        assert len(response.json()["results"]) == page_size
        return len(queries)

    UserFactory.create_batch(30, roles=["employee"])
    assert count_queries(1) == count_queries(25)


def test_user_list_page_runs_a_fixed_number_of_queries(client, quality_manager):
    UserFactory.create_batch(5, roles=["employee"])
    client.force_login(quality_manager)
    with CaptureQueriesContext(connection) as few:
        client.get("/users/")
    UserFactory.create_batch(40, roles=["auditor"])
    with CaptureQueriesContext(connection) as many:
        response = client.get("/users/")
    assert response.status_code == 200
    assert len(few) == len(many)


def test_quality_manager_adds_a_person_in_the_browser(client, quality_manager):
    department = DepartmentFactory(name="Logistics", code="LOG")
    client.force_login(quality_manager)
    response = client.post(
        "/users/new/",
        {
            "username": "grace",
            "first_name": "Grace",
            "last_name": "Mensah",
            "email": "grace@example.com",
            "department": department.pk,
            "roles": ["employee"],
            "password": "warehouse-lead-2026",
        },
    )
    assert response.status_code == 302
    assert User.objects.get(username="grace").has_role("employee")


def test_the_browser_form_shows_field_errors_instead_of_failing(client, quality_manager):
    client.force_login(quality_manager)
    response = client.post("/users/new/", {"username": "", "email": "not-an-email", "password": "123"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "This field is required." in page
    assert "Enter a valid email address." in page
    assert not User.objects.filter(email="not-an-email").exists()


def test_editing_a_person_needs_a_reason_that_lands_in_history(client, quality_manager, employee):
    client.force_login(quality_manager)
    form = {
        "first_name": employee.first_name,
        "last_name": employee.last_name,
        "email": employee.email,
        "job_title": "Shift lead",
        "department": employee.department_id,
        "is_active": "on",
        "roles": ["employee"],
    }
    response = client.post(f"/users/{employee.pk}/", form)
    assert b"This field is required." in response.content
    response = client.post(f"/users/{employee.pk}/", {**form, "reason": "Promoted to shift lead"})
    assert response.status_code == 302
    entry = employee.history.first()
    assert entry.history_change_reason == "Promoted to shift lead"
    assert entry.history_user == quality_manager
    page = client.get(f"/users/{employee.pk}/history/").content.decode()
    assert "Promoted to shift lead" in page
    assert "Shift lead" in page


def test_departments_are_listed_with_member_counts_and_added(client, quality_manager):
    client.force_login(quality_manager)
    response = client.post("/departments/", {"name": "Research", "code": "rnd", "is_active": "on"})
    assert response.status_code == 302
    page = client.get("/departments/").content.decode()
    assert "Research" in page


def test_people_search_answers_htmx_with_the_results_alone(client, quality_manager):
    UserFactory(username="grace.mensah", first_name="Grace", last_name="Mensah", roles=["employee"])
    client.force_login(quality_manager)
    response = client.get("/users/?q=mens", headers={"HX-Request": "true"})
    page = response.content.decode()
    assert "Grace Mensah" in page
    assert "<html" not in page
    assert quality_manager.username not in page
    assert "Nobody matches" in client.get("/users/?q=zzz", headers={"HX-Request": "true"}).content.decode()
