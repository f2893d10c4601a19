"""The idea page and its POST views: votes, watching, comments, the PDCA notes of each stage, moves (accept with a
champion, reject or park with a reason, on through Plan-Do-Check-Act), the document change of Act, attachments and
the history.

Every fetch is permission-checked (`get_idea`); every write is one service call, whose refusals come back next to
the field (or as a 403) through `qms.web.run_service`. What the page says is still missing comes from
`Idea.blockers_for`, the rule the services apply; who may move or write notes from `Idea.may_move` and
`Idea.is_run_by`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms as django_forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.forms import BaseForm
from django.http import FileResponse, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from improvement import forms, services
from improvement.models import Attachment, Idea
from improvement.views.board import board_ideas, prepare_card
from improvement.views.ideas import get_idea, submitter_label
from qms.permissions import STAFF_ROLES, AuthenticatedRequest, role_required
from qms.uploads import content_disposition, digest_header
from qms.views import render_history
from qms.web import run_service


@dataclass(frozen=True)
class Section:
    """One PDCA stage's part of the page: its notes, read-only or editable while the idea is in it."""

    key: str
    label: str
    stages: tuple[str, ...]  # the idea's stages in which these notes are written (Plan's already in accepted)
    prompt: str


SECTIONS = (
    Section("plan", "Plan", ("accepted", "plan"), "The metric to improve, its baseline today and the target."),
    Section("do", "Do", ("do",), "What was tried, where, and when."),
    Section("check", "Check", ("check",), "The measured result, against the target."),
    Section("act", "Act", ("act",), "Standardise through a document change, or start a new cycle."),
)


def _stepper(idea: Idea) -> list[dict[str, str]]:
    position = Idea.PIPELINE.index(idea.stage) if idea.stage in Idea.PIPELINE else -1
    steps = []
    for index, stage in enumerate(Idea.PIPELINE):
        if index < position or idea.stage == Idea.Stage.STANDARDIZED:
            state = "done"
        else:
            state = "current" if index == position else "todo"
        steps.append({"value": stage, "label": Idea.Stage(stage).label, "state": state})
    return steps


def _section_state(idea: Idea, section: Section) -> str:
    if idea.stage in section.stages:
        return "current"
    if idea.stage in Idea.PIPELINE and Idea.PIPELINE.index(idea.stage) > Idea.PIPELINE.index(section.stages[-1]):
        return "done"
    return "todo"


def _move_label(idea: Idea, target: str) -> str:
    if idea.stage == Idea.Stage.ACT and target == Idea.Stage.PLAN:
        return "Start a new cycle (back to Plan)"
    return {"rejected": "Reject", "parked": "Park", "accepted": "Accept"}.get(target, f"Move to {target}")


def _move_kind(target: str, next_stage: str | None) -> str:
    """How the page offers a move: the next stage as a plain button, a decision with its reason or champion, and any
    other move (a new cycle) folded away with its note."""
    if target in {Idea.Stage.REJECTED, Idea.Stage.PARKED}:
        return "reason"
    if target == Idea.Stage.ACCEPTED:
        return "accept"
    return "next" if target == next_stage else "other"


def _vote_context(request: AuthenticatedRequest, idea: Idea, **extra: Any) -> dict[str, Any]:
    return {
        "idea": idea,
        "vote_count": idea.votes.count(),
        "voted": idea.votes.filter(voter=request.user).exists(),
        "can_vote": idea.is_open and request.user.has_role(*STAFF_ROLES),
        **extra,
    }


@role_required()
def detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return _detail_page(request, get_idea(request, pk))


def _detail_page(
    request: AuthenticatedRequest, idea: Idea, *, bound: dict[str, BaseForm] | None = None, status: int = 200
) -> HttpResponse:
    user = request.user
    bound = bound or {}
    runs = idea.is_run_by(user)
    staff = user.has_role(*STAFF_ROLES)
    change_effective = idea.document_change_effective

    notes = bound.get("notes") or (forms.notes_form(idea) if runs else None)
    sections = [
        {
            "section": section,
            "state": _section_state(idea, section),
            "form": notes if notes is not None and idea.stage in section.stages else None,
        }
        for section in SECTIONS
    ]

    next_stage = Idea.MOVES[idea.stage][0] if Idea.MOVES[idea.stage] else None
    moves = []
    bound_move = bound.get("move")
    for target in Idea.MOVES[idea.stage]:
        if not idea.may_move(user, target):
            continue
        if bound_move is not None and bound_move.data.get("to") == target:
            form = bound_move
        else:
            form = forms.AdvanceForm(initial={"to": target}, auto_id=f"move-{target}-%s")
        moves.append(
            {
                "target": target,
                "label": _move_label(idea, target),
                "kind": _move_kind(target, next_stage),
                "blockers": idea.blockers_for(target),
                "form": form,
            }
        )
    document_form = bound.get("document")
    if document_form is None and runs and idea.stage == Idea.Stage.ACT and idea.change_request is None:
        document_form = forms.DocumentChangeForm(user=user, prefix="document")

    context = {
        "idea": idea,
        "submitter": submitter_label(idea),
        "stepper": _stepper(idea),
        "sections": sections,
        "moves": moves,
        "next_stage": Idea.Stage(next_stage) if next_stage else None,
        "next_blockers": idea.blockers_for(next_stage) if next_stage else [],
        "change_effective": change_effective,
        "runs": runs,
        "stage_changes": list(idea.stage_changes.select_related("actor")),
        "comments": list(idea.comments.select_related("author")),
        "attachments": list(idea.attachments.all()),
        "watching": idea.watches.filter(user=user).exists(),
        "staff": staff,
        "comment_form": bound.get("comment") or (forms.CommentForm(prefix="comment") if staff else None),
        "document_form": document_form,
        "open_form": next(iter(bound), None),
        **_vote_context(request, idea),
    }
    return render(request, "improvement/idea_detail.html", context, status=status)


def _safe_next(request: AuthenticatedRequest) -> str | None:
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return None


def _errors(form: BaseForm) -> str:
    return " ".join(str(error) for errors in form.errors.values() for error in errors)


# --- Votes and watching ---------------------------------------------------------------------------------------------


def _vote(request: AuthenticatedRequest, pk: int, *, voting: bool) -> HttpResponse:
    """Vote or withdraw a vote. HTMX gets the vote button back (with the reason if refused); without JavaScript the
    page the button was on comes back."""
    idea = get_idea(request, pk)
    form = django_forms.Form(request.POST)
    service = services.idea_vote if voting else services.idea_unvote
    count = run_service(form, lambda: service(actor=request.user, idea=idea))
    if request.htmx:
        context = _vote_context(request, idea, error=_errors(form), compact=request.POST.get("compact") == "1")
        return render(request, "improvement/partials/vote.html", context, status=400 if count is None else 200)
    if count is None:
        messages.error(request, _errors(form))
    elif voting:
        messages.success(
            request, f"Thank you for your vote: {idea.reference} has {count} vote{'s' if count != 1 else ''}."
        )
    else:
        messages.success(request, f"Your vote for {idea.reference} was withdrawn.")
    return redirect(_safe_next(request) or idea.get_absolute_url())


@require_POST
@role_required(*STAFF_ROLES)
def vote(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return _vote(request, pk, voting=True)


@require_POST
@role_required(*STAFF_ROLES)
def unvote(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return _vote(request, pk, voting=False)


@require_POST
@role_required(*STAFF_ROLES)
def watch(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    idea = get_idea(request, pk)
    watching = request.POST.get("watching") == "1"
    form = django_forms.Form(request.POST)
    if run_service(form, lambda: services.idea_watch(actor=request.user, idea=idea, watching=watching)) is not None:
        if watching:
            messages.success(request, f"You are watching {idea.reference}: you will be told when it moves.")
        else:
            messages.success(request, f"You no longer watch {idea.reference}.")
    return redirect(idea)


# --- Comments and notes ---------------------------------------------------------------------------------------------


@require_POST
@role_required(*STAFF_ROLES)
def comment(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    idea = get_idea(request, pk)
    form = forms.CommentForm(request.POST, prefix="comment")
    if form.is_valid():
        added = run_service(
            form, lambda: services.comment_add(actor=request.user, idea=idea, body=form.cleaned_data["body"])
        )
        if added is not None:
            messages.success(request, "Comment added.")
            return redirect(f"{idea.get_absolute_url()}#comment-{added.pk}")
    return _detail_page(request, idea, bound={"comment": form}, status=400)


@require_POST
@role_required()
def notes(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Save the notes of one PDCA stage. The form says which stage it was written for: if the idea has moved on since,
    the service refuses the notes that no longer belong to its stage."""
    idea = get_idea(request, pk)
    form_class = forms.NOTES_FORMS.get(request.POST.get("stage", ""), forms.NOTES_FORMS.get(idea.stage))
    if form_class is None:
        raise PermissionDenied(f"An idea in {idea.get_stage_display().lower()} has no notes to write.")
    form = form_class(request.POST, prefix="notes")
    if form.is_valid():
        saved = run_service(
            form, lambda: services.idea_update_notes(actor=request.user, idea=idea, **form.cleaned_data)
        )
        if saved is not None:
            messages.success(request, f"Saved the {saved.get_stage_display()} notes.")
            return redirect(f"{idea.get_absolute_url()}#pdca")
    idea = get_idea(request, pk)
    if form_class is not forms.NOTES_FORMS.get(idea.stage):
        # Written for a stage the idea has left: there is no such form on the page any more to show the reason by.
        messages.error(request, _errors(form))
        return redirect(f"{idea.get_absolute_url()}#pdca")
    return _detail_page(request, idea, bound={"notes": form}, status=400)


# --- Moves ----------------------------------------------------------------------------------------------------------


def _moved_message(idea: Idea) -> str:
    stage = idea.get_stage_display().lower()
    if idea.stage == Idea.Stage.ACCEPTED and idea.champion is not None:
        return f"{idea.reference} accepted; {idea.champion.display_name} is its champion."
    if idea.stage in {Idea.Stage.REJECTED, Idea.Stage.PARKED}:
        return f"{idea.reference} {stage}; the reason is shown on the idea for everyone, its submitter included."
    if idea.stage == Idea.Stage.PLAN and idea.cycle > 1:
        return f"{idea.reference} starts cycle {idea.cycle} in plan."
    return f"{idea.reference} moved to {stage}."


@require_POST
@role_required()
def advance(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Move an idea. From the idea page a refusal shows next to the form; from the board (a `next` address) it comes
    back as a message; a dragged card (asking for JSON) gets the message and its new card, or is snapped back."""
    idea = get_idea(request, pk)
    form = forms.AdvanceForm(request.POST)
    wants_json = "application/json" in request.headers.get("Accept", "")
    next_url = _safe_next(request)

    def call() -> Idea:
        data = form.cleaned_data
        return services.idea_advance(
            actor=request.user, idea=idea, to=data["to"], note=data["note"], champion=data["champion"]
        )

    try:
        moved = run_service(form, call) if form.is_valid() else None
    except PermissionDenied as refusal:
        if wants_json:
            return JsonResponse({"ok": False, "message": str(refusal)}, status=403)
        raise
    if wants_json:
        if moved is None:
            return JsonResponse({"ok": False, "message": _errors(form)}, status=400)
        card = prepare_card(
            board_ideas(Idea.objects.filter(pk=moved.pk), request.user).get(), request.user, timezone.now()
        )
        html = render_to_string("improvement/partials/card.html", {"idea": card, "next_url": next_url}, request)
        return JsonResponse({"ok": True, "message": _moved_message(moved), "stage": moved.stage, "card": html})
    if moved is not None:
        messages.success(request, _moved_message(moved))
        return redirect(next_url or moved.get_absolute_url())
    if next_url:
        messages.error(request, f"{idea.reference} was not moved: {_errors(form)}")
        return redirect(next_url)
    return _detail_page(request, get_idea(request, pk), bound={"move": form}, status=400)


@require_POST
@role_required()
def document_change(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """In Act: open a change request on the controlled document that standardises the idea."""
    idea = get_idea(request, pk)
    form = forms.DocumentChangeForm(request.POST, user=request.user, prefix="document")
    if form.is_valid():
        data = form.cleaned_data
        changed = run_service(
            form,
            lambda: services.idea_request_document_change(
                actor=request.user, idea=idea, document=data["document"], reason=data["reason"]
            ),
        )
        if changed is not None:
            messages.success(
                request,
                f"Change requested on {data['document'].number}. {changed.reference} can be standardized once the "
                "new revision is effective.",
            )
            return redirect(f"{idea.get_absolute_url()}#act")
    return _detail_page(request, get_idea(request, pk), bound={"document": form}, status=400)


# --- Files and history ----------------------------------------------------------------------------------------------


@role_required()
def attachment_download(request: AuthenticatedRequest, pk: int, file_pk: int) -> FileResponse:
    idea = get_idea(request, pk)
    attachment = get_object_or_404(Attachment, pk=file_pk, idea=idea)
    response = FileResponse(attachment.file.open("rb"), content_type=attachment.content_type)
    response["Content-Disposition"] = content_disposition(attachment.original_filename)
    response["Digest"] = digest_header(attachment.sha256)
    response["X-Content-Type-Options"] = "nosniff"
    return response


@role_required()
def history(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The idea's audit trail with its moves and files. An anonymous idea's submission names nobody: the service
    wrote its history rows with no user."""
    idea = get_idea(request, pk)
    changes = list(idea.stage_changes.all())
    attachments = list(idea.attachments.all())
    # Their labels name the idea: this one, without a query each.
    for change in changes:
        change.idea = idea
    for attachment in attachments:
        attachment.idea = idea
    return render_history(
        request, idea, *changes, *attachments, title=f"History of {idea}", back_url=idea.get_absolute_url()
    )
