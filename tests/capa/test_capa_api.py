"""The CAPA API as spec/api.md describes it: the nonconformity log, a CAPA's whole walk from open to closed, the clear
400 that every bad input gets (with nothing written), evidence downloads, and lists whose query count is fixed."""

from __future__ import annotations

import base64
import hashlib
from datetime import timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from audits import services as audit_services
from capa import services
from capa.models import CLOSING_SIGNATURE, ActionEvidenceFile, Capa, CapaAction, EffectivenessCheck, Nonconformity
from qms.models import Clause, SignatureFailure, User
from tests.conftest import PASSWORD, api_as
from tests.qms.factories import DepartmentFactory, UserFactory

pytestmark = pytest.mark.django_db

FIVE_WHYS = [
    {"why": "Why was a rejected lot shipped?", "because": "It stood with released stock."},
    {"why": "Why did it stand there?", "because": "The hold area was full."},
    {"why": "Why was the hold area full?", "because": "Nobody owns clearing it."},
]
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture(autouse=True)
def _media_in_tmp(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def colleague(db: None) -> Any:
    return UserFactory(username="second.employee", password=PASSWORD, roles=["employee"])


def _day(days: int = 30) -> str:
    return str(timezone.localdate() + timedelta(days=days))


def _capa_body(person: Any, **extra: Any) -> dict[str, Any]:
    return {
        "title": "Rejected lot shipped",
        "kind": "corrective",
        "source": "customer_complaint",
        "severity": "high",
        "problem": "Lot 42, rejected at final inspection, reached a customer.",
        "owner": person.pk,
        "due_date": _day(60),
        **extra,
    }


def _open(quality_manager: Any, owner: Any, **extra: Any) -> Capa:
    return services.capa_create(
        actor=quality_manager,
        title=extra.pop("title", "Rejected lot shipped"),
        source="internal",
        problem="Lot 42 reached a customer.",
        owner=owner,
        due_date=timezone.localdate() + timedelta(days=60),
        **extra,
    )


def _analysed(quality_manager: Any, owner: Any) -> Capa:
    capa = _open(quality_manager, owner)
    return services.capa_update(
        actor=owner,
        capa=capa,
        root_cause_method="five_whys",
        root_cause_analysis=FIVE_WHYS,
        root_cause="Nobody owns the hold area.",
        cause_category="method",
    )


def _action(capa: Capa, owner: Any, actor: Any | None = None) -> CapaAction:
    return services.action_create(
        actor=actor or capa.owner,
        capa=capa,
        description="Name an owner for the hold area",
        owner=owner,
        due_date=timezone.localdate() + timedelta(days=14),
    )


def _png(name: str = "hold-area.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PNG, content_type="image/png")


def _capa(capa_id: int) -> Capa:
    return Capa.objects.get(pk=capa_id)


# --- The whole walk -------------------------------------------------------------------------------------------------


def test_a_capa_walks_from_open_to_closed_through_the_api(quality_manager, employee):
    qm, owner = api_as(quality_manager), api_as(employee)
    created = qm.post("/api/v1/capas/", _capa_body(employee, clause="8.7", containment="Lot 42 recalled"))
    assert created.status_code == 201, created.content
    capa = created.json()
    url = f"/api/v1/capas/{capa['id']}/"
    assert capa["reference"] == "CAPA-0001" and capa["status"] == "open"
    assert capa["clause"] == "8.7" and capa["containment"] == "Lot 42 recalled"
    assert capa["actions"] == [] and capa["effectiveness_checks"] == []
    assert capa["missing"]["next_step"] == "investigating" and capa["missing"]["for_next_step"] == []
    assert capa["days_open"] == 0 and capa["is_overdue"] is False and capa["closed_at"] is None

    analysed = owner.patch(
        url,
        {
            "root_cause_method": "five_whys",
            "root_cause_analysis": [*FIVE_WHYS, {"why": " ", "because": ""}],
            "root_cause": "Nobody owns the hold area.",
            "cause_category": "method",
        },
    )
    assert analysed.status_code == 200, analysed.content
    assert analysed.json()["root_cause_analysis"] == FIVE_WHYS  # the blank step is dropped

    first = owner.post(f"{url}actions/", {"description": "Name an owner", "owner": employee.pk, "due_date": _day(7)})
    assert first.status_code == 201, first.content
    assert first.json()["label"] == "CAPA-0001/A1" and first.json()["status"] == "open"
    second = owner.post(
        f"{url}actions/", {"description": "Mark the hold area", "owner": employee.pk, "due_date": _day()}
    )
    assert [a["number"] for a in owner.get(f"{url}actions/").json()] == [1, 2]

    for step in ("investigating", "implementing"):
        moved = owner.post(f"{url}advance/", {"to": step})
        assert moved.status_code == 200, moved.content
        assert moved.json()["status"] == step

    done = owner.post(f"/api/v1/capa-actions/{first.json()['id']}/complete/", {"evidence": "Owner named in SOP-0003"})
    assert done.status_code == 200, done.content
    assert done.json()["status"] == "done" and done.json()["completed_by"] == employee.pk
    with_file = owner.post(
        f"/api/v1/capa-actions/{second.json()['id']}/complete/",
        {"evidence": "Floor marked, see photo", "files": [_png()]},
        format="multipart",
    )
    assert with_file.status_code == 200, with_file.content
    [evidence] = with_file.json()["evidence_files"]
    assert evidence["name"] == "hold-area.png" and evidence["size"] == len(PNG)
    assert evidence["sha256"] == hashlib.sha256(PNG).hexdigest() and evidence["content_type"] == "image/png"

    verifying = owner.post(f"{url}advance/", {"to": "verifying", "planned_date": _day(), "criteria": "No repeat"})
    assert verifying.status_code == 200, verifying.content
    assert verifying.json()["status"] == "verifying"
    assert verifying.json()["effectiveness_checks"][0]["result"] == ""
    assert verifying.json()["missing"]["for_closing"] == [CLOSING_SIGNATURE]  # only the signature is left

    wrong = qm.post(f"{url}verify/", {"effective": True, "password": "not-my-password"})
    assert wrong.status_code == 400 and "password" in wrong.json()
    assert _capa(capa["id"]).status == "verifying"
    assert EffectivenessCheck.objects.get(capa_id=capa["id"]).result == ""
    assert SignatureFailure.objects.filter(user=quality_manager).count() == 1

    failed = qm.post(f"{url}verify/", {"effective": False, "password": PASSWORD, "comment": "Lot 57 shipped too"})
    assert failed.status_code == 200, failed.content
    assert failed.json()["status"] == "investigating"
    [kept] = failed.json()["effectiveness_checks"]
    assert kept["result"] == "not_effective" and kept["verified_by"] == quality_manager.pk
    assert kept["comment"] == "Lot 57 shipped too" and kept["verified_at"]
    assert failed.json()["missing"]["for_next_step"] == [
        "The last effectiveness check failed: plan at least one new action."
    ]
    refused = owner.post(f"{url}advance/", {"to": "implementing"})
    assert refused.status_code == 400 and "new action" in refused.json()["to"][0]

    third = owner.post(f"{url}actions/", {"description": "Weekly hold check", "owner": employee.pk, "due_date": _day()})
    assert owner.post(f"{url}advance/", {"to": "implementing"}).status_code == 200
    assert owner.post(f"/api/v1/capa-actions/{third.json()['id']}/complete/", {"evidence": "Rota"}).status_code == 200
    assert owner.post(f"{url}advance/", {"to": "verifying"}).status_code == 200

    closed = qm.post(f"{url}verify/", {"effective": True, "password": PASSWORD, "comment": "No repeat in 90 days"})
    assert closed.status_code == 200, closed.content
    body = closed.json()
    assert body["status"] == "closed" and body["closed_at"] and body["is_overdue"] is False
    assert [c["result"] for c in body["effectiveness_checks"]] == ["not_effective", "effective"]
    assert body["missing"] == {"next_step": None, "for_next_step": [], "for_closing": []}

    history = qm.get(f"{url}history/").json()
    records = {entry["record"] for entry in history}
    assert any(record.startswith("CAPA-0001/A1") for record in records)
    assert any(record.startswith("Effectiveness check of CAPA-0001") for record in records)
    assert any(entry["reason"] == "Effective: closed" for entry in history)


def test_a_fishbone_is_kept_under_its_categories(quality_manager, employee):
    capa = _open(quality_manager, employee)
    response = api_as(employee).patch(
        f"/api/v1/capas/{capa.pk}/",
        {
            "root_cause_method": "fishbone",
            "root_cause_analysis": {"people": ["New starter", " "], "method": ["No hold procedure"], "machine": []},
        },
    )
    assert response.status_code == 200, response.content
    assert response.json()["root_cause_analysis"] == {"people": ["New starter"], "method": ["No hold procedure"]}


def test_a_capa_can_be_opened_for_log_entries_and_a_change_reason_is_kept(quality_manager, employee):
    entry = services.nonconformity_report(actor=employee, title="Scratched housing", description="Batch 7")
    created = api_as(quality_manager).post(
        "/api/v1/capas/", _capa_body(employee, source="internal", nonconformities=[entry.pk])
    )
    assert created.status_code == 201, created.content
    assert created.json()["nonconformities"] == [entry.pk]
    url = f"/api/v1/capas/{created.json()['id']}/"
    renamed = api_as(quality_manager).patch(url, {"title": "Scratched housings"}, HTTP_X_CHANGE_REASON="Typo")
    assert renamed.status_code == 200 and renamed.json()["title"] == "Scratched housings"
    assert api_as(quality_manager).get(f"{url}history/").json()[0]["reason"] == "Typo"


def test_an_action_can_change_a_visible_document_only(quality_manager, employee):
    from documents import services as document_services
    from documents.models import DocumentType

    sop = DocumentType.objects.get(code="SOP")
    document = document_services.document_create(
        actor=quality_manager, document_type=sop, title="Hold area", owner=quality_manager, restricted=True
    )
    capa = _analysed(quality_manager, employee)
    body = {"description": "Revise the hold SOP", "owner": employee.pk, "due_date": _day(), "document": document.pk}
    hidden = api_as(employee).post(f"/api/v1/capas/{capa.pk}/actions/", body)
    assert hidden.status_code == 400 and "document" in hidden.json()
    planned = api_as(quality_manager).post(f"/api/v1/capas/{capa.pk}/actions/", body)
    assert planned.status_code == 201, planned.content
    assert planned.json()["document"] == document.pk and planned.json()["change_request"] is not None
    by_hand = api_as(employee).post(f"/api/v1/capa-actions/{planned.json()['id']}/complete/", {"evidence": "done"})
    assert by_hand.status_code == 400 and "new revision becomes effective" in by_hand.json()["detail"]


def test_a_cancelled_action_keeps_its_reason_and_a_cancelled_capa_its_reason(quality_manager, employee):
    capa = _analysed(quality_manager, employee)
    planned = _action(capa, employee)
    cancelled = api_as(employee).post(f"/api/v1/capa-actions/{planned.pk}/cancel/", {"reason": "Covered by A2"})
    assert cancelled.status_code == 200, cancelled.content
    assert cancelled.json()["status"] == "cancelled" and cancelled.json()["cancel_reason"] == "Covered by A2"
    dropped = api_as(quality_manager).post(f"/api/v1/capas/{capa.pk}/cancel/", {"reason": "Duplicate of CAPA-0002"})
    assert dropped.status_code == 200, dropped.content
    assert dropped.json()["status"] == "cancelled" and dropped.json()["cancel_reason"] == "Duplicate of CAPA-0002"
    assert dropped.json()["closed_at"] is not None


def test_the_actions_list_filters_by_owner_status_capa_and_mine(quality_manager, employee, colleague):
    capa = _analysed(quality_manager, employee)
    mine = _action(capa, employee)
    theirs = _action(capa, colleague)
    other = _action(_analysed(quality_manager, employee), employee)
    services.action_complete(actor=employee, action=other, evidence="done")

    def ids(query: str, user: Any = quality_manager) -> list[int]:
        response = api_as(user).get(f"/api/v1/capa-actions/{query}")
        assert response.status_code == 200, response.content
        return sorted(row["id"] for row in response.json()["results"])

    assert ids("") == sorted([mine.pk, theirs.pk, other.pk])
    assert ids(f"?owner={colleague.pk}") == [theirs.pk]
    assert ids("?status=done") == [other.pk]
    assert ids(f"?capa={capa.pk}") == sorted([mine.pk, theirs.pk])
    assert ids("?mine=true", colleague) == [theirs.pk]
    assert ids("?mine=true") == []


# --- Every bad input: a clear 400 (or 403), and nothing written -------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"due_date": "2000-01-01"}, "due_date"),
        ({"owner": 999999}, "owner"),
        ({"kind": "curative"}, "kind"),
        ({"source": "rumour"}, "source"),
        ({"title": ""}, "title"),
        ({"clause": "99.9"}, "clause"),
        ({"nonconformities": [999999]}, "nonconformities"),
        ({"root_cause": "Skipped the analysis"}, "root_cause"),
    ],
)
def test_bad_capa_input_gets_a_field_error_and_opens_nothing(quality_manager, employee, change, field):
    response = api_as(quality_manager).post("/api/v1/capas/", _capa_body(employee, **change))
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert not Capa.objects.exists()


def test_a_finding_that_already_has_a_capa_is_refused(in_progress, lead, quality_manager, employee):
    finding = audit_services.finding_create(
        actor=lead,
        audit=in_progress,
        type="minor_nc",
        clause=Clause.objects.get(number="8.7"),
        statement="Rejected bottles stored with released stock",
    )
    first = api_as(quality_manager).post("/api/v1/capas/", _capa_body(employee, findings=[finding.pk]))
    assert first.status_code == 201, first.content
    assert first.json()["findings"] == [finding.pk] and first.json()["clause"] == "8.7"
    again = api_as(quality_manager).post("/api/v1/capas/", _capa_body(employee, findings=[finding.pk]))
    assert again.status_code == 400
    assert again.json() == {"findings": [f"These findings already have a CAPA: {finding.reference}."]}
    assert Capa.objects.count() == 1


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"root_cause_method": "five_whys", "root_cause_analysis": {"why": "x"}}, "root_cause_analysis", "list"),
        (
            {"root_cause_method": "five_whys", "root_cause_analysis": [{"why": "Why?", "because": ""}]},
            "root_cause_analysis",
            "Why 1 needs both",
        ),
        (
            {"root_cause_method": "five_whys", "root_cause_analysis": [{"why": "w", "because": "b"}] * 11},
            "root_cause_analysis",
            "10 whys",
        ),
        (
            {"root_cause_method": "fishbone", "root_cause_analysis": {"money": ["Budget"]}},
            "root_cause_analysis",
            "money",
        ),
        ({"root_cause_method": "fishbone", "root_cause_analysis": {"people": "tired"}}, "root_cause_analysis", "list"),
        ({"root_cause_method": "fishbone", "root_cause_analysis": ["people"]}, "root_cause_analysis", "6M"),
        ({"root_cause_analysis": FIVE_WHYS}, "root_cause_method", "method"),
        ({"root_cause_method": "pareto"}, "root_cause_method", "valid choice"),
        ({"cause_category": "money"}, "cause_category", "valid choice"),
        ({"due_date": "2000-01-01"}, "due_date", "past"),
        ({"kind": "preventive"}, "kind", "fixed"),
        ({"findings": []}, "findings", "fixed"),
        ({"title": ""}, "title", "blank"),
    ],
)
def test_bad_changes_get_a_field_error_and_change_nothing(quality_manager, employee, change, field, words):
    capa = _open(quality_manager, employee)
    versions = capa.history.count()
    response = api_as(employee).patch(f"/api/v1/capas/{capa.pk}/", change)
    assert response.status_code == 400, response.content
    assert words in response.json()[field][0]
    capa.refresh_from_db()
    assert capa.root_cause_method == "" and capa.root_cause_analysis == [] and capa.kind == "corrective"
    assert capa.history.count() == versions


def test_put_is_not_offered(quality_manager, employee):
    capa = _open(quality_manager, employee)
    response = api_as(quality_manager).put(f"/api/v1/capas/{capa.pk}/", _capa_body(employee))
    assert response.status_code == 405


def test_moving_on_too_early_is_refused_with_what_is_missing(quality_manager, employee):
    capa = _open(quality_manager, employee)
    url = f"/api/v1/capas/{capa.pk}/"
    client = api_as(employee)
    too_far = client.post(f"{url}advance/", {"to": "verifying"})
    assert too_far.status_code == 400
    assert too_far.json()["to"] == ["Only a CAPA in implementing can move to verifying; this one is open."]
    closing = client.post(f"{url}advance/", {"to": "closed"})
    assert closing.status_code == 400 and "verify closes it" in closing.json()["to"][0]
    assert client.post(f"{url}advance/", {"to": "investigating"}).status_code == 200
    unanalysed = client.post(f"{url}advance/", {"to": "implementing"})
    assert unanalysed.status_code == 400
    assert (
        "Write the root cause" in unanalysed.json()["to"][0]
        and "Plan at least one action" in unanalysed.json()["to"][0]
    )
    listed = client.get(url).json()["missing"]["for_next_step"]
    assert "Write the root cause (the summary of the analysis)." in listed
    verify_early = api_as(quality_manager).post(f"{url}verify/", {"effective": True, "password": PASSWORD})
    assert verify_early.status_code == 400 and "Only a CAPA in verifying" in verify_early.json()["detail"]
    assert _capa(capa.pk).status == "investigating"
    assert not EffectivenessCheck.objects.exists()


def test_closing_with_open_actions_is_refused(quality_manager, employee, colleague):
    capa = _analysed(quality_manager, employee)
    done, still_open = _action(capa, employee), _action(capa, colleague)
    services.capa_advance(actor=employee, capa=capa, to="investigating")
    services.capa_advance(actor=employee, capa=capa, to="implementing")
    services.action_complete(actor=employee, action=done, evidence="Named")
    response = api_as(employee).post(f"/api/v1/capas/{capa.pk}/advance/", {"to": "verifying"})
    assert response.status_code == 400
    assert response.json()["to"] == [f"Finish or cancel (with a reason) every action: {still_open.label} still open."]
    assert _capa(capa.pk).status == "implementing" and not EffectivenessCheck.objects.exists()
    detail = api_as(quality_manager).get(f"/api/v1/capas/{capa.pk}/").json()
    assert detail["missing"]["for_next_step"] == response.json()["to"]


def test_verifying_needs_a_reason_when_not_effective_and_a_password(quality_manager, employee):
    capa = _analysed(quality_manager, employee)
    planned = _action(capa, employee)
    for step in ("investigating", "implementing"):
        services.capa_advance(actor=employee, capa=capa, to=step)
    services.action_complete(actor=employee, action=planned, evidence="Named")
    services.capa_advance(actor=employee, capa=capa, to="verifying")
    url = f"/api/v1/capas/{capa.pk}/verify/"
    no_reason = api_as(quality_manager).post(url, {"effective": False, "password": PASSWORD})
    assert no_reason.status_code == 400 and "comment" in no_reason.json()
    no_password = api_as(quality_manager).post(url, {"effective": True})
    assert no_password.status_code == 400 and "password" in no_password.json()
    no_verdict = api_as(quality_manager).post(url, {"password": PASSWORD})
    assert no_verdict.status_code == 400 and "effective" in no_verdict.json()
    assert _capa(capa.pk).status == "verifying"
    assert EffectivenessCheck.objects.get(capa=capa).result == ""


def test_planned_dates_in_the_past_are_refused(quality_manager, employee):
    capa = _analysed(quality_manager, employee)
    url = f"/api/v1/capas/{capa.pk}/"
    late = api_as(employee).post(f"{url}actions/", {"description": "x", "owner": employee.pk, "due_date": _day(-1)})
    assert late.status_code == 400 and late.json() == {"due_date": ["The due date cannot be in the past."]}
    assert not CapaAction.objects.exists()
    blank = api_as(employee).post(f"{url}actions/", {"description": " ", "owner": employee.pk, "due_date": _day()})
    assert blank.status_code == 400 and "description" in blank.json()
    planned = _action(capa, employee)
    for step in ("investigating", "implementing"):
        services.capa_advance(actor=employee, capa=capa, to=step)
    services.action_complete(actor=employee, action=planned, evidence="Named")
    check = api_as(employee).post(f"{url}advance/", {"to": "verifying", "planned_date": _day(-1)})
    assert check.status_code == 400 and check.json() == {"planned_date": ["The planned date cannot be in the past."]}
    assert _capa(capa.pk).status == "implementing" and not EffectivenessCheck.objects.exists()


def test_completing_someone_elses_action_is_forbidden(quality_manager, employee, colleague):
    capa = _analysed(quality_manager, employee)
    theirs = _action(capa, colleague)
    response = api_as(employee).post(f"/api/v1/capa-actions/{theirs.pk}/complete/", {"evidence": "I did it"})
    assert response.status_code == 403
    assert "completes it" in response.json()["detail"]
    theirs.refresh_from_db()
    assert theirs.status == "open" and theirs.evidence == ""


def test_bad_completions_get_a_field_error_and_store_nothing(quality_manager, employee, settings):
    capa = _analysed(quality_manager, employee)
    planned = _action(capa, employee)
    url = f"/api/v1/capa-actions/{planned.pk}/complete/"
    client = api_as(employee)
    assert client.post(url, {}).json() == {"evidence": ["This field is required."]}
    assert "evidence" in client.post(url, {"evidence": "  "}).json()
    not_a_file = client.post(url, {"evidence": "x", "files": ["text"]})
    assert not_a_file.status_code == 400 and "files" in not_a_file.json()
    program = SimpleUploadedFile("photo.png", b"MZ\x90\x00" + b"\x00\xff" * 64, content_type="image/png")
    refused = client.post(url, {"evidence": "See photo", "files": [program]}, format="multipart")
    assert refused.status_code == 400 and "not accepted" in refused.json()["files"][0]
    planned.refresh_from_db()
    assert planned.status == "open" and not ActionEvidenceFile.objects.exists()
    media = settings.MEDIA_ROOT
    assert not media.exists() or not any(path.is_file() for path in media.rglob("*"))
    twice = client.post(url, {"evidence": "Done"})
    assert twice.status_code == 200
    again = client.post(url, {"evidence": "Done again"})
    assert again.status_code == 400 and "already done" in again.json()["detail"]


def test_cancelling_needs_a_reason(quality_manager, employee):
    capa = _analysed(quality_manager, employee)
    planned = _action(capa, employee)
    action_response = api_as(employee).post(f"/api/v1/capa-actions/{planned.pk}/cancel/", {"reason": ""})
    assert action_response.status_code == 400 and "reason" in action_response.json()
    capa_response = api_as(quality_manager).post(f"/api/v1/capas/{capa.pk}/cancel/", {})
    assert capa_response.status_code == 400 and "reason" in capa_response.json()
    assert _capa(capa.pk).status == "open" and CapaAction.objects.get().status == "open"


# --- Evidence files -------------------------------------------------------------------------------------------------


def test_an_evidence_file_downloads_with_its_digest_and_a_safe_name(quality_manager, employee):
    capa = _analysed(quality_manager, employee)
    planned = _action(capa, employee)
    services.action_complete(
        actor=employee, action=planned, evidence="Photo", files=[_png("../../etc/hold \u202egnp.exe")]
    )
    [evidence] = api_as(employee).get(f"/api/v1/capa-actions/{planned.pk}/").json()["evidence_files"]
    assert evidence["download_url"] == f"/api/v1/capa-actions/{planned.pk}/files/{evidence['id']}/"
    response = api_as(quality_manager).get(evidence["download_url"])
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PNG
    assert response["Content-Type"] == "image/png"
    assert response["Digest"] == "sha-256=" + base64.b64encode(hashlib.sha256(PNG).digest()).decode()
    assert response["Content-Length"] == str(len(PNG))
    assert response["X-Content-Type-Options"] == "nosniff"
    disposition = response["Content-Disposition"]
    assert disposition.startswith('attachment; filename="CAPA-0001-A1-hold gnp.png"')
    assert "/" not in disposition.split("filename*=")[0] and "\u202e" not in disposition

    other = _action(capa, employee)
    assert api_as(quality_manager).get(f"/api/v1/capa-actions/{other.pk}/files/{evidence['id']}/").status_code == 404


# --- Nonconformity log ----------------------------------------------------------------------------------------------


def test_an_employee_reports_a_nonconformity_and_the_quality_manager_closes_it(quality_manager, employee):
    reported = api_as(employee).post(
        "/api/v1/nonconformities/",
        {"title": "Scratched housing", "description": "Batch 7, 12 parts", "location": "Line 2", "severity": "low"},
    )
    assert reported.status_code == 201, reported.content
    entry = reported.json()
    assert entry["reference"] == "NC-0001" and entry["status"] == "open" and entry["source"] == "internal"
    assert entry["department"] == employee.department_id and entry["reported_by"] == employee.pk
    assert quality_manager.notifications.filter(subject__startswith="NC-0001").exists()
    url = f"/api/v1/nonconformities/{entry['id']}/"

    assert api_as(employee).post(f"{url}close/", {"disposition": "rework", "note": "x"}).status_code == 403
    no_note = api_as(quality_manager).post(f"{url}close/", {"disposition": "rework", "note": ""})
    assert no_note.status_code == 400 and "note" in no_note.json()
    bad = api_as(quality_manager).post(f"{url}close/", {"disposition": "burn", "note": "x"})
    assert bad.status_code == 400 and "disposition" in bad.json()
    closed = api_as(quality_manager).post(f"{url}close/", {"disposition": "rework", "note": "Polished; one-off"})
    assert closed.status_code == 200, closed.content
    assert closed.json()["status"] == "closed" and closed.json()["disposition"] == "rework"
    assert (
        closed.json()["triaged_by"] == quality_manager.pk and closed.json()["disposition_note"] == "Polished; one-off"
    )
    again = api_as(quality_manager).post(f"{url}close/", {"disposition": "scrap", "note": "x"})
    assert again.status_code == 400 and "already closed" in again.json()["detail"]
    history = api_as(quality_manager).get(f"{url}history/").json()
    assert [entry["reason"] for entry in history] == ["Closed: Reworked", "Nonconformity reported"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"customer": "", "reply_due": "{due}"}, "customer"),
        ({"customer": "ACME"}, "reply_due"),
        ({"customer": "ACME", "reply_due": "2000-01-01"}, "reply_due"),
        ({"customer": "ACME", "reply_due": "{due}", "severity": "fatal"}, "severity"),
        ({"customer": "ACME", "reply_due": "{due}", "clause": "0.0"}, "clause"),
    ],
)
def test_a_customer_complaint_needs_its_customer_and_reply_date(employee, change, field):
    body = {"title": "Wrong label", "description": "Received 5 cartons", "source": "customer_complaint", **change}
    body = {key: value.format(due=_day(5)) if isinstance(value, str) else value for key, value in body.items()}
    response = api_as(employee).post("/api/v1/nonconformities/", body)
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert not Nonconformity.objects.exists()


def test_a_complaint_is_logged_searched_and_escalated_to_a_capa(quality_manager, employee):
    complaint = api_as(employee).post(
        "/api/v1/nonconformities/",
        {
            "title": "Wrong label",
            "description": "Received 5 cartons labelled 500 ml holding 1 l",
            "source": "customer_complaint",
            "customer": "ACME Foods",
            "customer_reference": "RMA-881",
            "reply_due": _day(5),
            "containment": "Stock on hold",
        },
    )
    assert complaint.status_code == 201, complaint.content
    entry = complaint.json()
    assert entry["reply_due"] == _day(5) and entry["reply_overdue"] is False
    services.nonconformity_report(actor=employee, title="Scratch", description="x", severity="low")
    listed = api_as(quality_manager).get("/api/v1/nonconformities/?search=ACME").json()
    assert [row["id"] for row in listed["results"]] == [entry["id"]]
    assert api_as(quality_manager).get("/api/v1/nonconformities/?severity=low").json()["count"] == 1
    assert api_as(quality_manager).get("/api/v1/nonconformities/?source=customer_complaint").json()["count"] == 1

    url = f"/api/v1/nonconformities/{entry['id']}/escalate/"
    late = api_as(quality_manager).post(url, {"owner": employee.pk, "due_date": "2000-01-01"})
    assert late.status_code == 400 and "due_date" in late.json()
    assert Nonconformity.objects.get(pk=entry["id"]).status == "open" and not Capa.objects.exists()
    escalated = api_as(quality_manager).post(url, {"owner": employee.pk, "due_date": _day(), "kind": "corrective"})
    assert escalated.status_code == 201, escalated.content
    capa = escalated.json()
    assert capa["reference"] == "CAPA-0001" and capa["status"] == "open" and capa["nonconformities"] == [entry["id"]]
    assert capa["source"] == "customer_complaint" and capa["containment"] == "Stock on hold"
    assert "ACME Foods" in capa["problem"]
    after = api_as(quality_manager).get(f"/api/v1/nonconformities/{entry['id']}/").json()
    assert after["status"] == "escalated" and after["capas"] == [capa["id"]]
    assert api_as(quality_manager).get("/api/v1/nonconformities/?status=escalated").json()["count"] == 1
    twice = api_as(quality_manager).post(url, {"owner": employee.pk, "due_date": _day()})
    assert twice.status_code == 400 and Capa.objects.count() == 1


def test_a_log_entry_from_an_audit_finding_links_it(in_progress, lead):
    finding = audit_services.finding_create(
        actor=lead, audit=in_progress, type="minor_nc", clause=Clause.objects.get(number="8.5.1"), statement="x"
    )
    body = {"title": "Unsigned record", "description": "Batch 9", "finding": finding.pk}
    wrong_source = api_as(lead).post("/api/v1/nonconformities/", body)
    assert wrong_source.status_code == 400 and "finding" in wrong_source.json()
    linked = api_as(lead).post("/api/v1/nonconformities/", {**body, "source": "audit_finding"})
    assert linked.status_code == 201, linked.content
    assert linked.json()["finding"] == finding.pk and linked.json()["clause"] == "8.5.1"


# --- Lists ask a fixed number of queries ----------------------------------------------------------------------------


def _fill(quality_manager: Any, rows: int) -> Any:
    """`rows` CAPAs escalated from log entries of their own, each analysed, with a done action that has an evidence
    file, and awaiting its effectiveness check. Returns their owner."""
    owner: Any = UserFactory(roles=["employee"], department=DepartmentFactory())
    for _ in range(rows):
        entry = services.nonconformity_report(actor=owner, title="Leak", description="Valve 3")
        capa = services.nonconformity_escalate(
            actor=quality_manager, nonconformity=entry, owner=owner, due_date=timezone.localdate() + timedelta(days=9)
        )
        services.capa_update(
            actor=owner,
            capa=capa,
            root_cause_method="five_whys",
            root_cause_analysis=FIVE_WHYS,
            root_cause="Worn seal",
            cause_category="machine",
        )
        planned = _action(capa, owner)
        for step in ("investigating", "implementing"):
            services.capa_advance(actor=owner, capa=capa, to=step)
        services.action_complete(actor=owner, action=planned, evidence="Fixed", files=[_png()])
        services.capa_advance(actor=owner, capa=capa, to="verifying")
    return owner


# The user's roles, the page's count and rows, then one query per prefetched relation: CAPAs prefetch findings, log
# entries, actions with their evidence files, and checks; log entries their CAPAs; actions their evidence files.
@pytest.mark.parametrize(
    ("path", "queries"),
    [("/api/v1/capas/", 8), ("/api/v1/nonconformities/", 4), ("/api/v1/capa-actions/", 4)],
)
@pytest.mark.parametrize("rows", [1, 20])
@pytest.mark.parametrize("viewer", ["quality_manager", "owner"])
def test_lists_ask_the_same_number_of_queries_whatever_their_length(
    django_assert_num_queries, quality_manager, viewer, path, queries, rows
):
    owner = _fill(quality_manager, rows)
    user = quality_manager if viewer == "quality_manager" else owner
    client = api_as(User.objects.get(pk=user.pk))  # a fresh user object: its roles are looked up again
    with django_assert_num_queries(queries):
        response = client.get(path)
    assert response.status_code == 200
    assert response.json()["count"] == rows
    if path == "/api/v1/capas/":
        rows_shown = response.json()["results"]
        assert all(row["effectiveness_checks"] and row["actions"][0]["evidence_files"] for row in rows_shown)
