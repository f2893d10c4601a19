"""Browser pages of nonconformity and CAPA: the register and its export, opening CAPAs, the CAPA page with its
analysis, actions and signed verification, the nonconformity log and its triage, the summary PDF, and who may open
what."""

import csv
import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from audits import services as audit_services
from capa import services
from capa.models import ActionEvidenceFile, Capa, CapaAction, EffectivenessCheck, Nonconformity
from documents import services as document_services
from documents.models import ChangeRequest, DocumentType
from qms.models import Clause, User
from tests.conftest import PASSWORD
from tests.documents.conftest import make_effective, text_file
from tests.qms.factories import UserFactory

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
# The number of queries of the register and of the log, whatever the page holds (pinned at 1 and at 20 rows).
REGISTER_QUERIES = 11
LOG_QUERIES = 9


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _due(days=30):
    return timezone.localdate() + timedelta(days=days)


def _clause(number="8.7"):
    return Clause.objects.get(number=number)


@pytest.fixture
def capa(quality_manager, auditee, production):
    """A CAPA of the production department, owned by its line lead."""
    return services.capa_create(
        actor=quality_manager,
        title="Rejected bottles stored with released stock",
        source="internal",
        problem="Pallet 14 of rejected bottles had no hold label.",
        owner=auditee,
        due_date=_due(),
        department=production,
        clause=_clause(),
    )


@pytest.fixture
def finding(in_progress, lead):
    return audit_services.finding_create(
        actor=lead,
        audit=in_progress,
        type="major_nc",
        clause=_clause(),
        statement="Rejected bottles stored with released stock",
        evidence="Pallet 14, no hold label",
    )


@pytest.fixture
def approver(db):
    return UserFactory(username="approver", password=PASSWORD, roles=["employee"])


@pytest.fixture
def effective(quality_manager, employee, approver):
    """An effective SOP owned by the employee persona."""
    document = document_services.document_create(
        actor=quality_manager,
        document_type=DocumentType.objects.get(code="SOP"),
        title="Handling rejected product",
        owner=employee,
    )
    draft = document_services.revision_create(
        actor=employee, document=document, file=text_file(), change_summary="First issue"
    )
    return make_effective(draft, approver)


def _analyse(capa, actor):
    return services.capa_update(
        actor=actor,
        capa=capa,
        root_cause_method="five_whys",
        root_cause_analysis=[
            {"why": "Why was the pallet not on hold?", "because": "It had no hold label."},
            {"why": "Why no label?", "because": "The printer at the line was out of labels."},
        ],
        root_cause="No stock of hold labels at the line.",
        cause_category="material",
    )


def _implementing(capa, manager, owner):
    services.capa_advance(actor=manager, capa=capa, to="investigating")
    _analyse(capa, manager)
    action = services.action_create(
        actor=manager, capa=capa, description="Keep a stock of hold labels at each line", owner=owner, due_date=_due(7)
    )
    services.capa_advance(actor=manager, capa=capa, to="implementing")
    return action


def _verifying(capa, manager, owner):
    action = _implementing(capa, manager, owner)
    services.action_complete(actor=owner, action=action, evidence="Labels stocked at lines 1 and 2")
    return services.capa_advance(actor=manager, capa=capa, to="verifying", criteria="No unlabelled hold in 3 months")


def _page(client, user, url, status=200):
    client.force_login(User.objects.get(pk=user.pk))
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    return response.content.decode()


# --- Who may open what ----------------------------------------------------------------------------------------------

QM, AUD, EMP, EXT, NONE = "quality_manager", "auditor", "employee", "external_auditor", "outsider"


@pytest.mark.parametrize(
    ("path", "allowed"),
    [
        ("/capa/", {QM, AUD, EMP, EXT}),
        ("/capa/export.csv", {QM, AUD, EMP, EXT}),
        ("/capa/new/", {QM, AUD}),
        ("/capa/nonconformities/", {QM, AUD, EMP, EXT}),
        ("/capa/nonconformities/new/", {QM, AUD, EMP}),
        # The employee persona belongs to another department than the CAPA's, and external auditors see closed ones.
        ("/capa/{capa}/", {QM, AUD}),
        ("/capa/{capa}/history/", {QM, AUD}),
        ("/capa/{capa}/summary.pdf", {QM, AUD}),
        ("/capa/nonconformities/{entry}/", {QM, AUD}),
        ("/capa/nonconformities/{entry}/history/", {QM, AUD}),
    ],
)
def test_who_may_open_each_capa_page(client, personas, capa, auditee, path, allowed):
    entry = services.nonconformity_report(actor=auditee, title="Leaking cap", description="Cap 3 leaks")
    url = path.format(capa=capa.pk, entry=entry.pk)
    for role, user in personas.items():
        client.force_login(user)
        status = client.get(url).status_code
        assert (status == 200) == (role in allowed), (role, url, status)
        if role not in allowed:
            # Signed in without any role: refused. With a role but outside the record's reach: not found.
            assert status == (403 if role == NONE or url.endswith("/new/") else 404), (role, url, status)


def test_external_auditors_read_the_log_but_are_not_offered_the_report_form(client, external_auditor):
    page = _page(client, external_auditor, "/capa/nonconformities/")
    assert "/capa/nonconformities/new/" not in page
    assert "once a quality manager has triaged them" in page


def test_the_owner_and_their_department_see_the_capa_and_another_department_does_not(client, capa, auditee, employee):
    colleague = UserFactory(username="colleague", roles=["employee"], department=auditee.department)
    assert "Rejected bottles stored" in _page(client, auditee, f"/capa/{capa.pk}/")
    assert "Rejected bottles stored" in _page(client, colleague, f"/capa/{capa.pk}/")
    _page(client, employee, f"/capa/{capa.pk}/", status=404)
    assert capa.reference not in _page(client, employee, "/capa/")


def test_an_external_auditor_sees_a_capa_once_it_is_closed(client, capa, quality_manager, auditee, external_auditor):
    _page(client, external_auditor, f"/capa/{capa.pk}/", status=404)
    _verifying(capa, quality_manager, auditee)
    services.capa_verify(actor=quality_manager, capa=capa, effective=True, password=PASSWORD)
    page = _page(client, external_auditor, f"/capa/{capa.pk}/")
    assert "the effectiveness check was signed effective" in page
    assert "Sign the effectiveness check" not in page and "Plan an action" not in page


# --- The register ---------------------------------------------------------------------------------------------------


def test_the_register_counts_by_status_filters_and_marks_the_overdue(client, capa, quality_manager, auditee):
    other = services.capa_create(
        actor=quality_manager,
        title="Supplier certificates missing",
        source="supplier",
        severity="high",
        problem="p",
        owner=quality_manager,
        due_date=_due(1),
    )
    services.capa_advance(actor=quality_manager, capa=other, to="investigating")
    page = _page(client, quality_manager, "/capa/")
    assert capa.reference in page and other.reference in page
    assert "New CAPA" in page
    assert 'status=investigating"' in page
    assert "Days open" in page
    filtered = _page(client, quality_manager, "/capa/?severity=high&source=supplier")
    assert other.reference in filtered and capa.reference not in filtered
    assert capa.reference in _page(client, quality_manager, f"/capa/?owner={auditee.pk}&q=bottles")
    assert "No CAPA matches these filters" in _page(client, quality_manager, "/capa/?overdue=1")

    overdue = Capa.objects.get(pk=capa.pk)
    overdue.due_date = timezone.localdate() - timedelta(days=3)  # time has passed
    overdue.save()
    page = _page(client, quality_manager, "/capa/?overdue=1")
    assert capa.reference in page and other.reference not in page
    assert "overdue" in page and "row-overdue" in page


def test_the_register_explains_itself_when_empty(client, employee, quality_manager):
    assert "Report a nonconformity" in _page(client, employee, "/capa/")
    assert "New CAPA" not in _page(client, employee, "/capa/")
    assert "raise a CAPA from the finding" in _page(client, quality_manager, "/capa/")


def _many_capas(quality_manager, auditee, production, count):
    for index in range(count):
        capa = services.capa_create(
            actor=quality_manager,
            title=f"Problem {index}",
            source="internal",
            problem="p",
            owner=auditee,
            due_date=_due(),
            department=production,
        )
        services.action_create(actor=quality_manager, capa=capa, description="do", owner=auditee, due_date=_due())


@pytest.mark.parametrize("rows", [1, 20])
def test_the_register_asks_a_fixed_number_of_queries(
    client, django_assert_num_queries, quality_manager, auditee, production, finding, lead, rows
):
    _many_capas(quality_manager, auditee, production, rows - 1)
    services.capa_raise_from_finding(actor=lead, finding=finding, owner=auditee, due_date=_due())
    client.force_login(User.objects.get(pk=quality_manager.pk))
    with django_assert_num_queries(REGISTER_QUERIES):
        page = client.get("/capa/").content.decode()
    assert page.count('<tr id="capa-') == rows


def test_the_export_follows_the_filters_and_keeps_formulas_as_text(client, capa, quality_manager, auditee):
    services.capa_create(
        actor=quality_manager,
        title='=HYPERLINK("http://evil.example","Click")',
        source="internal",
        problem="p",
        owner=auditee,
        due_date=_due(),
    )
    _implementing(capa, quality_manager, auditee)
    client.force_login(quality_manager)
    response = client.get("/capa/export.csv")
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    header = rows[0]
    assert header[:3] == ["reference", "title", "kind"]
    by_reference = {row[0]: dict(zip(header, row, strict=True)) for row in rows[1:]}
    assert len(by_reference) == 2
    evil = next(row for row in by_reference.values() if "HYPERLINK" in row["title"])
    assert evil["title"].startswith("'=")
    ours = by_reference[capa.reference]
    assert ours["root_cause"] == "No stock of hold labels at the line."
    assert (ours["actions_done"], ours["actions_total"], ours["status"]) == ("0", "1", "implementing")
    assert ours["overdue"] == "no" and ours["department"] == "Production" and ours["clause"] == "8.7"
    response = client.get("/capa/export.csv?status=open")
    only = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert len(only) == 2 and "HYPERLINK" in only[1][1]


# --- Opening CAPAs --------------------------------------------------------------------------------------------------


def test_a_quality_manager_opens_a_capa_in_the_browser(client, quality_manager, auditee, production):
    client.force_login(quality_manager)
    response = client.post(
        "/capa/new/",
        {
            "title": "Torque of caps drifts",
            "kind": "preventive",
            "source": "process_deviation",
            "severity": "medium",
            "problem": "Torque trending to the lower limit",
            "owner": auditee.pk,
            "department": production.pk,
            "clause": _clause("8.5.1").pk,
            "due_date": _due().isoformat(),
        },
    )
    capa = Capa.objects.get()
    assert response.status_code == 302 and response["Location"] == capa.get_absolute_url()
    assert (capa.kind, capa.owner, capa.department) == ("preventive", auditee, production)
    assert capa.created_by == quality_manager


def test_a_capa_due_in_the_past_is_refused_next_to_the_date(client, quality_manager, auditee):
    client.force_login(quality_manager)
    response = client.post(
        "/capa/new/",
        {
            "title": "x",
            "kind": "corrective",
            "source": "internal",
            "severity": "low",
            "problem": "y",
            "owner": auditee.pk,
            "due_date": (timezone.localdate() - timedelta(days=1)).isoformat(),
        },
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert 'id="id_due_date_error"' in page and "The due date cannot be in the past." in page
    assert not Capa.objects.exists()


def test_employees_do_not_open_capas(client, employee, auditee):
    client.force_login(employee)
    assert client.post("/capa/new/", {"title": "x"}).status_code == 403
    assert not Capa.objects.exists()


def test_a_capa_raised_from_a_finding_in_the_browser(client, finding, lead, auditee):
    page = _page(client, lead, f"/capa/raise/finding/{finding.pk}/")
    assert "Pallet 14, no hold label" in page and "High" in page
    assert f'<option value="{auditee.pk}" selected>' in page  # the auditee of the finding's department
    response = client.post(f"/capa/raise/finding/{finding.pk}/", {"owner": auditee.pk, "due_date": _due().isoformat()})
    capa = Capa.objects.get()
    assert response.status_code == 302 and response["Location"] == capa.get_absolute_url()
    assert list(capa.findings.all()) == [finding]
    again = client.post(f"/capa/raise/finding/{finding.pk}/", {"owner": auditee.pk, "due_date": _due().isoformat()})
    assert again.status_code == 400
    assert "already have a CAPA" in again.content.decode() and Capa.objects.count() == 1


def test_only_the_audits_auditors_raise_a_capa_from_its_finding(client, finding, auditor, auditee):
    client.force_login(auditor)  # an auditor, but not of this audit
    response = client.post(f"/capa/raise/finding/{finding.pk}/", {"owner": auditee.pk, "due_date": _due().isoformat()})
    assert response.status_code == 403
    assert not Capa.objects.exists()
    assert client.get("/capa/raise/finding/999999/").status_code == 404


# --- The CAPA page --------------------------------------------------------------------------------------------------


def test_the_capa_page_shows_the_chain_and_what_is_missing(client, finding, lead, auditee, quality_manager):
    capa = services.capa_raise_from_finding(actor=lead, finding=finding, owner=auditee, due_date=_due())
    page = _page(client, quality_manager, f"/capa/{capa.pk}/")
    assert 'aria-current="step"' in page and "Open" in page
    assert f'href="{finding.get_absolute_url()}"' in page
    assert "CAPA opened" in page
    assert "Nothing: the CAPA can move to investigating." in page
    assert "Write the root cause (the summary of the analysis)." in page  # what closing still needs
    assert "At least one action must be done." in page
    assert "CAPA summary (PDF)" in page and f"/capa/{capa.pk}/history/" in page

    services.capa_advance(actor=quality_manager, capa=capa, to="investigating")
    page = _page(client, quality_manager, f"/capa/{capa.pk}/")
    assert "To move to implementing" in page
    assert "Plan at least one action." in page
    assert 'aria-describedby="advance-blockers" disabled' in page


def test_the_owner_writes_a_5_whys_analysis_in_order(client, capa, auditee):
    client.force_login(auditee)
    response = client.post(
        f"/capa/{capa.pk}/analysis/",
        {
            "analysis-root_cause_method": "five_whys",
            "analysis-why_0": "Why was it not on hold?",
            "analysis-because_0": "No label",
            "analysis-why_2": "Why no label?",
            "analysis-because_2": "The printer ran out",
            "analysis-root_cause": "No label stock at the line",
            "analysis-cause_category": "material",
        },
    )
    assert response.status_code == 302
    capa.refresh_from_db()
    assert capa.root_cause_analysis == [
        {"why": "Why was it not on hold?", "because": "No label"},
        {"why": "Why no label?", "because": "The printer ran out"},
    ]
    assert (capa.root_cause, capa.cause_category) == ("No label stock at the line", "material")
    page = _page(client, auditee, f"/capa/{capa.pk}/")
    assert '<ol class="whys"' in page and "The printer ran out" in page
    assert page.count("data-why-extra") == 10 - 5  # two steps written, three empty rows, the rest for the script


def test_a_half_written_why_is_refused_and_nothing_is_saved(client, capa, auditee):
    client.force_login(auditee)
    response = client.post(
        f"/capa/{capa.pk}/analysis/",
        {"analysis-root_cause_method": "five_whys", "analysis-why_0": "Why?", "analysis-root_cause": "Something"},
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "Why 1 needs both the question and its answer." in page
    assert 'value="Why?"' in page  # what was typed is kept
    capa.refresh_from_db()
    assert capa.root_cause == "" and capa.root_cause_analysis == []


def test_a_fishbone_is_saved_by_category_and_drawn(client, capa, quality_manager):
    client.force_login(quality_manager)
    response = client.post(
        f"/capa/{capa.pk}/analysis/",
        {
            "analysis-root_cause_method": "fishbone",
            "analysis-bone_material": "Labels out of stock\n\nWrong label size",
            "analysis-bone_people": "New operator",
            "analysis-why_0": "ignored for a fishbone",
        },
    )
    assert response.status_code == 302
    capa.refresh_from_db()
    assert capa.root_cause_analysis == {
        "material": ["Labels out of stock", "Wrong label size"],
        "people": ["New operator"],
    }
    page = _page(client, quality_manager, f"/capa/{capa.pk}/")
    assert 'class="fishbone"' in page and "Wrong label size" in page and "Measurement" in page


def test_someone_who_sees_but_does_not_run_the_capa_cannot_change_it(client, capa, auditor):
    page = _page(client, auditor, f"/capa/{capa.pk}/")
    assert "Write the analysis" not in page and "Plan an action" not in page
    response = client.post(f"/capa/{capa.pk}/analysis/", {"analysis-root_cause": "Mine"})
    assert response.status_code == 403
    capa.refresh_from_db()
    assert capa.root_cause == ""


def test_containment_and_details_are_edited_through_the_service(client, capa, auditee, quality_manager):
    client.force_login(auditee)
    response = client.post(f"/capa/{capa.pk}/containment/", {"containment-containment": "Pallet 14 quarantined"})
    assert response.status_code == 302
    response = client.post(
        f"/capa/{capa.pk}/edit/",
        {
            "edit-title": "Rejected bottles mixed with released stock",
            "edit-problem": capa.problem,
            "edit-severity": "high",
            "edit-owner": auditee.pk,
            "edit-due_date": _due(60).isoformat(),
            "edit-reason": "Customer affected",
        },
    )
    assert response.status_code == 302
    capa.refresh_from_db()
    assert (capa.containment, capa.severity, capa.department) == ("Pallet 14 quarantined", "high", None)
    assert capa.history.first().history_change_reason == "Customer affected"


def test_moving_on_is_refused_with_the_reasons_when_blocked(client, capa, auditee):
    client.force_login(auditee)
    assert client.post(f"/capa/{capa.pk}/advance/", {"advance-to": "investigating"}).status_code == 302
    response = client.post(f"/capa/{capa.pk}/advance/", {"advance-to": "implementing"})
    assert response.status_code == 400
    assert "Plan at least one action." in response.content.decode()
    capa.refresh_from_db()
    assert capa.status == "investigating"
    assert client.post(f"/capa/{capa.pk}/advance/", {"advance-to": "closed"}).status_code == 400


def test_moving_to_verifying_plans_the_effectiveness_check(client, capa, quality_manager, auditee):
    action = _implementing(capa, quality_manager, auditee)
    services.action_complete(actor=auditee, action=action, evidence="Done")
    client.force_login(quality_manager)
    page = client.get(f"/capa/{capa.pk}/").content.decode()
    assert "Effectiveness check on" in page
    planned = _due(45)
    response = client.post(
        f"/capa/{capa.pk}/advance/",
        {"advance-to": "verifying", "advance-planned_date": planned.isoformat(), "advance-criteria": "No recurrence"},
    )
    assert response.status_code == 302
    check = EffectivenessCheck.objects.get(capa=capa)
    assert (check.planned_date, check.criteria, check.result) == (planned, "No recurrence", "")


# --- Actions --------------------------------------------------------------------------------------------------------


def test_an_action_is_planned_and_refused_when_due_in_the_past(client, capa, auditee, production):
    worker = UserFactory(username="operator", roles=["employee"], department=production)
    client.force_login(auditee)
    response = client.post(
        f"/capa/{capa.pk}/actions/",
        {"action-description": "Stock labels", "action-owner": worker.pk, "action-due_date": _due(7).isoformat()},
    )
    assert response.status_code == 302
    action = CapaAction.objects.get()
    assert (action.number, action.owner, action.created_by) == (1, worker, auditee)
    refused = client.post(
        f"/capa/{capa.pk}/actions/",
        {"action-description": "Late", "action-owner": worker.pk, "action-due_date": "2001-01-01"},
    )
    assert refused.status_code == 400
    assert 'id="id_action-due_date_error"' in refused.content.decode()
    assert CapaAction.objects.count() == 1


def test_the_owner_completes_an_action_with_evidence_files(client, capa, quality_manager, auditee):
    action = _implementing(capa, quality_manager, auditee)
    page = _page(client, auditee, f"/capa/{capa.pk}/")
    assert "Report A1 done" in page and "multiple" in page
    response = client.post(
        f"/capa/{capa.pk}/actions/{action.pk}/complete/",
        {
            f"complete-{action.pk}-evidence": "Labels stocked at lines 1 and 2",
            f"complete-{action.pk}-file": [
                SimpleUploadedFile("shelf.png", PNG, content_type="image/png"),
                SimpleUploadedFile("list.txt", b"Line 1: 200 labels\nLine 2: 200 labels\n", content_type="text/plain"),
            ],
        },
    )
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.status == "done" and action.evidence == "Labels stocked at lines 1 and 2"
    files = list(action.evidence_files.order_by("original_filename"))
    assert [f.original_filename for f in files] == ["list.txt", "shelf.png"]
    page = _page(client, quality_manager, f"/capa/{capa.pk}/")
    assert "shelf.png" in page
    download = client.get(f"/capa/{capa.pk}/evidence/{files[1].pk}/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == PNG
    assert download["Digest"].startswith("sha-256=")


def test_an_executable_is_refused_as_evidence_and_the_action_stays_open(client, capa, quality_manager, auditee):
    action = _implementing(capa, quality_manager, auditee)
    client.force_login(auditee)
    response = client.post(
        f"/capa/{capa.pk}/actions/{action.pk}/complete/",
        {
            f"complete-{action.pk}-evidence": "See the photo",
            f"complete-{action.pk}-file": SimpleUploadedFile("photo.png", b"MZ\x90\x00" + b"\x00" * 64),
        },
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert f'id="id_complete-{action.pk}-file_error"' in page
    action.refresh_from_db()
    assert action.status == "open" and not ActionEvidenceFile.objects.exists()


def test_only_the_actions_owner_completes_it(client, capa, quality_manager, auditee):
    action = _implementing(capa, quality_manager, auditee)
    assert "Report A1 done" not in _page(client, quality_manager, f"/capa/{capa.pk}/")
    response = client.post(f"/capa/{capa.pk}/actions/{action.pk}/complete/", {f"complete-{action.pk}-evidence": "x"})
    assert response.status_code == 403
    action.refresh_from_db()
    assert action.status == "open"


def test_an_action_is_cancelled_only_with_a_reason(client, capa, quality_manager, auditee):
    action = _implementing(capa, quality_manager, auditee)
    client.force_login(quality_manager)
    refused = client.post(f"/capa/{capa.pk}/actions/{action.pk}/cancel/", {f"cancel-action-{action.pk}-reason": ""})
    assert refused.status_code == 400 and "Say why the action is cancelled." in refused.content.decode()
    done = client.post(
        f"/capa/{capa.pk}/actions/{action.pk}/cancel/", {f"cancel-action-{action.pk}-reason": "Replaced by A2"}
    )
    assert done.status_code == 302
    action.refresh_from_db()
    assert (action.status, action.cancel_reason) == ("cancelled", "Replaced by A2")
    assert "Cancelled:</span> Replaced by A2" in _page(client, quality_manager, f"/capa/{capa.pk}/")


def test_a_document_action_shows_its_change_request_and_revision(
    client, capa, quality_manager, employee, effective, approver
):
    client.force_login(quality_manager)
    response = client.post(
        f"/capa/{capa.pk}/actions/",
        {
            "action-description": "Add the hold label step",
            "action-owner": employee.pk,
            "action-due_date": _due(14).isoformat(),
            "action-document": effective.document.pk,
        },
    )
    assert response.status_code == 302
    action = CapaAction.objects.get()
    assert action.change_request.status == ChangeRequest.Status.OPEN
    page = _page(client, quality_manager, f"/capa/{capa.pk}/")
    assert f'Changes <a href="{effective.document.get_absolute_url()}">{effective.document.number}</a>' in page
    assert "change request open" in page and "Report A1 done" not in page

    accepted = document_services.change_request_accept(actor=employee, change_request=action.change_request)
    make_effective(accepted.revision, approver)
    action.refresh_from_db()
    assert action.status == "done"
    page = _page(client, quality_manager, f"/capa/{capa.pk}/")
    assert f"revision {accepted.revision.revision}</a> effective" in page


# --- Verification and cancelling ------------------------------------------------------------------------------------


def test_the_verification_signature_rechecks_the_password(client, capa, quality_manager, auditee):
    _verifying(capa, quality_manager, auditee)
    client.force_login(quality_manager)
    page = client.get(f"/capa/{capa.pk}/").content.decode()
    assert "Sign the effectiveness check" in page and 'type="password"' in page
    wrong = client.post(
        f"/capa/{capa.pk}/verify/",
        {"verify-result": "effective", "verify-comment": "No recurrence", "verify-password": "not-it"},
    )
    assert wrong.status_code == 400
    assert "The password is not correct. Nothing was signed." in wrong.content.decode()
    assert "No recurrence" in wrong.content.decode()
    capa.refresh_from_db()
    assert capa.status == "verifying" and EffectivenessCheck.objects.get().result == ""
    signed = client.post(
        f"/capa/{capa.pk}/verify/",
        {"verify-result": "effective", "verify-comment": "No recurrence", "verify-password": PASSWORD},
    )
    assert signed.status_code == 302
    capa.refresh_from_db()
    check = EffectivenessCheck.objects.get()
    assert capa.status == "closed" and check.verified_by == quality_manager and check.signature is not None


def test_a_failed_check_needs_a_comment_and_sends_the_capa_back(client, capa, quality_manager, auditee):
    _verifying(capa, quality_manager, auditee)
    client.force_login(quality_manager)
    refused = client.post(f"/capa/{capa.pk}/verify/", {"verify-result": "not_effective", "verify-password": PASSWORD})
    assert refused.status_code == 400 and "Say what showed the actions did not work." in refused.content.decode()
    client.post(
        f"/capa/{capa.pk}/verify/",
        {
            "verify-result": "not_effective",
            "verify-comment": "Two unlabelled pallets in May",
            "verify-password": PASSWORD,
        },
    )
    capa.refresh_from_db()
    assert capa.status == "investigating"
    page = client.get(f"/capa/{capa.pk}/").content.decode()
    assert "Effectiveness check: not effective" in page and "Two unlabelled pallets in May" in page
    assert "Not effective: back to investigating" in page


def test_only_quality_managers_verify_or_cancel(client, capa, quality_manager, auditee):
    _verifying(capa, quality_manager, auditee)
    client.force_login(auditee)
    assert "Sign the effectiveness check" not in client.get(f"/capa/{capa.pk}/").content.decode()
    post = {"verify-result": "effective", "verify-password": PASSWORD}
    assert client.post(f"/capa/{capa.pk}/verify/", post).status_code == 403
    assert client.post(f"/capa/{capa.pk}/cancel/", {"cancel-reason": "Not needed"}).status_code == 403
    capa.refresh_from_db()
    assert capa.status == "verifying"


def test_a_quality_manager_cancels_a_capa_with_a_reason(client, capa, quality_manager):
    client.force_login(quality_manager)
    refused = client.post(f"/capa/{capa.pk}/cancel/", {"cancel-reason": " "})
    assert refused.status_code == 400 and "Say why the CAPA is cancelled." in refused.content.decode()
    assert client.post(f"/capa/{capa.pk}/cancel/", {"cancel-reason": "Duplicate of CAPA-0002"}).status_code == 302
    capa.refresh_from_db()
    assert capa.status == "cancelled"
    assert "Cancelled" in _page(client, quality_manager, f"/capa/{capa.pk}/")


def test_the_history_page_covers_the_capa_its_actions_and_checks(client, capa, quality_manager, auditee):
    _verifying(capa, quality_manager, auditee)
    page = _page(client, quality_manager, f"/capa/{capa.pk}/history/")
    assert "CAPA opened" in page and "Action A1 planned" in page and "Effectiveness check planned" in page


def test_the_summary_pdf_is_a_pdf_named_after_the_capa(client, capa, quality_manager, auditee):
    _verifying(capa, quality_manager, auditee)
    services.capa_verify(actor=quality_manager, capa=capa, effective=True, password=PASSWORD, comment="Fine")
    client.force_login(quality_manager)
    response = client.get(f"/capa/{capa.pk}/summary.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert f'filename="{capa.reference}-summary-' in response["Content-Disposition"]


def test_earlier_similar_records_are_shown(client, capa, quality_manager, auditee, production):
    earlier = services.nonconformity_report(
        actor=auditee, title="Unlabelled pallet", description="d", department=production, clause=_clause()
    )
    later = services.capa_create(
        actor=quality_manager,
        title="Again",
        source="internal",
        problem="p",
        owner=auditee,
        due_date=_due(),
        department=production,
        clause=_clause(),
    )
    page = _page(client, quality_manager, f"/capa/{later.pk}/")
    assert "Has this happened before?" in page
    assert capa.reference in page and earlier.reference in page
    assert "Same clause 8.7; same department (Production)" in page


# --- The nonconformity log ------------------------------------------------------------------------------------------


def test_any_employee_reports_a_nonconformity(client, employee):
    page = _page(client, employee, "/capa/nonconformities/new/")
    assert "Required for a customer complaint" in page
    response = client.post(
        "/capa/nonconformities/new/",
        {"title": "Scratched labels", "description": "Batch 22 scratched", "source": "internal", "severity": "low"},
    )
    entry = Nonconformity.objects.get()
    assert response.status_code == 302 and response["Location"] == entry.get_absolute_url()
    assert (entry.reported_by, entry.department) == (employee, employee.department)
    page = _page(client, employee, entry.get_absolute_url())
    assert "Waiting for a quality manager" in page and "Close with a disposition" not in page


def test_a_complaint_without_its_customer_is_refused_and_nothing_is_written(client, employee):
    client.force_login(employee)
    response = client.post(
        "/capa/nonconformities/new/",
        {"title": "Leaks", "description": "Bottles leak", "source": "customer_complaint", "severity": "high"},
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert 'id="id_customer_error"' in page and "A customer complaint names its customer." in page
    assert not Nonconformity.objects.exists()


def test_the_log_shows_complaints_with_their_reply_due(client, quality_manager, employee):
    entry = services.nonconformity_report(
        actor=employee,
        title="Leaking bottles",
        description="d",
        source="customer_complaint",
        customer="Acme Drinks",
        customer_reference="RMA-77",
        reply_due=_due(5),
    )
    page = _page(client, quality_manager, "/capa/nonconformities/?source=customer_complaint")
    assert "Acme Drinks" in page and "RMA-77" in page and "Reply due" in page
    entry.reply_due = timezone.localdate() - timedelta(days=2)  # time has passed
    entry.save()
    page = _page(client, quality_manager, "/capa/nonconformities/?reply=overdue")
    assert "Reply overdue since" in page and entry.reference in page
    assert "No entry matches" in _page(client, quality_manager, "/capa/nonconformities/?status=closed")


@pytest.mark.parametrize("rows", [1, 20])
def test_the_log_asks_a_fixed_number_of_queries(
    client, django_assert_num_queries, quality_manager, employee, auditee, rows
):
    for index in range(rows):
        services.nonconformity_report(actor=employee, title=f"Entry {index}", description="d")
    entry = Nonconformity.objects.first()
    services.nonconformity_escalate(actor=quality_manager, nonconformity=entry, owner=auditee, due_date=_due())
    client.force_login(User.objects.get(pk=quality_manager.pk))
    with django_assert_num_queries(LOG_QUERIES):
        page = client.get("/capa/nonconformities/").content.decode()
    assert page.count('<tr id="nc-') == rows


def test_a_quality_manager_closes_an_entry_with_a_disposition(client, quality_manager, employee):
    entry = services.nonconformity_report(actor=employee, title="Scratches", description="d")
    page = _page(client, quality_manager, entry.get_absolute_url())
    assert "Close with a disposition" in page and "Escalate to a CAPA" in page
    assert "Has this happened before?" in page
    refused = client.post(f"/capa/nonconformities/{entry.pk}/close/", {"close-disposition": "rework"})
    assert refused.status_code == 400
    assert 'id="id_close-note_error"' in refused.content.decode()
    entry.refresh_from_db()
    assert entry.status == "open"
    response = client.post(
        f"/capa/nonconformities/{entry.pk}/close/",
        {"close-disposition": "rework", "close-note": "Relabelled; a one-off"},
    )
    assert response.status_code == 302
    entry.refresh_from_db()
    assert (entry.status, entry.disposition, entry.triaged_by) == ("closed", "rework", quality_manager)


def test_a_quality_manager_escalates_an_entry_to_a_capa(client, quality_manager, employee, auditee):
    entry = services.nonconformity_report(actor=employee, title="Leaks", description="Cap 3 leaks", containment="Held")
    client.force_login(quality_manager)
    response = client.post(
        f"/capa/nonconformities/{entry.pk}/escalate/",
        {"escalate-owner": auditee.pk, "escalate-due_date": _due().isoformat(), "escalate-kind": "corrective"},
    )
    capa = Capa.objects.get()
    assert response.status_code == 302 and response["Location"] == capa.get_absolute_url()
    assert list(capa.nonconformities.all()) == [entry] and capa.containment == "Held"
    page = _page(client, quality_manager, entry.get_absolute_url())
    assert "Escalated" in page and capa.reference in page
    page = _page(client, quality_manager, capa.get_absolute_url())
    assert "Nonconformity " + entry.reference in page  # on the timeline
    # The entry the CAPA came from is its origin, not an earlier similar problem.
    assert entry.reference not in page.split('id="similar"')[1].split("</section>")[0]


def test_employees_do_not_triage(client, employee):
    entry = services.nonconformity_report(actor=employee, title="Scratches", description="d")
    client.force_login(employee)
    post = {"close-disposition": "rework", "close-note": "x"}
    assert client.post(f"/capa/nonconformities/{entry.pk}/close/", post).status_code == 403
    entry.refresh_from_db()
    assert entry.status == "open"
