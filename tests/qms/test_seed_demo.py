from qms.models import Department, User
from qms.roles import Role
from qms.trail.verify import verify_trail


def test_seed_demo_builds_an_organisation_across_every_role(seeded_demo):
    assert "password: quality-demo-2026" in seeded_demo.first_output
    users = User.objects.exclude(username="admin")
    assert users.count() >= 20
    assert Department.objects.count() >= 6
    for role in Role:
        assert users.filter(groups__name=role).exists(), role
    assert User.objects.get(username="qm").check_password("quality-demo-2026")


def test_a_second_run_adds_nobody_and_keeps_the_password_to_itself_when_debug_is_off(seeded_demo):
    assert seeded_demo.unchanged_by_second_run(User, Department)
    assert "quality-demo-2026" not in seeded_demo.second_output
    assert "not printed" in seeded_demo.second_output


def test_the_demo_s_whole_history_is_sealed_into_an_intact_audit_trail(seeded_demo):
    trail = verify_trail()
    assert trail.ok, trail.problems
    assert trail.rows_checked > 1000 and trail.awaiting_seal == 0
