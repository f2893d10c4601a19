"""Closing the loop: an audit's OFI or observation becomes an idea in one step, and a CAPA spawns a preventive idea,
through links the improvement module registers (qms.links) on findings and CAPAs, shown only to those who may follow
them; the audit page keeps a fixed number of queries."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audits import services as audit_services
from audits.models import Finding
from capa import services as capa_services
from improvement import panels, services
from improvement.models import Idea
from qms import links
from qms.models import Clause, User
from tests.capa.conftest import in_days
from tests.improvement.conftest import move
from tests.qms.factories import DepartmentFactory, UserFactory

pytestmark = pytest.mark.django_db


def _finding(audit: Any, lead: Any, type: str = "ofi", statement: str = "Hold labels are handwritten") -> Finding:
    return audit_services.finding_create(
        actor=lead,
        audit=audit,
        type=type,
        clause=Clause.objects.get(number="8.7"),
        statement=statement,
        evidence="Seen on line 2",
        requirement="Rejected product is identified",
    )


def _page(client: Any, user: Any, url: str) -> str:
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def _from_finding(finding: Finding) -> str:
    return f"/improvement/from-finding/{finding.pk}/"


def _from_capa(capa: Any) -> str:
    return f"/improvement/from-capa/{capa.pk}/"


def test_the_improvement_module_registers_its_links_on_findings_and_capas():
    assert panels.finding_links in links._registry["finding"]
    assert panels.capa_links in links._registry["capa"]


# --- From an audit finding --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("type", ["ofi", "observation"])
def test_the_audits_auditors_and_quality_managers_may_turn_an_ofi_or_observation_into_an_idea(
    client, in_progress, lead, co_auditor, quality_manager, type
):
    finding = _finding(in_progress, lead, type=type)
    button = f'<a class="button" href="{_from_finding(finding)}">Turn into an idea</a>'
    for user in (lead, co_auditor, quality_manager):
        assert button in _page(client, user, f"/audits/{in_progress.pk}/"), user
        assert client.get(_from_finding(finding)).status_code == 200


def test_others_who_see_the_audit_are_not_offered_the_idea(client, in_progress, lead, auditor, auditee):
    finding = _finding(in_progress, lead)
    for user in (auditor, auditee):
        page = _page(client, user, f"/audits/{in_progress.pk}/")
        assert finding.reference in page and "Turn into an idea" not in page, user
        assert client.get(_from_finding(finding)).status_code == 403


def test_a_nonconformity_is_not_offered_as_an_idea(client, in_progress, lead):
    finding = _finding(in_progress, lead, type="minor_nc", statement="Rejects beside released stock")
    assert "Turn into an idea" not in _page(client, lead, f"/audits/{in_progress.pk}/")
    assert client.get(_from_finding(finding)).status_code == 403
    assert client.post(_from_finding(finding)).status_code == 403
    assert not Idea.objects.exists()


def test_the_confirm_page_shows_what_the_idea_will_say(client, in_progress, lead, production):
    finding = _finding(in_progress, lead)
    page = _page(client, lead, _from_finding(finding))
    assert f"<dt>Title</dt><dd>{finding.reference}: Hold labels are handwritten</dd>" in page
    assert "Evidence: Seen on line 2" in page
    assert "<dt>Proposal</dt><dd>Rejected product is identified</dd>" in page
    assert "<dt>Department</dt><dd>Production</dd>" in page
    assert not Idea.objects.exists()  # a GET changes nothing


def test_posting_turns_the_finding_into_an_idea_and_opens_it(client, in_progress, lead, auditee):
    finding = _finding(in_progress, lead)
    client.force_login(lead)
    response = client.post(_from_finding(finding))
    idea = Idea.objects.get()
    assert response.status_code == 302 and response["Location"] == idea.get_absolute_url()
    assert idea.finding == finding and idea.source == Idea.Source.AUDIT and idea.submitter == lead
    assert idea.department == finding.department
    # The audit page now links the idea, for everyone who sees the audit, and offers no second one.
    for user in (lead, auditee):
        page = _page(client, user, f"/audits/{in_progress.pk}/")
        assert f'<a href="{idea.get_absolute_url()}">{idea.reference} (submitted)</a>' in page
        assert "Turn into an idea" not in page
    again = _page(client, lead, _from_finding(finding))
    assert f"{finding.reference} is already an idea" in again and "Submit the idea" not in again
    assert client.post(_from_finding(finding)).status_code == 400
    assert Idea.objects.count() == 1


def test_the_link_follows_the_ideas_stage(client, in_progress, lead, quality_manager):
    idea = services.idea_from_finding(actor=lead, finding=_finding(in_progress, lead))
    move(idea, quality_manager, "accepted", "plan")
    assert f"{idea.reference} (plan)" in _page(client, lead, f"/audits/{in_progress.pk}/")


def test_external_auditors_see_only_decided_ideas_linked_on_a_finding(
    in_progress, lead, quality_manager, external_auditor
):
    finding = _finding(in_progress, lead)
    idea = services.idea_from_finding(actor=lead, finding=finding)
    fetched = Finding.objects.prefetch_related("ideas", "audit__team").get(pk=finding.pk)
    assert panels.finding_links(fetched, external_auditor) == []
    services.idea_advance(actor=quality_manager, idea=idea, to="parked", note="Next year")
    fetched = Finding.objects.prefetch_related("ideas", "audit__team").get(pk=finding.pk)
    assert [link.label for link in panels.finding_links(fetched, external_auditor)] == [f"{idea.reference} (parked)"]


def test_a_finding_the_user_cannot_see_is_not_found(client, in_progress, lead):
    finding = _finding(in_progress, lead)
    stranger = UserFactory(roles=["employee"], department=DepartmentFactory(name="Sales", code="SAL"))
    client.force_login(stranger)
    assert client.get(_from_finding(finding)).status_code == 404
    assert client.post(_from_finding(finding)).status_code == 404


@pytest.mark.parametrize("persona", ["external_auditor", "outsider"])
def test_external_auditors_and_accounts_without_a_role_may_not_turn_findings_into_ideas(
    client, in_progress, lead, personas, persona
):
    finding = _finding(in_progress, lead)
    client.force_login(personas[persona])
    assert client.get(_from_finding(finding)).status_code == 403
    assert client.post(_from_finding(finding)).status_code == 403


@pytest.mark.parametrize("viewer", ["lead", "co_auditor", "quality_manager", "auditee"])
def test_the_audit_page_keeps_a_fixed_number_of_queries_with_ideas_on_its_findings(
    client, in_progress, lead, employee, request, viewer
):
    user = request.getfixturevalue(viewer)

    def count() -> int:
        client.force_login(User.objects.get(pk=user.pk))
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"/audits/{in_progress.pk}/").status_code == 200
        return len(queries)

    services.idea_from_finding(actor=lead, finding=_finding(in_progress, lead, statement="answered"))
    _finding(in_progress, lead, statement="open")
    count()  # the first page of a process fills Django's content-type cache
    few = count()
    for index in range(4):
        more = _finding(in_progress, lead, type="observation", statement=f"more {index}")
        if index % 2:
            services.idea_from_finding(actor=lead, finding=more)
        nc = _finding(in_progress, lead, type="major_nc", statement=f"nc {index}")
        if index % 2:
            capa_services.capa_raise_from_finding(actor=lead, finding=nc, owner=employee, due_date=in_days(30))
    assert count() == few


# --- From a CAPA ------------------------------------------------------------------------------------------------------


def test_the_capa_owner_and_quality_managers_may_spawn_a_preventive_idea(client, open_capa, employee, quality_manager):
    button = f'<a class="button" href="{_from_capa(open_capa)}">Spawn a preventive idea</a>'
    for user in (employee, quality_manager):
        assert button in _page(client, user, f"/capa/{open_capa.pk}/"), user
        assert client.get(_from_capa(open_capa)).status_code == 200


def test_others_who_see_the_capa_are_not_offered_it(client, open_capa, auditor):
    assert "Spawn a preventive idea" not in _page(client, auditor, f"/capa/{open_capa.pk}/")
    client.force_login(auditor)
    assert client.get(_from_capa(open_capa)).status_code == 403
    assert client.post(_from_capa(open_capa), {"title": "t", "proposal": "p"}).status_code == 403
    assert not Idea.objects.exists()


def test_a_capa_the_user_cannot_see_is_not_found(client, open_capa):
    stranger = UserFactory(roles=["employee"], department=DepartmentFactory(name="Sales", code="SAL"))
    client.force_login(stranger)
    assert client.get(_from_capa(open_capa)).status_code == 404


@pytest.mark.parametrize("persona", ["external_auditor", "outsider"])
def test_external_auditors_and_accounts_without_a_role_may_not_spawn_ideas(client, open_capa, personas, persona):
    client.force_login(personas[persona])
    assert client.get(_from_capa(open_capa)).status_code == 403


def test_spawning_a_preventive_idea_links_it_to_the_capa(client, open_capa, employee, auditor):
    page = _page(client, employee, _from_capa(open_capa))
    assert f"From {open_capa.reference}: Pallet 14 of rejected bottles stood in the released area." in page
    response = client.post(
        _from_capa(open_capa), {"title": "Red floor zone in every store", "proposal": "Mark all hold areas red"}
    )
    idea = Idea.objects.get()
    assert response.status_code == 302 and response["Location"] == idea.get_absolute_url()
    assert idea.capa == open_capa and idea.source == Idea.Source.CAPA and idea.submitter == employee
    assert idea.title == "Red floor zone in every store" and idea.proposal == "Mark all hold areas red"
    link = f'<a href="{idea.get_absolute_url()}">{idea.reference} (submitted)</a>'
    for user in (employee, auditor):
        assert link in _page(client, user, f"/capa/{open_capa.pk}/"), user
    assert idea.reference in _page(client, employee, _from_capa(open_capa))  # listed above a second one


def test_a_preventive_idea_needs_a_title_and_a_proposal(client, open_capa, employee):
    client.force_login(employee)
    response = client.post(_from_capa(open_capa), {"title": "", "proposal": " "})
    assert response.status_code == 400
    assert response.content.decode().count('class="errorlist"') == 2
    assert not Idea.objects.exists()
