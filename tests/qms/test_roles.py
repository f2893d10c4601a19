import pytest
from django.contrib.auth.models import Group

from qms.roles import Role, has_role, roles_of
from tests.qms.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_four_roles_exist_as_groups_after_migrating():
    assert set(Group.objects.values_list("name", flat=True)) >= {
        "quality_manager",
        "auditor",
        "employee",
        "external_auditor",
    }


def test_a_user_holds_exactly_the_roles_of_their_groups(auditor):
    assert roles_of(auditor) == {"auditor", "employee"}
    assert has_role(auditor, Role.AUDITOR)
    assert not has_role(auditor, Role.QUALITY_MANAGER)


def test_a_superuser_holds_every_role():
    superuser = UserFactory(is_superuser=True)
    assert roles_of(superuser) == set(Role.values)


def test_an_inactive_user_holds_no_role(employee):
    employee.is_active = False
    assert roles_of(employee) == frozenset()


def test_groups_that_are_not_roles_are_ignored():
    user = UserFactory(roles=["employee"])
    user.groups.add(Group.objects.create(name="coffee_club"))
    assert roles_of(user) == {"employee"}
