"""The audit trail: every change with who, when, why, field by field; history rows are read-only everywhere."""

import pytest
from django.contrib import admin

from qms import services
from qms.history import history_of
from qms.models import Department
from tests.qms.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_history_names_the_actor_the_reason_and_each_changed_field(quality_manager):
    department = services.department_save(
        actor=quality_manager, department=Department(name="Tooling", code="TOOL"), reason="New tool room"
    )
    department.name = "Tool room"
    department.is_active = False
    services.department_save(actor=quality_manager, department=department, reason="Renamed and retired")

    changed, created = history_of(department)
    assert created.action == "created"
    assert created.reason == "New tool room"
    assert {c.field: c.new for c in created.changes}["name"] == "Tooling"
    assert changed.user == quality_manager
    assert changed.reason == "Renamed and retired"
    assert {(c.field, c.old, c.new) for c in changed.changes} == {
        ("name", "Tooling", "Tool room"),
        ("is_active", "yes", "no"),
    }


def test_the_web_request_user_is_recorded_through_the_middleware(client, quality_manager):
    client.force_login(quality_manager)
    client.post("/departments/", {"name": "Research", "code": "rnd", "is_active": "on"})
    assert Department.objects.get(code="rnd").history.first().history_user == quality_manager


def test_password_hashes_never_enter_the_history(employee):
    employee.set_password("another-password-123")
    employee.save()
    fields = {f.name for f in employee.history.model._meta.fields}
    assert "password" not in fields
    assert "last_login" not in fields


def test_historical_models_are_not_in_the_admin():
    registered = {model._meta.model_name for model in admin.site._registry}
    assert not any(name.startswith("historical") for name in registered)


def test_admin_cannot_revert_to_an_old_version(settings):
    assert settings.SIMPLE_HISTORY_REVERT_DISABLED is True


def test_admin_history_page_is_read_only(client):
    superuser = UserFactory(is_superuser=True, is_staff=True)
    client.force_login(superuser)
    department = services.department_save(
        actor=superuser, department=Department(name="Paint shop", code="PAINT"), reason="Created"
    )
    history_id = department.history.first().history_id
    page = client.get(f"/admin/qms/department/{department.pk}/history/{history_id}/")
    assert b"View Paint shop" in page.content
    assert b"Revert" not in page.content
    # Posting that form edits the department like its change form does; the recorded past stays as it was.
    client.post(f"/admin/qms/department/{department.pk}/history/{history_id}/", {"name": "Paint", "code": "PAINT"})
    original = department.history.get(history_id=history_id)
    assert original.name == "Paint shop"
    assert department.history.count() == 2
    assert department.history.first().history_user == superuser


def test_signatures_cannot_be_changed_or_deleted_in_the_admin(client):
    superuser = UserFactory(is_superuser=True, is_staff=True)
    client.force_login(superuser)
    assert client.get("/admin/qms/signature/add/").status_code == 403
