"""The ideas API as spec/api.md describes it: an idea's whole walk from submitted to standardized, the clear 400 that
every bad move gets (with nothing written), comments that cannot carry a script, anonymity that holds everywhere,
ideas from findings and CAPAs, lists whose query count is fixed, and a vote that counts once under concurrency."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import threading
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from audits import services as audit_services
from documents import services as document_services
from documents.models import ChangeRequest
from improvement import services
from improvement.models import Attachment, Idea, StageChange, Vote, Watch
from qms.models import Clause, Notification, User
from tests.conftest import PASSWORD, api_as
from tests.documents.conftest import make_effective, text_file
from tests.improvement.conftest import move
from tests.qms.factories import UserFactory

pytestmark = pytest.mark.django_db


def _real_png() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "blue").save(buffer, format="PNG")
    return buffer.getvalue()


PNG = _real_png()  # a real picture: an anonymous idea's photos are decoded and stored again
SCRIPT = "<script>alert('pwned')</script>"


@pytest.fixture
def champion(db: None) -> Any:
    return UserFactory(
        username="idea.champion", password=PASSWORD, roles=["employee"], first_name="Chris", last_name="Champion"
    )


@pytest.fixture
def colleague(db: None) -> Any:
    return UserFactory(username="second.employee", password=PASSWORD, roles=["employee"])


def _body(**extra: Any) -> dict[str, Any]:
    return {
        "title": "Colour-coded hold labels",
        "problem": "Rejected pallets look like released ones.",
        "proposal": "Print hold labels on red paper and add a red floor zone for rejects.",
        "expected_benefit": "No mix-ups between rejected and released stock.",
        "category": "quality",
        **extra,
    }


def _png(name: str = "pallets.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PNG, content_type="image/png")


def _idea(pk: int) -> Idea:
    return Idea.objects.get(pk=pk)


# --- The whole walk -------------------------------------------------------------------------------------------------


def test_an_idea_walks_from_submitted_to_standardized_through_the_api(
    quality_manager, employee, champion, colleague, effective, approver
):
    qm, submitter, runner, voter = (api_as(u) for u in (quality_manager, employee, champion, colleague))
    created = submitter.post("/api/v1/ideas/", _body())
    assert created.status_code == 201, created.content
    idea = created.json()
    url = f"/api/v1/ideas/{idea['id']}/"
    assert idea["reference"] == "IDEA-0001" and idea["stage"] == "submitted" and idea["votes"] == 0
    assert idea["submitter"] == employee.pk and idea["anonymous"] is False and idea["source"] == "employee"
    assert idea["department"] == employee.department_id and idea["watching"] is True
    assert idea["missing"] == {"accepted": [], "rejected": [], "parked": []}

    # Votes: twice counts once, and a vote can be taken back.
    for _ in range(2):
        voted = voter.post(f"{url}vote/")
        assert voted.status_code == 200 and voted.json() == {"votes": 1}
    assert voter.get(url).json()["voted"] is True and voter.get(url).json()["watching"] is True
    assert submitter.get(url).json()["voted"] is False
    assert voter.delete(f"{url}vote/").json() == {"votes": 0}
    assert voter.delete(f"{url}vote/").json() == {"votes": 0}
    assert Vote.objects.count() == 0
    assert voter.post(f"{url}vote/").json() == {"votes": 1}

    # Comments: Markdown is rendered, HTML is shown as text, the mention is told.
    comment = voter.post(f"{url}comments/", {"body": f"**Yes** please, @quality.manager {SCRIPT}"})
    assert comment.status_code == 201, comment.content
    assert comment.json()["body"].endswith(SCRIPT) and comment.json()["author"] == colleague.pk
    html = comment.json()["html"]
    assert "<strong>Yes</strong>" in html and "<script" not in html and "&lt;script&gt;" in html
    [listed] = qm.get(f"{url}comments/").json()
    assert listed["html"] == html
    assert quality_manager.notifications.filter(subject__contains="mentioned you on IDEA-0001").exists()
    assert qm.get(url).json()["comments_count"] == 1

    # Accepted with a champion; the submitter (by name) and the watchers hear of it.
    accepted = qm.post(f"{url}advance/", {"to": "accepted", "note": "Worth a trial", "champion": champion.pk})
    assert accepted.status_code == 200, accepted.content
    assert accepted.json()["stage"] == "accepted" and accepted.json()["champion"] == champion.pk
    assert accepted.json()["champion_name"] == "Chris Champion"
    assert employee.notifications.filter(subject__startswith="IDEA-0001 moved to accepted").exists()
    assert champion.notifications.filter(subject__startswith="IDEA-0001 moved to accepted").exists()

    # Plan: the champion writes the notes; Do waits for them.
    assert runner.get(url).json()["missing"]["plan"] == []
    planned = runner.patch(url, {"target_metric": "Mix-ups per month", "baseline": "3", "target": "0"})
    assert planned.status_code == 200, planned.content
    assert planned.json()["target_metric"] == "Mix-ups per month" and planned.json()["baseline"] == "3"
    assert runner.post(f"{url}advance/", {"to": "plan"}).status_code == 200

    # Skipping to Check is refused, and nothing changes.
    changes = StageChange.objects.count()
    skipped = runner.post(f"{url}advance/", {"to": "check"})
    assert skipped.status_code == 400 and "not to check" in skipped.json()["to"][0]
    assert _idea(idea["id"]).stage == "plan" and StageChange.objects.count() == changes
    # A note of another stage is refused too; and the stage is not written by PATCH.
    wrong_stage = runner.patch(url, {"measured_result": "0"})
    assert wrong_stage.status_code == 400 and "measured_result" in wrong_stage.json()
    not_a_note = runner.patch(url, {"stage": "standardized", "title": "Better"})
    assert not_a_note.status_code == 400 and set(not_a_note.json()) == {"stage", "title"}
    assert _idea(idea["id"]).stage == "plan" and _idea(idea["id"]).measured_result == ""

    assert runner.post(f"{url}advance/", {"to": "do"}).status_code == 200
    assert runner.get(url).json()["missing"]["check"] == ["Do: say what was tried."]
    assert runner.patch(url, {"do_notes": "Red labels on line 2 for a month"}).status_code == 200
    assert runner.post(f"{url}advance/", {"to": "check"}).status_code == 200
    assert runner.patch(url, {"measured_result": "0 mix-ups", "check_notes": "One month"}).status_code == 200
    act = runner.post(f"{url}advance/", {"to": "act", "note": "It works"})
    assert act.status_code == 200 and act.json()["stage"] == "act"
    assert act.json()["missing"]["standardized"] == [
        "Act: open a change request on the document to standardise, or say why no document changes.",
        "Record the measured benefit (amount and unit).",
    ]

    # Act: the benefit, and a change request on the document that standardises the idea.
    benefit = runner.patch(url, {"benefit_unit": "defects_avoided", "benefit_amount": "36", "act_notes": "Roll out"})
    assert benefit.status_code == 200, benefit.content
    assert benefit.json()["benefit_unit"] == "defects_avoided" and Decimal(benefit.json()["benefit_amount"]) == 36
    sop = effective.document
    requested = runner.post(f"{url}request-change/", {"document": sop.pk, "reason": "Name the red labels"})
    assert requested.status_code == 200, requested.content
    change = requested.json()["change_request"]
    assert change["document"] == sop.pk and change["document_number"] == sop.number
    assert change["status"] == "open" and change["revision"] is None and change["revision_status"] is None
    again = runner.post(f"{url}request-change/", {"document": sop.pk})
    assert again.status_code == 400 and "already has a change request" in again.json()["detail"]

    # Standardized waits for the change to be effective.
    early = runner.post(f"{url}advance/", {"to": "standardized"})
    assert early.status_code == 400 and "not effective yet" in early.json()["to"][0]
    assert _idea(idea["id"]).stage == "act"
    change_request = ChangeRequest.objects.get(pk=change["id"])
    document_services.change_request_accept(actor=employee, change_request=change_request)
    change_request.refresh_from_db()
    revision = change_request.revision
    document_services.revision_replace_file(
        actor=employee, revision=revision, file=text_file("# Cleaning\n\nRejects get red hold labels.\n")
    )
    assert runner.get(url).json()["change_request"]["revision_status"] == "draft"
    assert runner.get(url).json()["missing"]["standardized"] == ["Act: the document change is not effective yet."]
    make_effective(revision, approver)
    assert runner.get(url).json()["missing"]["standardized"] == []

    done = runner.post(f"{url}advance/", {"to": "standardized", "note": "SOP updated"})
    assert done.status_code == 200, done.content
    body = done.json()
    assert body["stage"] == "standardized" and body["missing"] == {}
    assert body["change_request"]["revision_status"] == "effective"
    # Voting closes once decided.
    closed = voter.post(f"{url}vote/")
    assert closed.status_code == 400 and "Voting is closed" in closed.json()["detail"]

    history = qm.get(f"{url}history/").json()
    reasons = [entry["reason"] for entry in history]
    assert "Submitted" in reasons and "Moved to standardized: SOP updated" in reasons
    assert any(entry["record"].startswith("IDEA-0001: act → standardized") for entry in history)
    assert {entry["user"]["username"] for entry in history if entry["user"]} >= {"plain.employee", "idea.champion"}


def test_standardized_without_a_document_change_needs_a_reason(quality_manager, idea):
    idea = move(idea, quality_manager, "accepted", "plan", "do", "check", "act")
    client, url = api_as(quality_manager), f"/api/v1/ideas/{idea.pk}/"
    client.patch(url, {"benefit_unit": "hours_saved", "benefit_amount": "120"})
    refused = client.post(f"{url}advance/", {"to": "standardized"})
    assert refused.status_code == 400 and "say why no document changes" in refused.json()["to"][0]
    client.patch(url, {"no_document_change_reason": "Labels are a stores supply; no procedure names colours."})
    done = client.post(f"{url}advance/", {"to": "standardized"})
    assert done.status_code == 200 and done.json()["stage"] == "standardized"


def test_a_new_cycle_goes_from_act_back_to_plan(quality_manager, idea):
    idea = move(idea, quality_manager, "accepted", "plan", "do", "check", "act")
    again = api_as(quality_manager).post(f"/api/v1/ideas/{idea.pk}/advance/", {"to": "plan", "note": "Try line 3"})
    assert again.status_code == 200 and again.json()["stage"] == "plan" and again.json()["cycle"] == 2


def test_submitting_with_files_keeps_them_checked_and_downloadable(employee):
    created = api_as(employee).post(
        "/api/v1/ideas/", {**_body(), "anonymous": "false", "files": [_png(), _png("zone.png")]}, format="multipart"
    )
    assert created.status_code == 201, created.content
    first, second = created.json()["attachments"]
    assert first["name"] == "pallets.png" and second["name"] == "zone.png"
    assert first["size"] == len(PNG) and first["sha256"] == hashlib.sha256(PNG).hexdigest()
    assert first["content_type"] == "image/png"
    download = api_as(employee).get(first["download_url"])
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PNG
    assert download["Digest"] == "sha-256=" + base64.b64encode(hashlib.sha256(PNG).digest()).decode()
    assert 'filename="IDEA-0001-pallets.png"' in download["Content-Disposition"]
    other = api_as(employee).get(f"/api/v1/ideas/{created.json()['id']}/attachments/{second['id'] + 100}/")
    assert other.status_code == 404


def test_a_refused_file_is_a_400_and_no_idea_is_written(employee):
    script = SimpleUploadedFile("run.exe", b"MZ\x90\x00" + b"\x00" * 64, content_type="application/octet-stream")
    refused = api_as(employee).post("/api/v1/ideas/", {**_body(), "files": [script]}, format="multipart")
    assert refused.status_code == 400 and "files" in refused.json()
    assert not Idea.objects.exists() and not Attachment.objects.exists()


def test_bad_input_is_a_400_naming_the_field(employee):
    client = api_as(employee)
    assert "title" in client.post("/api/v1/ideas/", _body(title=" ")).json()
    assert "category" in client.post("/api/v1/ideas/", _body(category="luck")).json()
    assert "proposal" in client.post("/api/v1/ideas/", _body(proposal="")).json()
    assert not Idea.objects.exists()


def test_watching_can_be_switched_on_and_off(idea, colleague):
    client, url = api_as(colleague), f"/api/v1/ideas/{idea.pk}/"
    assert client.post(f"{url}watch/").json() == {"watching": True}
    assert client.get(url).json()["watching"] is True
    assert client.delete(f"{url}watch/").json() == {"watching": False}
    assert not Watch.objects.filter(user=colleague).exists()


def test_lists_filter_search_and_order(quality_manager, employee, colleague):
    for title, category in (("Red labels", "quality"), ("Shorter changeover", "time"), ("Fewer forms", "cost")):
        services.idea_submit(actor=employee, title=title, problem="p", proposal=f"{title} now", category=category)
    popular = Idea.objects.get(title="Fewer forms")
    for voter in (colleague, quality_manager):
        services.idea_vote(actor=voter, idea=popular)
    client = api_as(employee)

    def titles(query: str) -> list[str]:
        return [row["title"] for row in client.get(f"/api/v1/ideas/?{query}").json()["results"]]

    assert titles("category=time") == ["Shorter changeover"]
    assert titles("search=changeover") == ["Shorter changeover"]
    assert titles("ordering=-votes")[0] == "Fewer forms"
    assert titles("ordering=created_at") == ["Red labels", "Shorter changeover", "Fewer forms"]
    assert titles("stage=accepted") == []
    services.idea_advance(actor=quality_manager, idea=popular, to="accepted", champion=colleague)
    assert titles(f"champion={colleague.pk}") == ["Fewer forms"]
    assert titles("stage=accepted") == ["Fewer forms"]


# --- Who moves what -------------------------------------------------------------------------------------------------


def test_an_employee_cannot_advance_someone_elses_idea(quality_manager, idea, champion, colleague):
    url = f"/api/v1/ideas/{idea.pk}/"
    assert api_as(colleague).post(f"{url}advance/", {"to": "accepted"}).status_code == 403
    assert api_as(idea.submitter).post(f"{url}advance/", {"to": "accepted"}).status_code == 403
    services.idea_advance(actor=quality_manager, idea=idea, to="accepted", champion=champion)
    for person in (colleague, idea.submitter):
        moved = api_as(person).post(f"{url}advance/", {"to": "plan"})
        assert moved.status_code == 403, moved.content
        assert api_as(person).patch(url, {"plan_notes": "mine now"}).status_code == 403
    assert _idea(idea.pk).stage == "accepted" and _idea(idea.pk).plan_notes == ""
    assert api_as(champion).post(f"{url}advance/", {"to": "plan"}).status_code == 200


@pytest.mark.parametrize("stage", ["rejected", "parked"])
def test_rejecting_or_parking_needs_a_reason_the_submitter_reads(quality_manager, idea, stage):
    client, url = api_as(quality_manager), f"/api/v1/ideas/{idea.pk}/"
    refused = client.post(f"{url}advance/", {"to": stage, "note": "  "})
    assert refused.status_code == 400 and "Say why" in refused.json()["note"][0]
    assert _idea(idea.pk).stage == "submitted"
    decided = client.post(f"{url}advance/", {"to": stage, "note": "Labels are being replaced by RFID next year"})
    assert decided.status_code == 200 and decided.json()["decision_reason"].startswith("Labels are being")
    seen = api_as(idea.submitter).get(url).json()
    assert seen["stage"] == stage and seen["decision_reason"].startswith("Labels are being")
    told = idea.submitter.notifications.get(subject__startswith=f"{idea.reference} moved to {stage}")
    assert "RFID next year" in told.body


def test_an_unknown_stage_is_a_400(quality_manager, idea):
    refused = api_as(quality_manager).post(f"/api/v1/ideas/{idea.pk}/advance/", {"to": "done"})
    assert refused.status_code == 400 and "to" in refused.json()


def test_a_change_may_be_requested_only_on_a_document_one_can_see(quality_manager, idea, champion, sop_type):
    hidden = document_services.document_create(
        actor=quality_manager, document_type=sop_type, title="Secret recipe", owner=quality_manager, restricted=True
    )
    services.idea_advance(actor=quality_manager, idea=idea, to="accepted", champion=champion)
    idea = move(_idea(idea.pk), champion, "plan", "do", "check", "act")
    url = f"/api/v1/ideas/{idea.pk}/"
    refused = api_as(champion).post(f"{url}request-change/", {"document": hidden.pk})
    assert refused.status_code == 400 and "document" in refused.json()
    # A quality manager may change it; the champion, who cannot open it, is not told which document it is.
    assert api_as(quality_manager).post(f"{url}request-change/", {"document": hidden.pk}).status_code == 200
    assert api_as(quality_manager).get(url).json()["change_request"]["document_number"] == hidden.number
    assert api_as(champion).get(url).json()["change_request"] is None


# --- Anonymity ------------------------------------------------------------------------------------------------------


def _names_nobody(payload: Any, author: User) -> None:
    text = json.dumps(payload, ensure_ascii=False)
    for trace in (author.username, author.display_name, author.last_name, str(author.pk), author.email):
        assert trace not in text, f"{trace!r} found in {text}"


def test_an_anonymous_idea_names_its_author_nowhere(quality_manager, colleague):
    # An id long enough that it cannot be mistaken for another number in the answers.
    author = UserFactory(
        id=987654321, username="ada.anonymous", password=PASSWORD, roles=["employee"], first_name="Ada",
        last_name="Lovelace",
    )  # fmt: skip
    client = api_as(author)
    created = client.post("/api/v1/ideas/", {**_body(), "anonymous": "true", "files": [_png()]}, format="multipart")
    assert created.status_code == 201, created.content
    assert created.json()["submitter"] is None and created.json()["submitter_name"] is None
    assert created.json()["anonymous"] is True and created.json()["department"] is None
    _names_nobody(created.json(), author)
    url = f"/api/v1/ideas/{created.json()['id']}/"

    # The idea lives on: votes, comments, a decision.
    api_as(colleague).post(f"{url}vote/")
    api_as(colleague).post(f"{url}comments/", {"body": "Good one, whoever you are"})
    api_as(quality_manager).post(f"{url}advance/", {"to": "accepted", "champion": colleague.pk})
    api_as(quality_manager).post(f"{url}advance/", {"to": "parked", "note": "After the RFID trial"})

    for reader in (quality_manager, colleague, author):
        answers = [
            api_as(reader).get(url).json(),
            api_as(reader).get("/api/v1/ideas/").json(),
            api_as(reader).get(f"{url}history/").json(),
            api_as(reader).get(f"{url}comments/").json(),
            api_as(reader).get("/api/v1/notifications/").json(),
        ]
        for answer in answers:
            _names_nobody(answer, author)

    history = api_as(quality_manager).get(f"{url}history/").json()
    submitted = [entry for entry in history if entry["reason"] in {"Submitted anonymously", "Attached when submitted"}]
    assert len(submitted) == 2 and all(entry["user"] is None for entry in submitted)
    idea = Idea.objects.get()
    assert idea.submitter is None and not idea.history.filter(history_user=author).exists()
    assert not Attachment.history.filter(history_user=author).exists()
    assert not Watch.objects.filter(user=author).exists() and not author.notifications.exists()
    for notification in Notification.objects.all():
        _names_nobody({"subject": notification.subject, "body": notification.body}, author)
    # Their own contribution is not theirs either: the API tells them nothing more than anyone else.
    assert api_as(author).get(url).json() == {**api_as(colleague).get(url).json(), "voted": False, "watching": False}


# --- Ideas from findings and CAPAs ----------------------------------------------------------------------------------


def _finding(audit: Any, lead: Any, type: str) -> Any:
    return audit_services.finding_create(
        actor=lead,
        audit=audit,
        type=type,
        clause=Clause.objects.get(number="8.5.1"),
        statement="Rejected and released pallets look alike",
        evidence="Pallet 14 in the released area",
    )


@pytest.mark.parametrize("path", ["raise-idea"])
def test_an_opportunity_for_improvement_becomes_an_idea_in_one_step(in_progress, lead, path):
    finding = _finding(in_progress, lead, "ofi")
    created = api_as(lead).post(f"/api/v1/findings/{finding.pk}/{path}/")
    assert created.status_code == 201, created.content
    idea = created.json()
    assert idea["source"] == "audit" and idea["finding"] == finding.pk and idea["submitter"] == lead.pk
    assert idea["title"].startswith(finding.reference) and "Pallet 14" in idea["problem"]
    assert api_as(lead).get(f"/api/v1/findings/{finding.pk}/").json()["idea"] == idea["id"]
    twice = api_as(lead).post(f"/api/v1/findings/{finding.pk}/{path}/")
    assert twice.status_code == 400 and "already an idea" in twice.json()["detail"]


def test_a_nonconformity_does_not_become_an_idea(in_progress, lead):
    finding = _finding(in_progress, lead, "minor_nc")
    refused = api_as(lead).post(f"/api/v1/findings/{finding.pk}/raise-idea/")
    assert refused.status_code == 400 and "a nonconformity needs a CAPA" in refused.json()["detail"]
    assert not Idea.objects.exists()


def test_a_finding_of_an_audit_one_cannot_see_is_a_404(in_progress, lead, employee):
    finding = _finding(in_progress, lead, "ofi")
    # The employee works outside the audited department and takes no part in the audit.
    assert api_as(employee).post(f"/api/v1/findings/{finding.pk}/raise-idea/").status_code == 403  # role first
    assert api_as(lead).post("/api/v1/findings/999999/raise-idea/").status_code == 404


@pytest.mark.parametrize("path", ["raise-idea"])
def test_a_capa_spawns_a_preventive_idea(open_capa, employee, path):
    created = api_as(employee).post(
        f"/api/v1/capas/{open_capa.pk}/{path}/", {"title": "Hold areas everywhere", "proposal": "Red zones in stores"}
    )
    assert created.status_code == 201, created.content
    idea = created.json()
    assert (
        idea["source"] == "capa"
        and idea["capa"] == open_capa.pk
        and idea["problem"].startswith(f"From {open_capa.reference}:")
    )
    missing = api_as(employee).post(f"/api/v1/capas/{open_capa.pk}/{path}/", {"title": "No proposal"})
    assert missing.status_code == 400 and "proposal" in missing.json()


def test_only_the_capa_owner_and_quality_managers_spawn_ideas_from_it(open_capa, auditor, quality_manager):
    body = {"title": "Hold areas everywhere", "proposal": "Red zones in stores"}
    assert api_as(auditor).post(f"/api/v1/capas/{open_capa.pk}/raise-idea/", body).status_code == 403
    assert api_as(quality_manager).post(f"/api/v1/capas/{open_capa.pk}/raise-idea/", body).status_code == 201


# --- Query counts ---------------------------------------------------------------------------------------------------


def _ideas_with_everything(count: int, submitter: Any, voter: Any, runner: Any) -> None:
    for number in range(count):
        idea = services.idea_submit(
            actor=submitter,
            title=f"Idea {number}",
            problem="p",
            proposal="q",
            files=[_png()],
            anonymous=bool(number % 2),
        )
        services.idea_vote(actor=voter, idea=idea)
        services.comment_add(actor=voter, idea=idea, body="Yes")
        services.idea_advance(actor=runner, idea=idea, to="accepted", champion=voter)


@pytest.mark.parametrize("rows", [1, 20])
def test_the_idea_list_asks_the_same_number_of_queries_for_any_page(
    rows, quality_manager, employee, colleague, django_assert_num_queries
):
    _ideas_with_everything(rows, employee, colleague, quality_manager)
    reader = User.objects.get(pk=employee.pk)  # a fresh object: its roles are not cached yet
    # Roles, count, page, attachments.
    with django_assert_num_queries(4):
        response = api_as(reader).get("/api/v1/ideas/")
    assert response.status_code == 200 and len(response.json()["results"]) == rows
    assert all(row["votes"] == 1 and row["comments_count"] == 1 for row in response.json()["results"])


# --- Concurrency ----------------------------------------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_simultaneous_votes_by_one_person_count_once(idea, colleague):
    threads, barrier, statuses = 8, threading.Barrier(8), []

    def vote() -> None:
        try:
            client = api_as(colleague)
            barrier.wait(timeout=10)
            statuses.append(client.post(f"/api/v1/ideas/{idea.pk}/vote/").status_code)
        finally:
            connection.close()

    workers = [threading.Thread(target=vote) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=30)
    assert statuses == [200] * threads
    assert Vote.objects.filter(idea=idea, voter=colleague).count() == 1
    assert Watch.objects.filter(idea=idea, user=colleague).count() == 1
    assert api_as(colleague).get(f"/api/v1/ideas/{idea.pk}/").json()["votes"] == 1
