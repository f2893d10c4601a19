"""Browser pages of internal audits: the programme with coverage, the audit page and its autosaving checklist,
the findings register and its export, and who may open what."""

import csv
import io
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from audits import services
from audits.models import Audit, ChecklistItem
from qms.models import Clause, User
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def test_programme_shows_audits_coverage_and_gaps(client, planned, quality_manager):
    client.force_login(quality_manager)
    page = client.get(f"/audits/?year={planned.planned_start.year}").content.decode()
    assert planned.reference in page
    assert "Not audited this year" in page and "4 Context of the organization" in page
    assert "never audited" in page


def test_planning_in_the_browser_explains_the_independence_rule(client, quality_manager, lead, production):
    from tests.qms.factories import UserFactory

    insider = UserFactory(roles=["auditor"], department=production, first_name="Tom", last_name="Becker")
    client.force_login(quality_manager)
    start = timezone.localdate()
    response = client.post(
        "/audits/new/",
        {
            "title": "Line audit",
            "scope": "Line 2",
            "department": production.pk,
            "clauses": [Clause.objects.get(number="8.5.1").pk],
            "lead_auditor": lead.pk,
            "team": [insider.pk],
            "planned_start": start,
            "planned_end": start,
        },
    )
    assert response.status_code == 400
    assert "Tom Becker belongs to Production, the audited department" in response.content.decode()
    assert not Audit.objects.exists()


def test_planning_with_dates_out_of_order_is_a_field_error(client, quality_manager, lead):
    client.force_login(quality_manager)
    start = timezone.localdate()
    response = client.post(
        "/audits/new/",
        {
            "title": "x",
            "scope": "y",
            "clauses": [Clause.objects.get(number="9.2").pk],
            "lead_auditor": lead.pk,
            "planned_start": start,
            "planned_end": start - timedelta(days=2),
        },
    )
    assert "The planned end is before the planned start." in response.content.decode()


def test_the_checklist_autosaves_one_answer(client, in_progress, co_auditor):
    item = in_progress.checklist_items.first()
    client.force_login(co_auditor)
    response = client.post(
        f"/audits/{in_progress.pk}/checklist/{item.pk}/",
        {"result": "nonconforming", "notes": "Batch records unsigned on 3 of 10"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert "Saved" in response.content.decode()
    assert "<html" not in response.content.decode()
    item.refresh_from_db()
    assert (item.result, item.notes) == ("nonconforming", "Batch records unsigned on 3 of 10")


def test_an_autosave_by_someone_outside_the_team_is_refused(client, in_progress, auditee):
    item = in_progress.checklist_items.first()
    client.force_login(auditee)
    assert client.post(f"/audits/{in_progress.pk}/checklist/{item.pk}/", {"result": "conforming"}).status_code == 403
    item.refresh_from_db()
    assert item.result == ChecklistItem.Result.NOT_CHECKED


def test_a_finding_in_one_step_from_a_checklist_answer(client, in_progress, co_auditor):
    item = in_progress.checklist_items.first()
    services.checklist_answer(actor=co_auditor, item=item, result="nonconforming", notes="No calibration label")
    client.force_login(co_auditor)
    response = client.post(f"/audits/{in_progress.pk}/checklist/{item.pk}/finding/", {"type": "minor_nc"}, follow=True)
    page = response.content.decode()
    assert f"Recorded {in_progress.reference}-F01" in page
    assert "Needs a CAPA before the audit can close" in page


def test_closing_with_a_wrong_password_keeps_the_comment(client, in_progress, lead):
    for item in in_progress.checklist_items.all():
        services.checklist_answer(actor=lead, item=item, result="conforming")
    services.audit_report_ready(actor=lead, audit=in_progress, conclusion="Effective")
    client.force_login(lead)
    response = client.post(f"/audits/{in_progress.pk}/close/", {"close-password": "nope", "close-comment": "All good"})
    assert response.status_code == 400
    assert "The password is not correct" in response.content.decode()
    assert "All good" in response.content.decode()
    response = client.post(f"/audits/{in_progress.pk}/close/", {"close-password": PASSWORD}, follow=True)
    assert "The audit is closed and signed." in response.content.decode()


def test_findings_register_filters_and_exports_safely(client, in_progress, lead, quality_manager):
    clause = Clause.objects.get(number="8.7")
    services.finding_create(
        actor=lead, audit=in_progress, type="minor_nc", clause=clause, statement="=cmd|' /C calc'!A0"
    )
    services.finding_create(actor=lead, audit=in_progress, type="ofi", clause=clause, statement="Label the hold area")
    client.force_login(quality_manager)
    page = client.get("/audits/findings/?type=ofi").content.decode()
    assert "Label the hold area" in page and "calc" not in page
    rows = list(csv.reader(io.StringIO(b"".join(client.get("/audits/findings.csv").streaming_content).decode())))
    assert rows[0][0] == "reference"
    assert any(row[5].startswith("'=") for row in rows[1:])


def test_findings_register_runs_a_fixed_number_of_queries(client, in_progress, lead, quality_manager):
    clause = Clause.objects.get(number="8.7")

    def count():
        client.force_login(User.objects.get(pk=quality_manager.pk))
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/audits/findings/").status_code == 200
        return len(queries)

    services.finding_create(actor=lead, audit=in_progress, type="ofi", clause=clause, statement="one")
    few = count()
    for index in range(6):
        services.finding_create(actor=lead, audit=in_progress, type="ofi", clause=clause, statement=f"more {index}")
    assert count() == few


QM, AUD, EMP, EXT, NONE = "quality_manager", "auditor", "employee", "external_auditor", "outsider"


@pytest.mark.parametrize(
    ("path", "allowed"),
    [
        ("/audits/", {QM, AUD, EMP, EXT}),
        ("/audits/findings/", {QM, AUD, EMP, EXT}),
        ("/audits/findings.csv", {QM, AUD, EMP, EXT}),
        ("/audits/new/", {QM, AUD}),
        ("/audits/{audit}/", {QM, AUD}),  # the employee persona is not in the audited department
        ("/audits/{audit}/history/", {QM, AUD}),
    ],
)
def test_who_may_open_each_audit_page(client, personas, in_progress, path, allowed):
    url = path.format(audit=in_progress.pk)
    for role, user in personas.items():
        client.force_login(user)
        status = client.get(url).status_code
        assert (status == 200) == (role in allowed), (role, url, status)


def test_quality_managers_keep_the_checklist_questions(client, quality_manager, lead):
    from audits.models import ChecklistTemplate

    clause = Clause.objects.get(number="7.5.3")
    client.force_login(quality_manager)
    response = client.post(
        "/audits/checklist-templates/",
        {"clause": clause.pk, "question": "Are obsolete documents withdrawn?", "order": 1, "is_active": "on"},
    )
    assert response.status_code == 302
    template = ChecklistTemplate.objects.get()
    assert template.history.first().history_user == quality_manager
    assert client.post("/audits/checklist-templates/", {"clause": clause.pk, "question": ""}).status_code == 400
    client.force_login(lead)
    assert client.get("/audits/checklist-templates/").status_code == 403
