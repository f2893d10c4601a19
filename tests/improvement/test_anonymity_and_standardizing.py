"""An anonymous idea stores no submitter anywhere (record, history, attachments, notifications), and an idea reaches
standardized through a document change that became effective."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from documents import services as document_services
from improvement import services
from improvement.models import Idea
from qms.errors import DomainError
from qms.models import Notification
from tests.conftest import PASSWORD
from tests.documents.conftest import text_file
from tests.improvement.conftest import move

pytestmark = pytest.mark.django_db


def test_an_anonymous_idea_names_nobody_anywhere(employee, quality_manager):
    photo = SimpleUploadedFile("forklift.txt", b"Forklift blind spot at gate 3\n", content_type="text/plain")
    idea = services.idea_submit(
        actor=employee,
        title="Mirror at gate 3",
        problem="Forklifts cannot see walkers",
        proposal="Convex mirror",
        category=Idea.Category.SAFETY,
        anonymous=True,
        files=[photo],
    )
    idea.refresh_from_db()
    assert (idea.submitter, idea.anonymous, idea.department) == (None, True, None)
    assert not idea.watches.exists()
    for row in [*idea.history.all(), *idea.attachments.get().history.all()]:
        assert row.history_user_id is None
    assert not Notification.objects.filter(recipient=employee).exists()
    told = Notification.objects.get(recipient=quality_manager)
    for trace in (employee.username, employee.display_name, employee.email):
        assert trace not in f"{told.subject} {told.body}"

    move(idea, quality_manager, "accepted")
    assert not Notification.objects.filter(recipient=employee).exists(), "nobody to tell, and nobody is guessed"


def test_anonymous_ideas_cannot_come_from_audits_or_capas(employee, open_capa):
    with pytest.raises(DomainError, match="not anonymous"):
        services.idea_submit(actor=employee, title="t", problem="p", proposal="q", anonymous=True, capa=open_capa)


def test_an_idea_is_standardized_once_its_document_change_is_effective(
    idea, quality_manager, employee, effective, approver
):
    sop = effective.document
    idea = move(idea, quality_manager, "accepted", "plan", "do", "check")
    with pytest.raises(DomainError, match="requested in Act"):
        services.idea_request_document_change(actor=quality_manager, idea=idea, document=sop)
    idea = move(idea, quality_manager, "act")
    idea = services.idea_request_document_change(
        actor=quality_manager, idea=idea, document=sop, reason="Red hold labels"
    )
    change_request = idea.change_request
    assert change_request.reason == f"{idea.reference}: Red hold labels"
    with pytest.raises(DomainError, match="already has a change request"):
        services.idea_request_document_change(actor=quality_manager, idea=idea, document=sop)
    services.idea_update_notes(actor=quality_manager, idea=idea, benefit_unit="hours_saved", benefit_amount=12)
    with pytest.raises(DomainError, match="document change is not effective yet"):
        services.idea_advance(actor=quality_manager, idea=idea, to="standardized")

    document_services.change_request_accept(actor=employee, change_request=change_request)
    change_request.refresh_from_db()
    revision = change_request.revision
    document_services.revision_replace_file(actor=employee, revision=revision, file=text_file("# Red labels\n"))
    document_services.revision_submit(actor=employee, revision=revision, approvers=[approver])
    document_services.revision_approve(actor=approver, revision=revision, password=PASSWORD)
    assert idea.champion.notifications.filter(subject=f"{idea.reference}: the document change is effective").exists()
    idea = services.idea_advance(actor=quality_manager, idea=idea, to="standardized", note="In the SOP now")
    assert idea.stage == Idea.Stage.STANDARDIZED


def test_an_anonymous_quality_manager_is_told_like_every_other_one(quality_manager):
    services.idea_submit(actor=quality_manager, title="t", problem="p", proposal="q", anonymous=True)
    assert quality_manager.notifications.filter(subject__startswith="New idea").exists()


def test_mentions_ending_a_sentence_still_notify(idea, auditor, quality_manager):
    services.comment_add(actor=auditor, idea=idea, body=f"Agreed, thanks @{quality_manager.username}.")
    assert quality_manager.notifications.filter(subject__endswith="mentioned you on IDEA-0001").exists()


def test_external_auditors_neither_vote_nor_comment(idea, external_auditor):
    from qms.errors import NotAllowed

    with pytest.raises(NotAllowed):
        services.idea_vote(actor=external_auditor, idea=idea)
    with pytest.raises(NotAllowed):
        services.comment_add(actor=external_auditor, idea=idea, body="Nice")


def _photo_with_gps() -> bytes:
    from PIL import Image

    image = Image.new("RGB", (40, 30), "red")
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0110] = "Jane's phone"  # Model
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif)
    return buffer.getvalue()


def test_an_anonymous_photo_loses_its_metadata_and_its_name(employee):
    from PIL import Image

    photo = SimpleUploadedFile("IMG_jane_smith.jpg", _photo_with_gps(), content_type="image/jpeg")
    idea = services.idea_submit(actor=employee, title="Gate", problem="p", proposal="q", anonymous=True, files=[photo])
    attachment = idea.attachments.get()
    assert attachment.original_filename == "attachment-1.jpg"
    with attachment.file.open("rb") as stored, Image.open(stored) as image:
        assert image.size == (40, 30)
        assert not image.getexif()


def test_an_anonymous_idea_refuses_documents_that_name_their_author(employee):
    pdf = SimpleUploadedFile("proposal.pdf", b"%PDF-1.4\n1 0 obj<</Author(Jane)>>endobj\n%%EOF\n")
    with pytest.raises(DomainError, match="names its author") as refused:
        services.idea_submit(actor=employee, title="t", problem="p", proposal="q", anonymous=True, files=[pdf])
    assert refused.value.field == "files"
    assert not Idea.objects.exists()


def test_an_unreadable_picture_is_refused_for_an_anonymous_idea(employee):
    fake = SimpleUploadedFile("gate.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, content_type="image/png")
    with pytest.raises(DomainError, match="could not be read as a picture"):
        services.idea_submit(actor=employee, title="t", problem="p", proposal="q", anonymous=True, files=[fake])
