"""Recurrence ("has this happened before?"): earlier records with the same clause, department or cause category,
and the repeat count the dashboard shows. Also who sees which CAPA, since recurrence must not leak records."""

from __future__ import annotations

import pytest

from capa import services
from capa.models import Capa
from capa.selectors import earlier_similar, repeat_nonconformities
from qms.models import Clause
from tests.capa.conftest import analyse, in_days, plan_action
from tests.qms.factories import DepartmentFactory, UserFactory

pytestmark = pytest.mark.django_db


def _report(actor, title, clause=None, department=None, source="internal", location=""):
    return services.nonconformity_report(
        actor=actor,
        title=title,
        description=title,
        clause=Clause.objects.get(number=clause) if clause else None,
        department=department,
        source=source,
        location=location,
    )


def test_earlier_records_with_the_same_clause_department_or_cause_are_shown(quality_manager, employee):
    elsewhere = DepartmentFactory(code="WH", name="Warehouse")
    same_clause = _report(employee, "Gauge overdue", clause="7.1.5", department=elsewhere)
    same_department = _report(employee, "Spill on line 1", department=employee.department)
    unrelated = _report(employee, "Visitor badge", department=elsewhere)
    earlier_capa = services.capa_create(
        actor=quality_manager, title="Wrong torque", source="internal", problem="Caps loose", owner=employee,
        due_date=in_days(30), department=elsewhere,
    )  # fmt: skip
    analyse(earlier_capa, employee)  # cause category: method

    new_entry = _report(employee, "Scale not calibrated", clause="7.1.5", department=employee.department)
    found = {s.record: s.reasons for s in earlier_similar(new_entry, quality_manager)}
    assert found[same_clause] == ("same clause 7.1.5",)
    assert found[same_department] == (f"same department ({employee.department})",)
    assert unrelated not in found and earlier_capa not in found

    new_capa = services.capa_create(
        actor=quality_manager, title="Loose caps again", source="internal", problem="Caps", owner=employee,
        due_date=in_days(30), department=DepartmentFactory(code="QA", name="QA"),
    )  # fmt: skip
    new_capa = analyse(new_capa, employee)
    found = {s.record: s.reasons for s in earlier_similar(new_capa, quality_manager)}
    assert found == {earlier_capa: ("same cause category (method)",)}
    assert all(s.record != new_entry for s in earlier_similar(same_clause, quality_manager)), "only earlier ones"


def test_recurrence_shows_only_what_the_user_may_see(quality_manager, employee):
    stranger = UserFactory(username="stranger", roles=["employee"])
    _report(stranger, "Stranger's entry", clause="7.1.5", department=stranger.department)
    mine = _report(employee, "My entry", clause="7.1.5", department=employee.department)
    assert earlier_similar(mine, employee) == []
    assert len(earlier_similar(mine, quality_manager)) == 1


def test_repeat_nonconformities_count_the_same_clause_or_the_same_place(employee):
    _report(employee, "First", clause="7.1.5", location="Line 2 filler")
    _report(employee, "Repeat by clause", clause="7.1.5")
    _report(employee, "Repeat by place", clause="8.5.2", location="line 2 FILLER")
    _report(employee, "Same department, elsewhere", clause="9.1.2", location="Warehouse")
    _report(employee, "Same department, nowhere in particular")
    assert repeat_nonconformities() == 2


def test_who_sees_which_capa(open_capa, quality_manager, auditor, employee, external_auditor, outsider):
    colleague = UserFactory(username="colleague", roles=["employee"], department=employee.department)
    elsewhere = UserFactory(username="elsewhere", roles=["employee"])
    for user in (quality_manager, auditor, employee, colleague):
        assert list(Capa.objects.visible_to(user)) == [open_capa], user
    for user in (elsewhere, external_auditor, outsider):
        assert not Capa.objects.visible_to(user).exists(), user
    plan_action(open_capa, employee, elsewhere)
    assert list(Capa.objects.visible_to(elsewhere)) == [open_capa], "an action owner sees its CAPA"


def test_a_capa_does_not_list_its_own_log_entry_as_an_earlier_one(quality_manager, employee):
    entry = _report(employee, "Gauge overdue", clause="7.1.5")
    capa = services.nonconformity_escalate(
        actor=quality_manager, nonconformity=entry, owner=employee, due_date=in_days(20)
    )
    assert earlier_similar(capa, quality_manager) == []
    assert earlier_similar(entry, quality_manager) == []
