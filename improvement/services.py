"""Every write to improvement ideas: submit, vote, comment, watch, move through PDCA, standardise.

The PDCA rules live in `Idea.blockers_for` and `Idea.may_move`; the functions here lock the row, ask them, and refuse
with their words. An anonymous idea is written with no actor at all, so neither the record nor its history nor any
notification can name the submitter.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from contextlib import ExitStack
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import Truncator
from PIL import Image, ImageOps, UnidentifiedImageError

from audits.models import Finding
from capa.models import Capa
from documents import services as document_services
from documents.models import Document
from improvement.models import Attachment, Comment, Idea, StageChange, Vote, Watch
from qms import sequences
from qms.errors import ConflictError, DomainError, NotAllowed
from qms.history import stamp
from qms.models import Department, User
from qms.roles import Role
from qms.selectors import holders_of
from qms.services import notify
from qms.uploads import CSV, JPEG, MARKDOWN, PLAIN_TEXT, PNG, WEBP, CheckedUpload, inspect_upload, stored_upload

ATTACHMENT_FOLDER = "idea-attachments"
PARTICIPANTS = (Role.EMPLOYEE, Role.AUDITOR, Role.QUALITY_MANAGER)
# A username may hold dots inside, never at the end: "thanks @prod.lead." names prod.lead.
MENTION = re.compile(r"(?<![\w@])@([\w.+-]*[\w+-])")
# The notes a stage writes, and so the fields `idea_update_notes` may change while the idea is in that stage.
STAGE_FIELDS: dict[str, tuple[str, ...]] = {
    "accepted": ("target_metric", "baseline", "target", "plan_notes"),
    "plan": ("target_metric", "baseline", "target", "plan_notes"),
    "do": ("do_notes",),
    "check": ("measured_result", "check_notes"),
    "act": ("act_notes", "no_document_change_reason", "benefit_unit", "benefit_amount", "benefit_notes"),
}


def _watch(idea: Idea, user: User | None) -> None:
    if user is not None and user.is_active:
        Watch.objects.get_or_create(idea=idea, user=user)


# --- Submitting -----------------------------------------------------------------------------------------------------


def idea_submit(
    *,
    actor: User,
    title: str,
    problem: str,
    proposal: str,
    category: str = Idea.Category.QUALITY,
    expected_benefit: str = "",
    department: Department | None = None,
    anonymous: bool = False,
    files: Sequence[UploadedFile] = (),
    source: str = Idea.Source.EMPLOYEE,
    finding: Finding | None = None,
    capa: Capa | None = None,
) -> Idea:
    """Anyone submits an idea in a minute. Anonymous: no submitter is stored, and the history rows name nobody."""
    if not actor.has_role(*PARTICIPANTS):
        raise NotAllowed("Employees, auditors and quality managers submit ideas.")
    if not title.strip():
        raise DomainError("Give the idea a short title.", field="title")
    if not proposal.strip():
        raise DomainError("Say what you suggest.", field="proposal")
    if anonymous and (finding is not None or capa is not None):
        raise DomainError("An idea from an audit or a CAPA is not anonymous.", field="anonymous")
    checked = [(file, inspect_upload(file)) for file in files]
    if anonymous:
        checked = [_anonymised(number, file, check) for number, (file, check) in enumerate(checked, start=1)]
    submitter = None if anonymous else actor
    with ExitStack() as stack:
        names = [stack.enter_context(stored_upload(f, c, folder=ATTACHMENT_FOLDER)) for f, c in checked]
        with transaction.atomic():
            idea = Idea(
                reference=f"IDEA-{sequences.next_value('idea'):04d}",
                title=title.strip(),
                problem=problem,
                proposal=proposal,
                expected_benefit=expected_benefit,
                category=category,
                department=department if department is not None else (None if anonymous else actor.department),
                submitter=submitter,
                anonymous=anonymous,
                source=source,
                finding=finding,
                capa=capa,
            )
            stamp(idea, actor=submitter, reason="Submitted anonymously" if anonymous else "Submitted")
            idea.save()
            for (_file, check), name in zip(checked, names, strict=True):
                attachment = Attachment(
                    idea=idea,
                    file=name,
                    original_filename=check.original_name,
                    sha256=check.sha256,
                    size=check.size,
                    content_type=check.content_type,
                )
                stamp(attachment, actor=submitter, reason="Attached when submitted")
                attachment.save()
            _watch(idea, submitter)
            managers = holders_of(Role.QUALITY_MANAGER)
            notify(
                # An anonymous quality manager is told like every other one: leaving them out would name them.
                recipients=managers if anonymous else managers.exclude(pk=actor.pk),
                kind="generic",
                subject=f"New idea {idea.reference}: {idea.title}",
                context={"message": f"{idea.problem}\n\nProposal: {idea.proposal}"},
                url=idea.get_absolute_url(),
            )
    return idea


# What an anonymous idea may carry: photos (stored again without their metadata: a phone writes its model, the time
# and the place into them) and plain texts. Office files and PDFs name their author in their properties.
_ANONYMOUS_IMAGES = {PNG: "PNG", JPEG: "JPEG", WEBP: "WEBP"}
_ANONYMOUS_TEXTS = {PLAIN_TEXT, MARKDOWN, CSV}


def _anonymised(number: int, file: UploadedFile, check: CheckedUpload) -> tuple[UploadedFile, CheckedUpload]:
    """The file as an anonymous idea keeps it: a neutral name, and for photos only the pixels."""
    name = f"attachment-{number}{check.extension}"
    if check.content_type in _ANONYMOUS_TEXTS:
        file.seek(0)
        clean = SimpleUploadedFile(name, file.read(), content_type=check.content_type)
    elif check.content_type in _ANONYMOUS_IMAGES:
        file.seek(0)
        buffer = io.BytesIO()
        try:
            with Image.open(file) as image:
                upright = ImageOps.exif_transpose(image)  # keep the photo the right way up once its EXIF is gone
                # Pillow writes EXIF, XMP and text chunks only when asked to: saving without them drops them all.
                upright.save(buffer, format=_ANONYMOUS_IMAGES[check.content_type])
        except (UnidentifiedImageError, Image.DecompressionBombError, OSError, ValueError) as error:
            raise DomainError(f"{check.original_name} could not be read as a picture.", field="files") from error
        clean = SimpleUploadedFile(name, buffer.getvalue(), content_type=check.content_type)
    else:
        raise DomainError(
            "A document names its author in its properties. Attach a photo or a text file, or submit with your name.",
            field="files",
        )
    return clean, inspect_upload(clean)


def idea_from_finding(*, actor: User, finding: Finding) -> Idea:
    """An audit's opportunity for improvement or observation becomes an idea in one step, linked to the finding."""
    if not (actor.has_role(Role.QUALITY_MANAGER) or finding.audit.is_auditor(actor)):
        raise NotAllowed("Quality managers and the audit's auditors turn its findings into ideas.")
    if finding.type not in {Finding.Type.OFI, Finding.Type.OBSERVATION}:
        raise DomainError(
            "Only opportunities for improvement and observations become ideas; a nonconformity needs a CAPA."
        )
    with transaction.atomic():
        # Locked, so that two people turning the same finding into an idea at once make one idea, not two.
        Finding.objects.select_for_update().get(pk=finding.pk)
        if Idea.objects.filter(finding=finding).exists():
            raise DomainError(f"{finding.reference} is already an idea.")
        return _submit_from_finding(actor, finding)


def _submit_from_finding(actor: User, finding: Finding) -> Idea:
    return idea_submit(
        actor=actor,
        title=f"{finding.reference}: {Truncator(finding.statement).chars(150)}",
        problem=finding.statement + (f"\n\nEvidence: {finding.evidence}" if finding.evidence else ""),
        proposal=finding.requirement or "To be worked out by the champion.",
        department=finding.department,
        source=Idea.Source.AUDIT,
        finding=finding,
    )


def idea_from_capa(*, actor: User, capa: Capa, title: str, proposal: str) -> Idea:
    """A CAPA spawns a preventive idea: the same cause, prevented elsewhere."""
    if not capa.is_managed_by(actor):
        raise NotAllowed("The CAPA's owner and quality managers spawn ideas from it.")
    return idea_submit(
        actor=actor,
        title=title,
        problem=f"From {capa.reference}: {capa.root_cause or capa.problem}",
        proposal=proposal,
        department=capa.department,
        source=Idea.Source.CAPA,
        capa=capa,
    )


# --- Bringing in an earlier system's backlog ------------------------------------------------------------------------

IMPORTED_REFERENCE_LENGTH = Idea._meta.get_field("imported_reference").max_length or 50


def idea_import(
    *,
    actor: User,
    imported_reference: str,
    origin: str,
    title: str,
    problem: str,
    proposal: str,
    stage: str = Idea.Stage.SUBMITTED,
    category: str = Idea.Category.QUALITY,
    expected_benefit: str = "",
    department: Department | None = None,
    submitter: User | None = None,
    submitted_on: date | None = None,
    champion: User | None = None,
    decision_reason: str = "",
    target_metric: str = "",
    baseline: str = "",
    target: str = "",
    do_notes: str = "",
    measured_result: str = "",
) -> Idea:
    """Bring in an idea of an earlier system's backlog at the stage it has there.

    It is numbered here (IDEA-0032) and keeps its reference there (`imported_reference`), by which a second import
    recognises it. It must hold what each move to its stage asks for here (`Idea.blockers_to_start_in`), so it goes
    on like any other idea. With no submitter it comes in anonymous: nobody is stored. Its history names the quality
    manager who imported it and `origin` (the list and line): an import, not a submission, so an anonymous idea's
    history still names no submitter. Nobody is notified, as a backlog moving in is not news; the submitter watches
    it from now on, as after submitting.
    """
    if not actor.has_role(Role.QUALITY_MANAGER):
        raise NotAllowed("Only a quality manager may import ideas.")
    if not imported_reference.strip() or len(imported_reference) > IMPORTED_REFERENCE_LENGTH:
        raise DomainError(
            f"Give the idea's reference in the earlier system ({IMPORTED_REFERENCE_LENGTH} characters at most).",
            field="imported_reference",
        )
    if not title.strip():
        raise DomainError("Give the idea a short title.", field="title")
    if not proposal.strip():
        raise DomainError("Say what you suggest.", field="proposal")
    if category not in Idea.Category.values:
        raise DomainError(f"Unknown category {category!r}.", field="category")
    if submitted_on is not None and submitted_on > timezone.localdate():
        raise DomainError("The day it was submitted is later than today.", field="submitted_on")
    if champion is not None and not champion.is_active:
        raise DomainError(f"{champion.display_name} can no longer sign in.", field="champion")
    now = timezone.now()
    submitted_at = timezone.make_aware(datetime.combine(submitted_on, time.min)) if submitted_on else now
    idea = Idea(
        reference=imported_reference,  # what the rules' messages call it, until it is numbered here
        imported_reference=imported_reference,
        title=title.strip(),
        problem=problem,
        proposal=proposal,
        expected_benefit=expected_benefit,
        category=category,
        department=department,
        submitter=submitter,
        anonymous=submitter is None,
        stage=stage,
        champion=champion,
        decision_reason=decision_reason,
        target_metric=target_metric,
        baseline=baseline,
        target=target,
        do_notes=do_notes,
        measured_result=measured_result,
        created_at=submitted_at,
        # When it reached its stage there is not known; "since it came in" is the honest answer beyond submitted.
        stage_changed_at=submitted_at if stage == Idea.Stage.SUBMITTED else now,
    )
    blockers = idea.blockers_to_start_in(stage)
    if blockers:
        raise DomainError(f"{imported_reference} cannot come in as {stage}: {' '.join(blockers)}", field="stage")
    with transaction.atomic():
        if Idea.objects.filter(imported_reference__iexact=imported_reference).exists():
            raise ConflictError(f"{imported_reference} was imported before.")
        idea.reference = f"IDEA-{sequences.next_value('idea'):04d}"
        stamp(idea, actor=actor, reason=f"Imported from {origin}")
        idea.save()
        _watch(idea, submitter)
    return idea


# --- Votes, comments, watching ---------------------------------------------------------------------------------------


def _check_takes_part(actor: User) -> None:
    if not actor.has_role(*PARTICIPANTS):
        raise NotAllowed("Employees, auditors and quality managers vote and comment on ideas.")


def idea_vote(*, actor: User, idea: Idea) -> int:
    """Vote for an idea; voting twice counts once, even when two requests arrive together. Returns the votes."""
    _check_takes_part(actor)
    if not idea.is_open:
        raise DomainError(f"Voting is closed: the idea is {idea.get_stage_display().lower()}.")
    if not Vote.objects.filter(idea=idea, voter=actor).exists():
        try:
            with transaction.atomic():
                vote = Vote(idea=idea, voter=actor)
                stamp(vote, actor=actor, reason="Voted")
                vote.save()
                _watch(idea, actor)
        except IntegrityError:
            pass  # the same person's concurrent request won the race: their vote is there once
    return idea.votes.count()


def idea_unvote(*, actor: User, idea: Idea) -> int:
    _check_takes_part(actor)
    if not idea.is_open:
        raise DomainError(f"Votes are final once the idea is {idea.get_stage_display().lower()}.")
    with transaction.atomic():
        for vote in Vote.objects.filter(idea=idea, voter=actor):
            stamp(vote, actor=actor, reason="Vote withdrawn")
            vote.delete()
    return idea.votes.count()


def comment_add(*, actor: User, idea: Idea, body: str) -> Comment:
    """Comment on an idea. @username mentions notify those people; watchers are told too."""
    _check_takes_part(actor)
    if not body.strip():
        raise DomainError("Write something.", field="body")
    if len(body) > 10_000:
        raise DomainError("Keep a comment under 10,000 characters.", field="body")
    with transaction.atomic():
        comment = Comment(idea=idea, author=actor, body=body)
        stamp(comment, actor=actor, reason="Comment added")
        comment.save()
        mentioned = set(User.objects.filter(username__in=MENTION.findall(body), is_active=True).exclude(pk=actor.pk))
        notify(
            recipients=mentioned,
            kind="generic",
            subject=f"{actor.display_name} mentioned you on {idea.reference}",
            context={"message": body},
            url=idea.get_absolute_url() + f"#comment-{comment.pk}",
        )
        watchers = {w.user for w in idea.watches.select_related("user")} - mentioned - {actor}
        notify(
            recipients=watchers,
            kind="generic",
            subject=f"New comment on {idea.reference}: {idea.title}",
            context={"message": body},
            url=idea.get_absolute_url() + f"#comment-{comment.pk}",
        )
        _watch(idea, actor)
    return comment


def idea_watch(*, actor: User, idea: Idea, watching: bool) -> bool:
    _check_takes_part(actor)
    with transaction.atomic():
        if watching:
            _watch(idea, actor)
        else:
            Watch.objects.filter(idea=idea, user=actor).delete()
    return watching


# --- PDCA -----------------------------------------------------------------------------------------------------------


def _locked(idea: Idea) -> Idea:
    return Idea.objects.select_for_update().get(pk=idea.pk)


def idea_update_notes(*, actor: User, idea: Idea, **notes: Any) -> Idea:
    """Write the notes of the idea's current stage (Plan's metric and baseline, Do's trial, Check's result …)."""
    with transaction.atomic():
        idea = _locked(idea)
        if not idea.is_run_by(actor):
            raise NotAllowed("The idea's champion and quality managers write its PDCA notes.")
        allowed = STAGE_FIELDS.get(idea.stage, ())
        refused = sorted(set(notes) - set(allowed))
        if refused:
            raise DomainError(
                f"In {idea.get_stage_display().lower()} these notes cannot be written: {', '.join(refused)}.",
                field=refused[0],
            )
        if "benefit_unit" in notes and notes["benefit_unit"] not in ["", *Idea.BenefitUnit.values]:
            raise DomainError("Choose a unit for the benefit.", field="benefit_unit")
        amount = notes.get("benefit_amount")
        if amount is not None and Decimal(amount) < 0:
            raise DomainError("A benefit is not negative.", field="benefit_amount")
        changed = {name: value for name, value in notes.items() if getattr(idea, name) != value}
        if not changed:
            return idea
        for name, value in changed.items():
            setattr(idea, name, value)
        stamp(idea, actor=actor, reason=f"{idea.get_stage_display()} notes updated")
        idea.save()
    return idea


def idea_advance(*, actor: User, idea: Idea, to: str, note: str = "", champion: User | None = None) -> Idea:
    """Move an idea: accept (a champion is assigned, the acting user by default), through Plan-Do-Check-Act, to
    standardized, or back to Plan for a new cycle; reject or park with a reason the submitter sees."""
    with transaction.atomic():
        idea = _locked(idea)
        if to not in Idea.Stage.values:
            raise DomainError(f"There is no stage {to!r}.", field="to")
        if not idea.may_move(actor, to):
            raise NotAllowed(
                "Quality managers accept, reject and park ideas; the champion and quality managers move them on."
            )
        blockers = idea.blockers_for(to)
        if blockers:
            raise DomainError(" ".join(blockers), field="to")
        if to in {Idea.Stage.REJECTED, Idea.Stage.PARKED}:
            if not note.strip():
                raise DomainError("Say why: the submitter will read it.", field="note")
            idea.decision_reason = note
        if to == Idea.Stage.ACCEPTED:
            champion = champion or actor
            if not champion.is_active:
                raise DomainError(f"{champion.display_name} can no longer sign in.", field="champion")
            idea.champion = champion
        previous = idea.stage
        if previous == Idea.Stage.ACT and to == Idea.Stage.PLAN:
            idea.cycle += 1
        idea.stage = to
        idea.stage_changed_at = timezone.now()
        stamp(idea, actor=actor, reason=_move_reason(previous, to, note))
        idea.save()
        change = StageChange(idea=idea, from_stage=previous, to_stage=to, cycle=idea.cycle, note=note, actor=actor)
        stamp(change, actor=actor, reason="Stage changed")
        change.save()
        _tell_about_move(idea, actor=actor, previous=previous, note=note)
    return idea


def _move_reason(previous: str, to: str, note: str) -> str:
    if previous == Idea.Stage.ACT and to == Idea.Stage.PLAN:
        reason = "New PDCA cycle started"
    else:
        reason = f"Moved to {Idea.Stage(to).label.lower()}"
    return f"{reason}: {note}" if note.strip() else reason


def _tell_about_move(idea: Idea, *, actor: User, previous: str, note: str) -> None:
    """The submitter (unless anonymous), the champion and the watchers hear of every move."""
    recipients = {w.user for w in idea.watches.select_related("user")}
    if idea.submitter is not None:
        recipients.add(idea.submitter)
    if idea.champion is not None:
        recipients.add(idea.champion)
    recipients.discard(actor)
    stage = idea.get_stage_display()
    reason = f"\n\nWhy: {note}" if note.strip() and idea.stage in {"rejected", "parked"} else ""
    notify(
        recipients=recipients,
        kind="generic",
        subject=f"{idea.reference} moved to {stage.lower()}: {idea.title}",
        context={"message": f"{actor.display_name} moved it from {Idea.Stage(previous).label} to {stage}.{reason}"},
        url=idea.get_absolute_url(),
    )


def idea_request_document_change(*, actor: User, idea: Idea, document: Document, reason: str = "") -> Idea:
    """In Act, standardise through a controlled document: a change request opens on it, linked to the idea; the idea
    reaches standardized once the new revision is effective."""
    with transaction.atomic():
        idea = _locked(idea)
        if not idea.is_run_by(actor):
            raise NotAllowed("The idea's champion and quality managers standardise it.")
        if idea.stage != Idea.Stage.ACT:
            raise DomainError("A document change is requested in Act, once the check showed the idea works.")
        if idea.change_request is not None:
            raise DomainError(f"{idea.reference} already has a change request on {idea.change_request.document}.")
        idea.change_request = document_services.change_request_create(
            actor=actor, document=document, reason=f"{idea.reference}: {reason or idea.proposal}"
        )
        stamp(idea, actor=actor, reason=f"Change requested on {document.number}")
        idea.save()
    return idea


def ideas_told_change_effective(revision: Any) -> int:
    """A revision became effective: the champions of ideas whose change request it answers are told that the idea
    can now be standardized (with its measured benefit). Runs in the transaction that made the revision effective."""
    ideas = Idea.objects.filter(change_request__revision=revision, stage=Idea.Stage.ACT).select_related("champion")
    for idea in ideas:
        notify(
            recipients=[person for person in (idea.champion, idea.submitter) if person is not None],
            kind="generic",
            subject=f"{idea.reference}: the document change is effective",
            context={
                "message": f"{revision.document.number} revision {revision.revision} is in force. Record the measured "
                "benefit and move the idea to standardized."
            },
            url=idea.get_absolute_url(),
        )
    return len(ideas)
