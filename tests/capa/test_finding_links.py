"""The audit page shows a finding's CAPA, or "Raise CAPA" to those who may, through links the CAPA module registers
(qms.links) without the audits app knowing CAPA; and it keeps a fixed number of queries."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.template import Context, Template
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audits import services as audit_services
from capa import panels, services
from qms import links
from qms.links import RecordLink
from qms.models import Clause, User
from tests.capa.conftest import in_days

pytestmark = pytest.mark.django_db


def _finding(audit: Any, lead: Any, type: str = "major_nc", statement: str = "Rejects beside released stock") -> Any:
    return audit_services.finding_create(
        actor=lead, audit=audit, type=type, clause=Clause.objects.get(number="8.7"), statement=statement
    )


def _audit_page(client: Any, audit: Any, user: Any) -> str:
    client.force_login(user)
    response = client.get(f"/audits/{audit.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def _render(template: str, user: Any, **context: Any) -> str:
    request = RequestFactory().get("/")
    request.user = user
    return Template("{% load qms_links %}" + template).render(Context({"request": request, **context}))


@pytest.fixture
def registry(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """An empty registry for the test, the app's own put back after it."""
    empty: dict[str, Any] = {}
    monkeypatch.setattr(links, "_registry", empty)
    return empty


def test_the_tag_renders_the_registered_links_for_the_requests_user(registry, employee, outsider):
    def greeting(record: Any, user: Any) -> list[RecordLink]:
        if user.has_role("employee"):
            return [RecordLink("Open <it>", f"/things/{record}/"), RecordLink("Act", "/act/", style="primary")]
        return []

    links.register_record_links("thing", greeting)
    links.register_record_links("thing", greeting)  # registering twice (ready() may run again) adds it once
    html = _render('{% record_links "thing" record %}', employee, record=7)
    assert html == '<a href="/things/7/">Open &lt;it&gt;</a> <a class="button" href="/act/">Act</a>'
    assert _render('{% record_links "thing" record %}', outsider, record=7) == ""
    assert _render('{% record_links "other" record %}', employee, record=7) == ""
    wrapped = '{% record_links "thing" record as found %}{% if found %}<p>{{ found }}</p>{% else %}none{% endif %}'
    assert _render(wrapped, outsider, record=7) == "none"
    assert _render(wrapped, employee, record=7).startswith('<p><a href="/things/7/">')


def test_the_capa_module_registers_its_finding_links():
    assert panels.finding_links in links._registry["finding"]


def test_a_nonconformity_without_a_capa_offers_raise_capa_to_the_audits_auditors(
    client, in_progress, lead, co_auditor, quality_manager
):
    finding = _finding(in_progress, lead)
    raise_url = reverse("capa:raise-from-finding", args=[finding.pk])
    for user in (lead, co_auditor, quality_manager):
        page = _audit_page(client, in_progress, user)
        assert f'<a class="button" href="{raise_url}">Raise CAPA</a>' in page, user
        assert "Needs a CAPA before the audit can close" in page
        assert client.get(raise_url).status_code == 200


def test_others_who_see_the_audit_are_not_offered_raise_capa(client, in_progress, lead, auditee, auditor):
    finding = _finding(in_progress, lead)
    # An auditor outside this audit's team sees it but does not raise its CAPAs; nor does the audited line lead.
    for user in (auditor, auditee):
        page = _audit_page(client, in_progress, user)
        assert finding.reference in page
        assert "Raise CAPA" not in page, user
        assert "Needs a CAPA before the audit can close" in page


def test_an_observation_offers_no_capa(client, in_progress, lead):
    _finding(in_progress, lead, type="observation", statement="Hold labels are handwritten")
    assert "Raise CAPA" not in _audit_page(client, in_progress, lead)


def test_a_finding_with_a_capa_links_to_it_with_its_status(client, in_progress, lead, employee, auditee):
    finding = _finding(in_progress, lead)
    capa = services.capa_raise_from_finding(actor=lead, finding=finding, owner=employee, due_date=in_days(30))
    for user in (lead, auditee):
        page = _audit_page(client, in_progress, user)
        assert f'<a href="/capa/{capa.pk}/">{capa.reference} (open)</a>' in page
        assert "Raise CAPA" not in page
        assert "Needs a CAPA before the audit can close" not in page
    services.capa_advance(actor=employee, capa=capa, to="investigating")
    assert f"{capa.reference} (investigating)" in _audit_page(client, in_progress, lead)


@pytest.mark.parametrize("viewer", ["lead", "co_auditor", "quality_manager", "auditee"])
def test_the_audit_page_keeps_a_fixed_number_of_queries_with_links_on_every_finding(
    client, in_progress, lead, employee, request, viewer
):
    user = request.getfixturevalue(viewer)

    def count() -> int:
        client.force_login(User.objects.get(pk=user.pk))
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"/audits/{in_progress.pk}/").status_code == 200
        return len(queries)

    answered = _finding(in_progress, lead, statement="answered")
    services.capa_raise_from_finding(actor=lead, finding=answered, owner=employee, due_date=in_days(30))
    _finding(in_progress, lead, statement="open")
    count()  # the first page of a process fills Django's content-type cache (report jobs are found through it)
    few = count()
    for index in range(4):
        more = _finding(in_progress, lead, statement=f"more {index}")
        if index % 2:
            services.capa_raise_from_finding(actor=lead, finding=more, owner=employee, due_date=in_days(30))
        _finding(in_progress, lead, type="ofi", statement=f"ofi {index}")
    assert count() == few
