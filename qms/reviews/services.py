"""Every write to management reviews: start, prepare, record the meeting, decide, hand actions over, sign, print.

The rules of who may do what, and when, are the model's (`ManagementReview.can_*`, `signing_gaps`); the functions
here lock the row, ask them, and refuse in words. Actions become records through the owning apps' services
(`capa.services.capa_create`, `improvement.services.idea_submit`, `documents.services.change_request_create`), so the
rules of those apps apply to them as to any other CAPA, idea or change request.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone

from capa import services as capa_services
from capa.models import Capa, Severity, Source
from documents import services as document_services
from documents.models import ChangeRequest, Document
from improvement import services as idea_services
from improvement.models import Idea
from qms import sequences
from qms.errors import DomainError, NotAllowed
from qms.history import stamp
from qms.jobs import job_create
from qms.models import Job, Signature, User
from qms.permissions import STAFF_ROLES
from qms.reviews import report
from qms.reviews.inputs import assemble
from qms.reviews.models import RUNNERS, Decision, ManagementReview, ReviewAction
from qms.reviews.tasks import render_review_pdf
from qms.roles import Role, has_role
from qms.selectors import holders_of
from qms.services import notify
from qms.signatures import record_signature, sha256_of_text, verify_signer

# What `review_update` may change while the review is being prepared.
PREPARATION_FIELDS = (
    "title",
    "period_start",
    "period_end",
    "planned_on",
    "chair",
    "attendees",
    "issues",
    "resources",
    "risk_actions",
)


@dataclass(frozen=True)
class ActionSpec:
    """An action recorded with its decision: what, who, by when."""

    description: str
    owner: User
    due_date: date


def _runner(actor: User, what: str) -> None:
    if not has_role(actor, *RUNNERS):
        raise NotAllowed(f"Quality managers {what}.")


def _not_in_past(day: date, *, field: str) -> None:
    if day < timezone.localdate():
        raise DomainError(f"The {field.replace('_', ' ')} cannot be in the past.", field=field)


def _check_chair(chair: User) -> None:
    if not chair.is_active:
        raise DomainError(f"{chair.display_name} can no longer sign in.", field="chair")
    if not has_role(chair, *STAFF_ROLES):
        raise DomainError(
            f"{chair.display_name} holds no role in the QMS and could not open the review to sign it.", field="chair"
        )


def _check_attendees(attendees: Iterable[User]) -> list[User]:
    people = list(attendees)
    inactive = sorted(person.display_name for person in people if not person.is_active)
    if inactive:
        raise DomainError(f"These people can no longer sign in: {', '.join(inactive)}.", field="attendees")
    return people


def _check_period(start: date, end: date) -> None:
    if start > end:
        raise DomainError("The period must end on or after its start.", field="period_end")


def _locked(review: ManagementReview) -> ManagementReview:
    return ManagementReview.objects.select_for_update().get(pk=review.pk)


def _inputs_digest(inputs: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(inputs, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def _assemble_into(review: ManagementReview, *, actor: User) -> None:
    review.inputs = assemble(review, user=actor)
    review.inputs_sha256 = _inputs_digest(review.inputs)
    review.inputs_assembled_at = timezone.now()


def _refuse_unless_preparing(review: ManagementReview, actor: User, what: str) -> None:
    if not has_role(actor, *RUNNERS):
        raise NotAllowed("Quality managers prepare management reviews.")
    if not review.is_preparing:
        raise DomainError(
            f"{review.reference} is {review.get_status_display().lower()}: {what} only while it is being prepared."
        )


# --- Starting and preparing -----------------------------------------------------------------------------------------


def review_create(
    *,
    actor: User,
    title: str,
    period_start: date,
    period_end: date,
    planned_on: date,
    chair: User,
    attendees: Iterable[User] = (),
    issues: str = "",
    resources: str = "",
    risk_actions: str = "",
) -> ManagementReview:
    """A quality manager starts the review of a period: MR-<year>-<seq> (the year the period ends), its inputs
    assembled at once from live data; the chair and the invited attendees are told."""
    _runner(actor, "start management reviews")
    if not title.strip():
        raise DomainError("Give the review a title.", field="title")
    _check_period(period_start, period_end)
    _not_in_past(planned_on, field="planned_on")
    _check_chair(chair)
    people = _check_attendees(attendees)
    with transaction.atomic():
        year = period_end.year
        review = ManagementReview(
            reference=f"MR-{year}-{sequences.next_value(f'management-review:{year}'):03d}",
            title=title.strip(),
            period_start=period_start,
            period_end=period_end,
            planned_on=planned_on,
            chair=chair,
            issues=issues,
            resources=resources,
            risk_actions=risk_actions,
            created_by=actor,
        )
        _assemble_into(review, actor=actor)
        stamp(review, actor=actor, reason=f"Review started for {review.period}; inputs assembled")
        review.save()
        stamp(review, actor=actor, reason="Attendees invited")
        review.attendees.set({chair, *people})
        notify(
            recipients={chair, *people} - {actor},
            kind="generic",
            subject=f"Management review {review.reference} planned for {planned_on:%Y-%m-%d}",
            context={
                "message": f"{title}\nPeriod reviewed: {review.period}. Chair: {chair.display_name}.\n"
                "The inputs are being prepared; they are on the review's page."
            },
            url=review.get_absolute_url(),
        )
    return review


def review_update(*, actor: User, review: ManagementReview, reason: str = "", **changes: Any) -> ManagementReview:
    """Change the review's details or its written inputs while it is being prepared. A new period assembles the
    inputs again, for that period. People newly invited, and a new chair, are told."""
    unknown = set(changes) - set(PREPARATION_FIELDS)
    if unknown:
        raise DomainError(f"These fields cannot be changed here: {', '.join(sorted(unknown))}.")
    with transaction.atomic():
        review = _locked(review)
        _refuse_unless_preparing(review, actor, "its details change")
        attendees = changes.pop("attendees", None)
        changed = {name: value for name, value in changes.items() if getattr(review, name) != value}
        if "title" in changed and not str(changed["title"]).strip():
            raise DomainError("Give the review a title.", field="title")
        if {"period_start", "period_end"} & set(changed):
            _check_period(
                changed.get("period_start", review.period_start), changed.get("period_end", review.period_end)
            )
        if "planned_on" in changed:
            _not_in_past(changed["planned_on"], field="planned_on")
        if "chair" in changed:
            _check_chair(changed["chair"])
        wanted = set(_check_attendees(attendees)) if attendees is not None else set(review.attendees.all())
        if changed:
            for name, value in changed.items():
                setattr(review, name, value)
            if {"period_start", "period_end"} & set(changed):
                _assemble_into(review, actor=actor)
            stamp(review, actor=actor, reason=reason or _change_reason(changed))
            review.save()
        current = set(review.attendees.all())
        wanted.add(review.chair)  # the chair attends in any case
        if wanted != current:
            stamp(review, actor=actor, reason=reason or "Attendees changed")
            review.attendees.set(wanted)
        told = wanted - current
        if "chair" in changed:
            told.add(review.chair)
        if told - {actor}:
            notify(
                recipients=told - {actor},
                kind="generic",
                subject=f"Management review {review.reference} planned for {review.planned_on:%Y-%m-%d}",
                context={"message": f"{review.title}\nChair: {review.chair.display_name}."},
                url=review.get_absolute_url(),
            )
    return review


def _change_reason(changed: dict[str, Any]) -> str:
    labels = [str(getattr(ManagementReview._meta.get_field(name), "verbose_name", name)) for name in changed]
    reason = "Changed: " + ", ".join(labels)
    if {"period_start", "period_end"} & set(changed):
        reason += "; inputs assembled again for the new period"
    return reason


def review_refresh_inputs(*, actor: User, review: ManagementReview) -> ManagementReview:
    """Assemble the inputs again from today's data, while the review is being prepared."""
    with transaction.atomic():
        review = _locked(review)
        _refuse_unless_preparing(review, actor, "its inputs are refreshed")
        previous = review.inputs_sha256
        _assemble_into(review, actor=actor)
        unchanged = " (nothing changed)" if review.inputs_sha256 == previous else ""
        stamp(review, actor=actor, reason=f"Inputs refreshed from today's data{unchanged}")
        review.save()
    return review


def review_cancel(*, actor: User, review: ManagementReview, reason: str) -> ManagementReview:
    """A review still in preparation is called off; the reason stays on the record."""
    if not reason.strip():
        raise DomainError("Say why the review is cancelled.", field="reason")
    with transaction.atomic():
        review = _locked(review)
        _refuse_unless_preparing(review, actor, "it can be cancelled")
        review.status = ManagementReview.Status.CANCELLED
        review.cancel_reason = reason
        stamp(review, actor=actor, reason=f"Cancelled: {reason}")
        review.save()
        notify(
            recipients=[review.chair, *review.attendees.all()],
            kind="generic",
            subject=f"Management review {review.reference} cancelled",
            context={"message": reason},
            url=review.get_absolute_url(),
        )
    return review


# --- The meeting ----------------------------------------------------------------------------------------------------


def review_record_meeting(
    *,
    actor: User,
    review: ManagementReview,
    held_on: date,
    attendees: Iterable[User],
    minutes: str,
    conclusion: str = "",
) -> ManagementReview:
    """Record the meeting: when, who was there, the minutes and the conclusion. The first time, the review is held and
    its inputs are frozen as they were presented; until the chair signs, the record of the meeting may be corrected."""
    _runner(actor, "record the management review meeting")
    if held_on > timezone.localdate():
        raise DomainError("A meeting is recorded once it has taken place.", field="held_on")
    if not minutes.strip():
        raise DomainError("Write the minutes: what was discussed and concluded.", field="minutes")
    people = _check_attendees(attendees)
    if not people:
        raise DomainError("Name who attended.", field="attendees")
    with transaction.atomic():
        review = _locked(review)
        if review.status not in {ManagementReview.Status.PREPARING, ManagementReview.Status.HELD}:
            raise DomainError(f"{review.reference} is {review.get_status_display().lower()}: its meeting is on record.")
        if held_on < timezone.localdate(review.created_at):
            raise DomainError(
                f"The review was started on {review.created_at:%Y-%m-%d}; the meeting cannot be before.",
                field="held_on",
            )
        first = review.is_preparing
        wanted = {*people, review.chair}
        if wanted != set(review.attendees.all()):
            stamp(review, actor=actor, reason="Attendance recorded")
            review.attendees.set(wanted)
        review.held_on = held_on
        review.minutes = minutes
        review.conclusion = conclusion
        review.status = ManagementReview.Status.HELD
        stamp(
            review,
            actor=actor,
            reason=f"Meeting held on {held_on:%Y-%m-%d}; inputs frozen" if first else "Meeting record corrected",
        )
        review.save()
        if first:
            notify(
                recipients=[review.chair],
                kind="generic",
                subject=f"Management review {review.reference} held: record its decisions, then sign",
                context={"message": "Once the decisions and their actions are recorded, sign the review as its chair."},
                url=review.get_absolute_url(),
            )
    return review


def decision_add(
    *,
    actor: User,
    review: ManagementReview,
    kind: str,
    text: str,
    actions: Sequence[ActionSpec] = (),
) -> Decision:
    """Record one decision of the meeting (9.3.3) with the actions it calls for."""
    if kind not in Decision.Kind.values:
        raise DomainError("Choose what kind of decision it is.", field="kind")
    if not text.strip():
        raise DomainError("Write the decision.", field="text")
    for spec in actions:
        _check_action(spec)
    with transaction.atomic():
        review = _locked(review)
        _refuse_unless_deciding(review, actor)
        number = (review.decisions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
        decision = Decision(review=review, number=number, kind=kind, text=text, created_by=actor)
        stamp(decision, actor=actor, reason=f"Decision D{number} recorded")
        decision.save()
        for spec in actions:
            _add_action(review, decision, spec, actor=actor)
    return decision


def action_add(*, actor: User, decision: Decision, description: str, owner: User, due_date: date) -> ReviewAction:
    """Add an action to a decision, until the review is signed."""
    spec = ActionSpec(description=description, owner=owner, due_date=due_date)
    _check_action(spec)
    with transaction.atomic():
        review = _locked(decision.review)
        _refuse_unless_deciding(review, actor)
        return _add_action(review, decision, spec, actor=actor)


def _check_action(spec: ActionSpec) -> None:
    if not spec.description.strip():
        raise DomainError("Say what will be done.", field="description")
    if not spec.owner.is_active:
        raise DomainError(f"{spec.owner.display_name} can no longer sign in.", field="owner")
    _not_in_past(spec.due_date, field="due_date")


def _refuse_unless_deciding(review: ManagementReview, actor: User) -> None:
    if not has_role(actor, *RUNNERS):
        raise NotAllowed("Quality managers record the review's decisions.")
    if review.status == ManagementReview.Status.PREPARING:
        raise DomainError("Decisions are recorded once the meeting is held: record the meeting first.")
    if review.status != ManagementReview.Status.HELD:
        raise DomainError(f"{review.reference} is {review.get_status_display().lower()}: its decisions are final.")


def _add_action(review: ManagementReview, decision: Decision, spec: ActionSpec, *, actor: User) -> ReviewAction:
    number = (review.actions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    action = ReviewAction(
        review=review,
        decision=decision,
        number=number,
        description=spec.description,
        owner=spec.owner,
        due_date=spec.due_date,
        created_by=actor,
    )
    stamp(action, actor=actor, reason=f"Action A{number} recorded for D{decision.number}")
    action.save()
    if spec.owner.pk != actor.pk:
        notify(
            recipients=[spec.owner],
            kind="generic",
            subject=f"Action from management review {review.reference}, due {spec.due_date:%Y-%m-%d}",
            context={"message": f"{spec.description}\n\nDecision: {decision.text}"},
            url=action.get_absolute_url(),
        )
    return action


# --- Following actions up -------------------------------------------------------------------------------------------


def _locked_action(action: ReviewAction) -> ReviewAction:
    return (
        ReviewAction.objects.select_for_update(of=("self",))
        .select_related("review", "decision", "owner")
        .get(pk=action.pk)
    )


def _refuse_unless_open(action: ReviewAction) -> None:
    if action.review.status not in {ManagementReview.Status.HELD, ManagementReview.Status.SIGNED}:
        raise DomainError(f"{action.review.reference} is {action.review.get_status_display().lower()}.")
    if action.status != ReviewAction.Status.OPEN:
        state = action.get_status_display().lower()
        record = f" to {action.record_kind}" if action.record_kind else ""
        raise DomainError(f"{action.label} is already {state}{record}.")


def action_complete(*, actor: User, action: ReviewAction, note: str) -> ReviewAction:
    """The owner (or a quality manager) reports a plain action done, saying what was done."""
    if not note.strip():
        raise DomainError("Say what was done.", field="note")
    with transaction.atomic():
        action = _locked_action(action)
        if actor.pk != action.owner_id and not has_role(actor, *RUNNERS):
            raise NotAllowed(f"{action.owner.display_name}, who owns {action.label}, or a quality manager reports it.")
        _refuse_unless_open(action)
        action.status = ReviewAction.Status.DONE
        action.note = note
        action.completed_at = timezone.now()
        action.completed_by = actor
        stamp(action, actor=actor, reason=f"Action A{action.number} done")
        action.save()
    return action


def action_cancel(*, actor: User, action: ReviewAction, reason: str) -> ReviewAction:
    """A quality manager drops a plain action that is no longer needed, saying why."""
    if not reason.strip():
        raise DomainError("Say why the action is cancelled.", field="reason")
    with transaction.atomic():
        action = _locked_action(action)
        _runner(actor, "cancel the review's actions")
        _refuse_unless_open(action)
        action.status = ReviewAction.Status.CANCELLED
        action.note = reason
        action.completed_at = timezone.now()
        action.completed_by = actor
        stamp(action, actor=actor, reason=f"Action A{action.number} cancelled: {reason}")
        action.save()
    return action


def _locked_for_handover(action: ReviewAction, actor: User) -> ReviewAction:
    _runner(actor, "turn the review's actions into CAPAs, ideas and change requests")
    action = _locked_action(action)
    _refuse_unless_open(action)
    return action


def _hand_over(action: ReviewAction, *, actor: User, name: str) -> None:
    action.status = ReviewAction.Status.HANDED_OVER
    action.handed_over_at = timezone.now()
    stamp(action, actor=actor, reason=f"Action A{action.number} handed over to {name}")
    action.save()


def _origin(action: ReviewAction) -> str:
    decision = action.decision
    return (
        f"Decided by management review {action.review.reference} ({action.review.title}), "
        f"{decision.get_kind_display().lower()} D{decision.number}: {decision.text}"
    )


def action_raise_capa(
    *,
    actor: User,
    action: ReviewAction,
    kind: str = Capa.Kind.CORRECTIVE,
    severity: str = Severity.MEDIUM,
) -> Capa:
    """The action becomes a CAPA owned by the action's owner, due on its due date, which tells where it came from."""
    with transaction.atomic():
        action = _locked_for_handover(action, actor)
        capa = capa_services.capa_create(
            actor=actor,
            title=f"{action.label}: {action.description}"[:200],
            source=Source.INTERNAL,
            kind=kind,
            severity=severity,
            problem=f"{action.description}\n\n{_origin(action)}",
            owner=action.owner,
            due_date=action.due_date,
            department=action.owner.department,
        )
        action.capa = capa
        _hand_over(action, actor=actor, name=capa.reference)
    return capa


def action_raise_idea(*, actor: User, action: ReviewAction, category: str = Idea.Category.QUALITY) -> Idea:
    """The action becomes an improvement idea, accepted at once (management decided it) with the action's owner as
    its champion, so it goes straight into Plan-Do-Check-Act."""
    if category not in Idea.Category.values:
        raise DomainError("Choose a category.", field="category")
    with transaction.atomic():
        action = _locked_for_handover(action, actor)
        idea = idea_services.idea_submit(
            actor=actor,
            title=action.description[:200],
            problem=_origin(action),
            proposal=action.description,
            category=category,
            department=action.owner.department,
            # An idea has no source "management review": it is the organisation's own suggestion, as an employee's.
            source=Idea.Source.EMPLOYEE,
        )
        idea = idea_services.idea_advance(
            actor=actor,
            idea=idea,
            to=Idea.Stage.ACCEPTED,
            champion=action.owner,
            note=f"Decided by management review {action.review.reference} ({action.label}).",
        )
        action.idea = idea
        _hand_over(action, actor=actor, name=idea.reference)
    return idea


def action_request_change(*, actor: User, action: ReviewAction, document: Document) -> ChangeRequest:
    """The action becomes a change request on a controlled document; its owner decides it as for any request."""
    if not Document.objects.visible_to(actor).filter(pk=document.pk).exists():
        raise DomainError("Choose a document you can see.", field="document")
    with transaction.atomic():
        action = _locked_for_handover(action, actor)
        change_request = document_services.change_request_create(
            actor=actor,
            document=document,
            reason=f"{action.label}: {action.description}\n\n{_origin(action)}",
        )
        action.change_request = change_request
        _hand_over(action, actor=actor, name=f"change request CR-{change_request.pk:04d}")
    return change_request


# --- Signing --------------------------------------------------------------------------------------------------------


def review_sign(
    *, actor: User, review: ManagementReview, password: str, comment: str = "", ip: str | None = None
) -> ManagementReview:
    """The chair signs the review (meaning: approved), re-entering their password. A wrong password signs nothing and
    is logged; once signed, nothing of the review changes."""
    if actor.pk != review.chair_id:
        raise NotAllowed(f"Only the review's chair, {review.chair.display_name}, signs it.")
    signer = verify_signer(
        user=actor, password=password, meaning=Signature.Meaning.APPROVED, record=review, ip_address=ip
    )
    with transaction.atomic():
        review = _locked(review)
        if actor.pk != review.chair_id:
            raise NotAllowed(f"Only the review's chair, {review.chair.display_name}, signs it.")
        if review.status != ManagementReview.Status.HELD:
            raise DomainError(
                f"Only a held review is signed; {review.reference} is {review.get_status_display().lower()}."
            )
        gaps = review.signing_gaps(list(review.decisions.all()))
        if gaps:
            raise DomainError(" ".join(gaps))
        review.signature = record_signature(
            signer,
            meaning=Signature.Meaning.APPROVED,
            record=review,
            content_sha256=sha256_of_text(signed_text(review)),
            comment=comment,
        )
        review.signed_at = review.signature.signed_at
        review.status = ManagementReview.Status.SIGNED
        stamp(review, actor=actor, reason="Signed by the chair: approved")
        review.save()
        notify(
            recipients={*holders_of(Role.QUALITY_MANAGER), *review.attendees.all()} - {actor},
            kind="generic",
            subject=f"Management review {review.reference} signed by {actor.display_name}",
            context={"message": f"{review.title}\n\nConclusion: {review.conclusion}"},
            url=review.get_absolute_url(),
        )
    return review


def signed_text(review: ManagementReview) -> str:
    """What the chair's signature covers, as a stable text: the review, who attended, the digest of the inputs as
    frozen, the written inputs, the minutes, the conclusion, and every decision with its actions as decided."""
    attendees = ", ".join(sorted(person.username for person in review.attendees.all()))
    decisions = []
    for decision in review.decisions.order_by("number"):
        decisions.append(f"D{decision.number} {decision.kind} {decision.text}")
        for action in decision.actions.select_related("owner").order_by("number"):
            decisions.append(
                f"  A{action.number} {action.owner.username} {action.due_date:%Y-%m-%d} {action.description}"
            )
    return "\n".join(
        [
            review.reference,
            review.title,
            f"{review.period_start:%Y-%m-%d} {review.period_end:%Y-%m-%d}",
            f"held {review.held_on:%Y-%m-%d}" if review.held_on else "held -",
            f"chair {review.chair.username}",
            f"attendees {attendees}",
            f"inputs {review.inputs_sha256}",
            review.issues,
            review.resources,
            review.risk_actions,
            review.minutes,
            review.conclusion,
            *decisions,
        ]
    )


# --- The report -----------------------------------------------------------------------------------------------------


def review_pdf_request(*, actor: User, review: ManagementReview) -> Job:
    """Ask for the review report PDF, rendered in the background; returns the pending job to poll. Anyone who may
    read the review may print it (the caller fetched it through `visible_to`)."""
    if not ManagementReview.objects.visible_to(actor).filter(pk=review.pk).exists():
        raise NotAllowed("You may not read this review.")
    return job_create(actor=actor, kind=report.JOB_KIND, subject=review, task=render_review_pdf)
