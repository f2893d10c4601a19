"""Every write to controlled documents: one function per state change, each in a transaction, recorded in history.

Signing actions check the password first, outside the transaction (see `qms.signatures`), so a wrong password is
logged and counted even though nothing else is written.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from typing import Any

from django.contrib.auth.models import Group
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from documents.models import (
    Acknowledgement,
    Approval,
    ChangeRequest,
    Document,
    DocumentType,
    PeriodicReview,
    ReviewReminder,
    Revision,
    add_months,
)
from documents.search import search_text_for
from documents.selectors import distribution_users
from documents.signals import revision_became_effective
from qms import sequences
from qms.errors import ConflictError, DomainError, NotAllowed
from qms.history import stamp
from qms.models import Clause, Department, Signature, User
from qms.services import notify
from qms.signatures import record_signature, verify_signer
from qms.text_extraction import extract_text
from qms.uploads import inspect_upload, stored_upload

REVISION_FOLDER = "revisions"
# A number kept from an earlier system: the type's code, a hyphen and digits (SOP-12, SOP-0120).
IMPORTED_NUMBER = re.compile(r"[A-Z][A-Z0-9]{0,9}-\d{1,9}")
REVIEW_REMINDER_DAYS = 30


# --- Documents ---------------------------------------------------------------------------------------------------


def document_create(
    *,
    actor: User,
    document_type: DocumentType,
    title: str,
    owner: User,
    department: Department | None = None,
    clauses: Iterable[Clause] = (),
    distribution_departments: Iterable[Department] = (),
    distribution_roles: Iterable[Group] = (),
    restricted: bool = False,
    review_period_months: int | None = None,
) -> Document:
    """Register a new document under the next number of its type (SOP-0007); it stays a draft until a revision
    becomes effective."""
    if not document_type.is_active:
        raise DomainError(f"Documents of type {document_type.code} are no longer created.", field="document_type")
    with transaction.atomic():
        sequence = sequences.next_value(f"document:{document_type.code}")
        document = Document(
            number=f"{document_type.code}-{sequence:04d}",
            document_type=document_type,
            title=title,
            owner=owner,
            department=department,
            restricted=restricted,
            review_period_months=review_period_months or document_type.default_review_period_months,
        )
        document.search_text = search_text_for(document, "")
        stamp(document, actor=actor, reason="Document registered")
        document.save()
        _set_links(document, clauses, distribution_departments, distribution_roles, actor=actor)
    return document


def document_update(
    *,
    actor: User,
    document: Document,
    reason: str,
    clauses: Iterable[Clause] | None = None,
    distribution_departments: Iterable[Department] | None = None,
    distribution_roles: Iterable[Group] | None = None,
    **fields: Any,
) -> Document:
    """Change a document's metadata. Only its managers may; only quality managers hand it to another owner."""
    allowed = {"title", "owner", "department", "restricted", "review_period_months"}
    if set(fields) - allowed:
        raise ValueError(f"document_update cannot change {', '.join(sorted(set(fields) - allowed))}.")
    with transaction.atomic():
        document = Document.objects.select_for_update().get(pk=document.pk)
        if not document.is_managed_by(actor):
            raise NotAllowed("Only the document's owner or a quality manager may change it.")
        if "owner" in fields and fields["owner"] != document.owner and not actor.has_role("quality_manager"):
            raise NotAllowed("Only a quality manager may give a document to another owner.", field="owner")
        for name, value in fields.items():
            setattr(document, name, value)
        effective_text = document.revisions.filter(status=Revision.Status.EFFECTIVE).values_list(
            "extracted_text", flat=True
        )
        document.search_text = search_text_for(document, effective_text.first() or "")
        if "review_period_months" in fields and document.status == Document.Status.EFFECTIVE:
            effective = document.revisions.get(status=Revision.Status.EFFECTIVE)
            start = _last_review_or_effective_date(document, effective)
            document.next_review_due = add_months(start, document.review_period_months)
        stamp(document, actor=actor, reason=reason)
        document.save()
        _set_links(document, clauses, distribution_departments, distribution_roles, actor=actor)
    return document


def _set_links(
    document: Document,
    clauses: Iterable[Clause] | None,
    departments: Iterable[Department] | None,
    roles: Iterable[Group] | None,
    *,
    actor: User,
) -> None:
    for relation, values in (
        (document.clauses, clauses),
        (document.distribution_departments, departments),
        (document.distribution_roles, roles),
    ):
        if values is None:
            continue
        wanted = {value.pk for value in values}
        if wanted != set(relation.values_list("pk", flat=True)):
            stamp(document, actor=actor, reason=getattr(document, "_change_reason", "Links changed"))
            relation.set(list(values))  # type: ignore[arg-type]  # each relation gets its own kind of values


def document_retire(*, actor: User, document: Document, password: str, comment: str, ip: str | None = None) -> Document:
    """Withdraw a document from use: its effective revision becomes obsolete. Signed by a quality manager."""
    if not comment.strip():
        raise DomainError("Say why the document is retired.", field="comment")
    signer = verify_signer(
        user=actor, password=password, meaning=Signature.Meaning.CLOSED, record=document, ip_address=ip
    )
    with transaction.atomic():
        document = Document.objects.select_for_update().get(pk=document.pk)
        if not actor.has_role("quality_manager"):
            raise NotAllowed("Only a quality manager can retire a document.")
        if not document.can_retire(actor):
            raise DomainError(
                f"Only an effective document can be retired; this one is {document.get_status_display().lower()}."
            )
        effective = document.revisions.select_for_update().get(status=Revision.Status.EFFECTIVE)
        now = timezone.now()
        effective.status = Revision.Status.OBSOLETE
        effective.ended_at = now
        effective.end_reason = comment
        stamp(effective, actor=actor, reason=f"Retired: {comment}")
        effective.save()
        for in_progress in document.revisions.select_for_update().filter(status__in=Revision.IN_PROGRESS):
            _end_revision(in_progress, status=Revision.Status.WITHDRAWN, actor=actor, reason="Document retired")
        document.status = Document.Status.OBSOLETE
        document.next_review_due = None
        stamp(document, actor=actor, reason=f"Retired: {comment}")
        document.save()
        record_signature(
            signer, meaning=Signature.Meaning.CLOSED, record=document, content_sha256=effective.sha256, comment=comment
        )
    return document


def document_import(
    *,
    actor: User,
    number: str,
    document_type: DocumentType,
    title: str,
    owner: User,
    department: Department | None,
    clauses: Iterable[Clause],
    review_period_months: int | None,
    revision_number: int,
    effective_date: date,
    file: UploadedFile,
    approved_outside_by: str,
    source: str,
) -> Revision:
    """Bring in a document that was controlled in an earlier system, in force at the revision it had there; returns
    its revision (`revision.document` is the document).

    It keeps its number (the type's sequence goes on after it) and its revision number. Its revision is recorded as
    imported (who imported it and when are its history; `imported_from` says from which list, line and file; the
    file's SHA-256 is kept as for any revision), and is neither approved nor signed by anyone here: the people who
    approved it in the earlier system are kept as the master list gave them (`approved_outside_by`).
    """
    if not actor.has_role("quality_manager"):
        raise NotAllowed("Only a quality manager may import documents.")
    if not IMPORTED_NUMBER.fullmatch(number) or not number.startswith(f"{document_type.code}-"):
        raise DomainError(f"The number must be {document_type.code}- followed by digits.", field="number")
    if revision_number < 1:
        raise DomainError("The revision must be a whole number of 1 or more.", field="revision")
    if effective_date > timezone.localdate():
        raise DomainError("Only documents already in force are imported; the effective date is later than today.")
    checked = inspect_upload(file)
    text = _text_of(file, checked.content_type)
    summary = "Imported from an earlier system"
    reason = f"Imported from {source}"
    with stored_upload(file, checked, folder=REVISION_FOLDER) as stored_name, transaction.atomic():
        if Document.objects.filter(number=number).exists():
            raise ConflictError(f"{number} is already a document here.")
        sequences.at_least(f"document:{document_type.code}", int(number.rsplit("-", 1)[1]))
        period = review_period_months or document_type.default_review_period_months
        document = Document(
            number=number,
            document_type=document_type,
            title=title,
            owner=owner,
            department=department,
            review_period_months=period,
            status=Document.Status.EFFECTIVE,
            next_review_due=add_months(effective_date, period),
        )
        document.search_text = search_text_for(document, text)
        stamp(document, actor=actor, reason=reason)
        document.save()
        _set_links(document, clauses, None, None, actor=actor)
        in_force_since = timezone.make_aware(datetime.combine(effective_date, time.min))
        revision = Revision(
            document=document,
            revision=revision_number,
            file=stored_name,
            original_filename=checked.original_name,
            sha256=checked.sha256,
            size=checked.size,
            content_type=checked.content_type,
            extracted_text=text,
            change_summary=summary,
            author=owner,  # the earlier system's author is not known; the owner answers for the content
            status=Revision.Status.EFFECTIVE,
            effective_date=effective_date,
            effective_at=in_force_since,
            imported_from=source,
            approved_outside_by=approved_outside_by,
        )
        stamp(revision, actor=actor, reason=f"{reason}; file SHA-256 {checked.sha256}")
        revision.save()
    return revision


# --- Revisions ---------------------------------------------------------------------------------------------------


def revision_create(
    *,
    actor: User,
    document: Document,
    file: UploadedFile,
    change_summary: str,
    change_request: ChangeRequest | None = None,
) -> Revision:
    """Upload a new draft revision. The file is checked by content, stored under a generated name, and removed again
    if the revision cannot be saved."""
    if not change_summary.strip():
        raise DomainError("Describe what changes in this revision.", field="change_summary")
    if not document.is_managed_by(actor):
        raise NotAllowed("Only the document's owner or a quality manager may add a revision to it.")
    if not document.can_start_revision(actor):
        raise DomainError("This document is retired; it takes no new revisions.")
    checked = inspect_upload(file)
    text = _text_of(file, checked.content_type)
    with stored_upload(file, checked, folder=REVISION_FOLDER) as stored_name, transaction.atomic():
        document = Document.objects.select_for_update().get(pk=document.pk)
        _refuse_second_revision_in_progress(document)
        revision = Revision(
            document=document,
            revision=_next_revision_number(document),
            file=stored_name,
            original_filename=checked.original_name,
            sha256=checked.sha256,
            size=checked.size,
            content_type=checked.content_type,
            extracted_text=text,
            change_summary=change_summary,
            author=actor,
        )
        stamp(revision, actor=actor, reason="Draft uploaded")
        revision.save()
        if change_request is not None:
            _link_change_request(change_request, revision, actor=actor)
    return revision


def _next_revision_number(document: Document) -> int:
    """Revision numbers count up per document and are never reused, withdrawn drafts included."""
    return (document.revisions.aggregate(last=Max("revision"))["last"] or 0) + 1


def _text_of(file: UploadedFile, content_type: str) -> str:
    file.seek(0)  # inspect_upload read it to the end
    return extract_text(file, content_type)


def _refuse_second_revision_in_progress(document: Document) -> None:
    in_progress = document.revisions.filter(status__in=Revision.IN_PROGRESS).first()
    if in_progress is not None:
        raise DomainError(
            f"Revision {in_progress.revision} is still {in_progress.get_status_display().lower()}: "
            "finish or withdraw it before starting another."
        )


def revision_replace_file(
    *, actor: User, revision: Revision, file: UploadedFile, change_summary: str | None = None
) -> Revision:
    """Put a new file into a draft (before submission only: a submitted revision's file never changes)."""
    checked = inspect_upload(file)
    text = _text_of(file, checked.content_type)
    with stored_upload(file, checked, folder=REVISION_FOLDER) as stored_name, transaction.atomic():
        revision = _locked(revision)
        _check_draft_editor(revision, actor, verb="changed")
        revision.file = stored_name
        revision.original_filename = checked.original_name
        revision.sha256 = checked.sha256
        revision.size = checked.size
        revision.content_type = checked.content_type
        revision.extracted_text = text
        if change_summary is not None:
            revision.change_summary = change_summary
        stamp(revision, actor=actor, reason="Draft file replaced")
        revision.save()
    return revision


def revision_submit(
    *, actor: User, revision: Revision, approvers: Iterable[User], effective_date: date | None = None
) -> Revision:
    """Send a draft for approval to the approvers the author picks (never the author)."""
    approvers = list({approver.pk: approver for approver in approvers}.values())
    if not approvers:
        raise DomainError("Pick at least one approver.", field="approvers")
    if any(approver.pk == revision.author_id for approver in approvers):
        raise DomainError("The author cannot approve their own revision.", field="approvers")
    inactive = [approver.display_name for approver in approvers if not approver.is_active]
    if inactive:
        raise DomainError(f"These approvers can no longer sign in: {', '.join(inactive)}.", field="approvers")
    if effective_date is not None and effective_date < timezone.localdate():
        raise DomainError("The effective date cannot be in the past.", field="effective_date")
    with transaction.atomic():
        revision = _locked(revision)
        _check_draft_editor(revision, actor, verb="submitted")
        revision.status = Revision.Status.IN_REVIEW
        revision.review_round += 1
        revision.submitted_at = timezone.now()
        if effective_date is not None:
            revision.effective_date = effective_date
        stamp(revision, actor=actor, reason=f"Submitted for approval to {', '.join(a.display_name for a in approvers)}")
        revision.save()
        for approver in approvers:
            approval = Approval(revision=revision, round=revision.review_round, approver=approver)
            stamp(approval, actor=actor, reason="Approval requested")
            approval.save()
        notify(
            recipients=approvers,
            kind="generic",
            subject=f"Please review {revision.label}: {revision.document.title}",
            context={"message": f"{actor.display_name} asks for your approval. Change: {revision.change_summary}"},
            url=revision.get_absolute_url(),
        )
    return revision


def revision_approve(
    *,
    actor: User,
    revision: Revision,
    password: str,
    comment: str = "",
    effective_date: date | None = None,
    ip: str | None = None,
) -> Revision:
    """One approver approves, signing with their password. The last approval makes the revision effective
    (or approved, until a future effective date)."""
    if effective_date is not None and effective_date < timezone.localdate():
        raise DomainError("The effective date cannot be in the past.", field="effective_date")
    signer = verify_signer(
        user=actor, password=password, meaning=Signature.Meaning.APPROVED, record=revision, ip_address=ip
    )
    with transaction.atomic():
        revision = _locked(revision)
        approval = _pending_approval(revision, actor)
        signature = record_signature(
            signer, meaning=Signature.Meaning.APPROVED, record=revision, content_sha256=revision.sha256, comment=comment
        )
        approval.decision = Approval.Decision.APPROVED
        approval.comment = comment
        approval.decided_at = signature.signed_at
        approval.signature = signature
        stamp(approval, actor=actor, reason="Approved with electronic signature")
        approval.save()
        if effective_date is not None:
            revision.effective_date = effective_date
        if revision.pending_approvals().exists():
            stamp(revision, actor=actor, reason=f"Approved by {actor.display_name}")
            revision.save()
            return revision
        revision.status = Revision.Status.APPROVED
        revision.approved_at = timezone.now()
        stamp(revision, actor=actor, reason="Approved by every approver")
        revision.save()
        if revision.effective_date is None or revision.effective_date <= timezone.localdate():
            _make_effective(revision, actor=actor)
    return revision


def revision_reject(*, actor: User, revision: Revision, password: str, comment: str, ip: str | None = None) -> Revision:
    """One approver rejects, signing with their password: the revision goes back to draft, the reason kept."""
    if not comment.strip():
        raise DomainError("Say why you reject it, so the author can fix it.", field="comment")
    signer = verify_signer(
        user=actor, password=password, meaning=Signature.Meaning.REJECTED, record=revision, ip_address=ip
    )
    with transaction.atomic():
        revision = _locked(revision)
        approval = _pending_approval(revision, actor)
        signature = record_signature(
            signer, meaning=Signature.Meaning.REJECTED, record=revision, content_sha256=revision.sha256, comment=comment
        )
        approval.decision = Approval.Decision.REJECTED
        approval.comment = comment
        approval.decided_at = signature.signed_at
        approval.signature = signature
        stamp(approval, actor=actor, reason="Rejected with electronic signature")
        approval.save()
        # One rejection ends the round: the other approvers no longer need to decide on this version.
        for other in revision.pending_approvals().select_for_update():
            other.decision = Approval.Decision.NOT_NEEDED
            stamp(other, actor=actor, reason=f"Round ended by {actor.display_name}'s rejection")
            other.save()
        revision.status = Revision.Status.DRAFT
        stamp(revision, actor=actor, reason=f"Rejected by {actor.display_name}: {comment}")
        revision.save()
        notify(
            recipients=[revision.author, revision.document.owner],
            kind="generic",
            subject=f"{revision.label} was rejected by {actor.display_name}",
            context={"message": comment},
            url=revision.get_absolute_url(),
        )
    return revision


def revision_withdraw(*, actor: User, revision: Revision, reason: str) -> Revision:
    """Abandon a draft. It stays in the record, withdrawn, with the reason."""
    if not reason.strip():
        raise DomainError("Say why the draft is withdrawn.", field="reason")
    with transaction.atomic():
        revision = _locked(revision)
        _check_draft_editor(revision, actor, verb="withdrawn")
        _end_revision(revision, status=Revision.Status.WITHDRAWN, actor=actor, reason=reason)
    return revision


def revisions_make_due_effective(*, today: date | None = None) -> int:
    """Approved revisions whose effective date has come become effective (run by Celery beat). Returns how many."""
    today = today or timezone.localdate()
    count = 0
    due = Revision.objects.filter(status=Revision.Status.APPROVED, effective_date__lte=today).values_list(
        "pk", flat=True
    )
    for pk in due:
        with transaction.atomic():
            revision = Revision.objects.select_for_update().filter(pk=pk, status=Revision.Status.APPROVED).first()
            if revision is None:
                continue  # another worker got there first
            _make_effective(revision, actor=None)
            count += 1
    return count


def _make_effective(revision: Revision, *, actor: User | None) -> None:
    """The revision becomes the one in force: the previous one is superseded, the review clock restarts, and the
    distribution is asked to read it. Called inside the caller's transaction, with the revision locked."""
    document = Document.objects.select_for_update().get(pk=revision.document_id)
    now = timezone.now()
    previous = document.revisions.select_for_update().filter(status=Revision.Status.EFFECTIVE).first()
    if previous is not None:
        _end_revision(
            previous,
            status=Revision.Status.SUPERSEDED,
            actor=actor,
            reason=f"Superseded by revision {revision.revision}",
        )
    revision.status = Revision.Status.EFFECTIVE
    revision.effective_at = now
    revision.effective_date = revision.effective_date or timezone.localdate()
    stamp(revision, actor=actor, reason="Became effective")
    try:
        with transaction.atomic():
            revision.save()
    except IntegrityError as error:
        # The partial unique index "one effective revision per document" caught a concurrent promotion.
        raise ConflictError("Another revision of this document became effective at the same moment.") from error
    document.status = Document.Status.EFFECTIVE
    document.next_review_due = add_months(revision.effective_date, document.review_period_months)
    document.search_text = search_text_for(document, revision.extracted_text)
    stamp(document, actor=actor, reason=f"Revision {revision.revision} effective")
    document.save()
    revision_became_effective.send(sender=Revision, revision=revision)
    readers = distribution_users(document)
    notify(
        recipients=readers,
        kind="generic",
        subject=f"Please read {revision.label}: {document.title}",
        context={"message": f"A new revision is in force. What changed: {revision.change_summary}"},
        url=reverse("documents:detail", args=[document.pk]),
    )
    notify(
        recipients=[revision.author, document.owner],
        kind="generic",
        subject=f"{revision.label} is effective",
        context={"message": f"Every approver signed. {_people(len(readers))} asked to acknowledge it."},
        url=revision.get_absolute_url(),
    )


def _people(count: int) -> str:
    return {0: "Nobody is", 1: "1 person is"}.get(count, f"{count} people are")


def _end_revision(revision: Revision, *, status: str, actor: User | None, reason: str) -> None:
    revision.status = status
    revision.ended_at = timezone.now()
    revision.end_reason = reason
    stamp(revision, actor=actor, reason=reason)
    revision.save()


def _locked(revision: Revision) -> Revision:
    return Revision.objects.select_for_update().select_related("document").get(pk=revision.pk)


def _check_draft_editor(revision: Revision, actor: User, *, verb: str) -> None:
    if actor.pk != revision.author_id and not revision.document.is_managed_by(actor):
        raise NotAllowed("Only the author or the document's owner or a quality manager may do this.")
    if revision.status != Revision.Status.DRAFT:
        raise DomainError(f"Only a draft can be {verb}; this revision is {revision.get_status_display().lower()}.")


def _pending_approval(revision: Revision, actor: User) -> Approval:
    if revision.author_id == actor.pk:
        raise NotAllowed("The author cannot approve or reject their own revision.")
    if revision.status != Revision.Status.IN_REVIEW:
        raise DomainError(f"This revision is {revision.get_status_display().lower()}, not in review.")
    approval = (
        Approval.objects.select_for_update()
        .filter(revision=revision, round=revision.review_round, approver=actor)
        .first()
    )
    if approval is None:
        raise NotAllowed("You are not an approver of this revision.")
    if approval.decision != Approval.Decision.PENDING:
        raise DomainError(f"You already {approval.get_decision_display().lower()} this revision.")
    return approval


# --- Reading: acknowledgements and periodic review ----------------------------------------------------------------


def document_acknowledge(*, actor: User, document: Document) -> Acknowledgement:
    """The user confirms they read and understood the effective revision. Doing it twice keeps the first record."""
    effective = document.revisions.filter(status=Revision.Status.EFFECTIVE).first()
    if effective is None:
        raise DomainError("This document has no effective revision to acknowledge.")
    acknowledgement, _ = Acknowledgement.objects.get_or_create(revision=effective, user=actor)
    return acknowledgement


def document_confirm_review(
    *, actor: User, document: Document, password: str, comment: str = "", ip: str | None = None
) -> PeriodicReview:
    """The owner confirms the document was reviewed and stays valid unchanged (signed); the review clock restarts."""
    signer = verify_signer(
        user=actor, password=password, meaning=Signature.Meaning.REVIEWED, record=document, ip_address=ip
    )
    with transaction.atomic():
        document = Document.objects.select_for_update().get(pk=document.pk)
        if not document.is_managed_by(actor):
            raise NotAllowed("Only the owner or a quality manager can confirm a document's periodic review.")
        if not document.can_confirm_review(actor):
            raise DomainError("Only an effective document has a periodic review to confirm.")
        effective = document.revisions.get(status=Revision.Status.EFFECTIVE)
        signature = record_signature(
            signer,
            meaning=Signature.Meaning.REVIEWED,
            record=document,
            content_sha256=effective.sha256,
            comment=comment,
        )
        document.next_review_due = add_months(timezone.localdate(), document.review_period_months)
        stamp(document, actor=actor, reason="Periodic review: confirmed without change")
        document.save()
        review = PeriodicReview(
            document=document,
            revision=effective,
            reviewed_by=actor,
            reviewed_at=signature.signed_at,
            comment=comment,
            next_review_due=document.next_review_due,
            signature=signature,
        )
        stamp(review, actor=actor, reason="Periodic review confirmed")
        review.save()
    return review


def _last_review_or_effective_date(document: Document, effective: Revision) -> date:
    last_review = document.periodic_reviews.order_by("-reviewed_at").first()
    if last_review is not None:
        return timezone.localdate(last_review.reviewed_at)
    return effective.effective_date or timezone.localdate()


# --- Change requests -----------------------------------------------------------------------------------------------


def change_request_create(*, actor: User, document: Document, reason: str) -> ChangeRequest:
    if not reason.strip():
        raise DomainError("Say what should change and why.", field="reason")
    if document.status == Document.Status.OBSOLETE:
        raise DomainError("This document is retired; it no longer changes.")
    with transaction.atomic():
        change_request = ChangeRequest(document=document, requested_by=actor, reason=reason)
        stamp(change_request, actor=actor, reason="Change requested")
        change_request.save()
        notify(
            recipients=[document.owner],
            kind="generic",
            subject=f"Change requested on {document.number} by {actor.display_name}",
            context={"message": reason},
            url=document.get_absolute_url(),
        )
    return change_request


def change_request_accept(*, actor: User, change_request: ChangeRequest, comment: str = "") -> ChangeRequest:
    """Accept a request: a new draft revision opens, starting from the effective file, linked to the request.
    If a draft is already in progress, the request joins it instead."""
    with transaction.atomic():
        change_request = ChangeRequest.objects.select_for_update().select_related("document").get(pk=change_request.pk)
        _check_change_request_decider(change_request, actor)
        document = Document.objects.select_for_update().get(pk=change_request.document_id)
        revision = document.revisions.filter(status__in=Revision.IN_PROGRESS).first()
        if revision is None:
            effective = document.revisions.filter(status=Revision.Status.EFFECTIVE).first()
            if effective is None:
                raise DomainError("Upload the document's first revision before accepting changes to it.")
            revision = Revision(
                document=document,
                revision=_next_revision_number(document),
                # The draft starts from the file in force; files are never changed in place, so sharing is safe.
                file=effective.file.name,
                original_filename=effective.original_filename,
                sha256=effective.sha256,
                size=effective.size,
                content_type=effective.content_type,
                extracted_text=effective.extracted_text,
                change_summary=change_request.reason,
                author=actor,
            )
            stamp(revision, actor=actor, reason=f"Opened for change request CR-{change_request.pk:04d}")
            revision.save()
        change_request.decision_reason = comment
        _link_change_request(change_request, revision, actor=actor)
        notify(
            recipients=[change_request.requested_by],
            kind="generic",
            subject=f"Your change request on {document.number} was accepted",
            context={"message": comment or f"Revision {revision.revision} is being prepared."},
            url=document.get_absolute_url(),
        )
    return change_request


def _link_change_request(change_request: ChangeRequest, revision: Revision, *, actor: User) -> None:
    change_request.status = ChangeRequest.Status.ACCEPTED
    change_request.revision = revision
    change_request.decided_by = actor
    change_request.decided_at = timezone.now()
    stamp(change_request, actor=actor, reason=f"Accepted: revision {revision.revision}")
    change_request.save()


def _check_change_request_decider(change_request: ChangeRequest, actor: User) -> None:
    if not change_request.document.is_managed_by(actor):
        raise NotAllowed("Only the document's owner or a quality manager can decide a change request.")
    if not change_request.can_decide(actor):
        raise DomainError(f"This change request is already {change_request.get_status_display().lower()}.")


def change_request_decline(*, actor: User, change_request: ChangeRequest, reason: str) -> ChangeRequest:
    if not reason.strip():
        raise DomainError("Say why the change is declined.", field="reason")
    with transaction.atomic():
        change_request = ChangeRequest.objects.select_for_update().select_related("document").get(pk=change_request.pk)
        _check_change_request_decider(change_request, actor)
        change_request.status = ChangeRequest.Status.DECLINED
        change_request.decided_by = actor
        change_request.decided_at = timezone.now()
        change_request.decision_reason = reason
        stamp(change_request, actor=actor, reason=f"Declined: {reason}")
        change_request.save()
        notify(
            recipients=[change_request.requested_by],
            kind="generic",
            subject=f"Your change request on {change_request.document.number} was declined",
            context={"message": reason},
            url=change_request.document.get_absolute_url(),
        )
    return change_request


# --- Document types ---------------------------------------------------------------------------------------------


def document_type_save(*, actor: User, document_type: DocumentType, reason: str) -> DocumentType:
    with transaction.atomic():
        stamp(document_type, actor=actor, reason=reason)
        document_type.save()
    return document_type


# --- Periodic review reminders -------------------------------------------------------------------------------------


def send_review_reminders(*, today: date | None = None) -> int:
    """Remind owners 30 days before a review is due, then weekly while it is overdue. Each reminder is claimed by a
    unique row first, so a retry or a second scheduler never sends it twice. Returns how many were sent."""
    today = today or timezone.localdate()
    horizon = today + timedelta(days=REVIEW_REMINDER_DAYS)
    due = Document.objects.filter(status=Document.Status.EFFECTIVE, next_review_due__lte=horizon).select_related(
        "owner"
    )
    sent = 0
    for document in due:
        assert document.next_review_due is not None  # filtered above
        overdue = document.next_review_due < today
        year, week, _ = today.isocalendar()
        kind = ReviewReminder.Kind.OVERDUE if overdue else ReviewReminder.Kind.UPCOMING
        period = f"{year}-W{week:02d}" if overdue else "before"
        with transaction.atomic():
            _, claimed = ReviewReminder.objects.get_or_create(
                document=document, kind=kind, due_date=document.next_review_due, period=period
            )
            if not claimed:
                continue
            when = "was due" if overdue else "is due"
            notify(
                recipients=[document.owner],
                kind="generic",
                subject=f"Periodic review of {document.number} {when} on {document.next_review_due:%Y-%m-%d}",
                context={
                    "message": f"Review {document.number} {document.title}: start a new revision, or confirm that it "
                    "stays valid unchanged."
                },
                url=document.get_absolute_url(),
            )
            sent += 1
    return sent
