import pytest
from django.core.management import call_command

from qms.models import Department, User
from qms.roles import Role

pytestmark = pytest.mark.django_db(transaction=True)


def test_seed_demo_builds_an_organisation_across_every_role_and_can_run_again(capsys, settings):
    settings.DEBUG = True
    call_command("seed_demo")
    output = capsys.readouterr().out
    assert "password: quality-demo-2026" in output
    users = User.objects.exclude(username="admin")
    assert users.count() >= 20
    assert Department.objects.count() >= 6
    for role in Role:
        assert users.filter(groups__name=role).exists(), role
    assert User.objects.get(username="qm").check_password("quality-demo-2026")

    call_command("seed_demo")
    assert User.objects.exclude(username="admin").count() == users.count()


def test_seed_demo_does_not_print_the_password_when_debug_is_off(capsys, settings):
    settings.DEBUG = False
    call_command("seed_demo")
    output = capsys.readouterr().out
    assert "quality-demo-2026" not in output
    assert "not printed" in output
