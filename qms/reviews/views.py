"""Browser views of management review: the register, starting a review, the review page with its inputs, meeting,
decisions and actions, the signature, the report PDF (a background job) and the history.

Every fetch is permission-checked (`get_review_for_user`); every write is one service call, whose refusals come back
as form errors next to the field (or a 403) through `qms.web.run_service`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms as django_forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.forms import BaseForm
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.html import format_html
from django.views.decorators.http import require_POST

from documents.models import Document
from qms.models import Job
from qms.permissions import AuthenticatedRequest, role_required
from qms.reviews import forms, services
from qms.reviews.inputs import sections_for
from qms.reviews.models import RUNNERS, ManagementReview, ReviewAction
from qms.reviews.report import decisions_with_actions, report_jobs
from qms.reviews.selectors import get_review_for_user, reviews_for
from qms.roles import has_role
from qms.views import render_history
from qms.web import client_ip, run_service, versioned

PAGE_SIZE = 50
RECENT_REPORTS = 5


# --- The register ---------------------------------------------------------------------------------------------------


@role_required()
def index(request: AuthenticatedRequest) -> HttpResponse:
    """Every review the user may see, newest period first, with its state, chair, decisions and open actions."""
    visible = ManagementReview.objects.visible_to(request.user)
    status = request.GET.get("status", "")
    reviews = reviews_for(request.user)
    if status in ManagementReview.Status.values:
        reviews = reviews.filter(status=status)
    page = Paginator(reviews, PAGE_SIZE).get_page(request.GET.get("page"))
    counts = visible.aggregate(
        total=Count("pk"), **{value: Count("pk", filter=Q(status=value)) for value in ManagementReview.Status.values}
    )
    context = {
        "page": page,
        "status": status,
        "counts": counts,
        "status_counts": [(value, label, counts[value]) for value, label in ManagementReview.Status.choices],
        "can_start": has_role(request.user, *RUNNERS),
    }
    return render(request, "reviews/review_list.html", context)


@role_required(*RUNNERS)
def create(request: AuthenticatedRequest) -> HttpResponse:
    form = forms.ReviewForm.for_new(request.POST or None)
    if request.method == "POST" and form.is_valid():
        review = run_service(form, lambda: services.review_create(actor=request.user, **form.cleaned_data))
        if review is not None:
            messages.success(
                request, f"Started {review.reference}. Its inputs are assembled from today's data for {review.period}."
            )
            return redirect(review)
    return render(request, "reviews/review_form.html", {"form": form}, status=400 if form.errors else 200)


# --- The review page ------------------------------------------------------------------------------------------------


def _stepper(review: ManagementReview) -> list[dict[str, str]]:
    """Preparing, held, signed, and where the review stands among them; a cancelled review shows no stepper."""
    if review.status not in ManagementReview.STEPS:
        return []
    position = ManagementReview.STEPS.index(ManagementReview.Status(review.status))

    def state(index: int) -> str:
        if index < position or review.is_signed:
            return "done"
        return "current" if index == position else "todo"

    return [{"label": step.label, "state": state(index)} for index, step in enumerate(ManagementReview.STEPS)]


def _set_choices(form: BaseForm, name: str, choices: list[tuple[Any, str]]) -> None:
    """Give a choice field of a page's many forms the choices read once for the page, so the page's queries do not
    grow with its actions. Validation still checks the value against the field's queryset."""
    field = form.fields[name]
    assert isinstance(field, django_forms.ChoiceField)
    field.choices = choices


@role_required()
def detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return _detail_page(request, get_review_for_user(request.user, pk))


def _detail_page(
    request: AuthenticatedRequest, review: ManagementReview, *, bound: BaseForm | None = None, status: int = 200
) -> HttpResponse:
    user = request.user
    attendees = sorted(review.attendees.all(), key=lambda person: (person.first_name, person.last_name))
    decisions = decisions_with_actions(review)
    runner = has_role(user, *RUNNERS)
    page_forms: dict[str, BaseForm] = {}
    if review.can_prepare(user):
        page_forms["details"] = versioned(forms.ReviewForm.for_review(review, prefix="details"), review)
        page_forms["written"] = versioned(
            forms.WrittenInputsForm(
                prefix="written",
                initial={"issues": review.issues, "resources": review.resources, "risk_actions": review.risk_actions},
            ),
            review,
        )
        page_forms["cancel"] = forms.ReasonForm(prefix="cancel")
    if runner and review.status in {ManagementReview.Status.PREPARING, ManagementReview.Status.HELD}:
        page_forms["meeting"] = forms.MeetingForm.for_review(review, prefix="meeting")
    if review.can_decide(user):
        page_forms["decision"] = forms.DecisionForm(prefix="decision")
    if review.can_sign(user):
        page_forms["sign"] = forms.SignForm(prefix="sign")
    if bound is not None and bound.prefix:
        page_forms[bound.prefix] = bound

    people: list[tuple[Any, str]] = []
    documents: list[tuple[Any, str]] = []
    if review.can_decide(user) or review.can_follow_up(user):
        people = [("", "Choose a person"), *((p.pk, forms._person_label(p)) for p in forms.people())]
    if review.can_follow_up(user):
        documents = [
            ("", "Choose a document"),
            *(
                (d.pk, f"{d.number} {d.title}")
                for d in Document.objects.visible_to(user).exclude(status=Document.Status.OBSOLETE).order_by("number")
            ),
        ]
    if "decision" in page_forms:
        _set_choices(page_forms["decision"], "action_owner", people)

    decision_rows: list[dict[str, Any]] = []
    for decision in decisions:
        prefix = f"action-{decision.pk}"
        action_form = page_forms.get(prefix) or (forms.ActionFields(prefix=prefix) if review.can_decide(user) else None)
        if action_form is not None:
            _set_choices(action_form, "owner", people)
        rows = [_action_row(review, action, user, page_forms, documents, bound) for action in decision.actions.all()]
        decision_rows.append({"decision": decision, "actions": rows, "action_form": action_form})

    reports = list(
        report_jobs(review).filter(pk__in=Job.objects.visible_to(user).values("pk")).order_by("-created_at", "-id")
    )
    context = {
        "review": review,
        "stepper": _stepper(review),
        "attendees": attendees,
        "sections": sections_for(review),
        "decision_rows": decision_rows,
        "decision_count": len(decisions),
        "action_count": sum(len(row["actions"]) for row in decision_rows),
        "signing_gaps": review.signing_gaps(decisions) if review.status == ManagementReview.Status.HELD else [],
        "runner": runner,
        "forms": page_forms,
        "open_form": bound.prefix if bound is not None else None,
        "done_reports": [job for job in reports if job.status == Job.Status.DONE][:RECENT_REPORTS],
        "report_jobs": [job for job in reports if job.in_progress],
        "failed_reports": [job for job in reports if job.status == Job.Status.FAILED][:1],
    }
    return render(request, "reviews/review_detail.html", context, status=status)


def _action_row(
    review: ManagementReview,
    action: ReviewAction,
    user: Any,
    page_forms: dict[str, BaseForm],
    documents: list[tuple[Any, str]],
    bound: BaseForm | None,
) -> dict[str, Any]:
    open_plain = action.status == ReviewAction.Status.OPEN
    handover = open_plain and review.can_follow_up(user)
    prefixes = {
        "complete": f"complete-{action.pk}",
        "cancel": f"cancel-action-{action.pk}",
        "capa": f"capa-{action.pk}",
        "idea": f"idea-{action.pk}",
        "change": f"change-{action.pk}",
    }
    row: dict[str, Any] = {
        "action": action,
        "follow_up": action.follow_up(),
        "open": bound is not None and bound.prefix in prefixes.values(),
    }
    row["complete_form"] = page_forms.get(prefixes["complete"]) or (
        forms.NoteForm(prefix=prefixes["complete"]) if action.can_complete(user) else None
    )
    row["cancel_form"] = page_forms.get(prefixes["cancel"]) or (
        forms.ReasonForm(prefix=prefixes["cancel"]) if handover else None
    )
    row["capa_form"] = page_forms.get(prefixes["capa"]) or (
        forms.CapaHandoverForm(prefix=prefixes["capa"]) if handover else None
    )
    row["idea_form"] = page_forms.get(prefixes["idea"]) or (
        forms.IdeaHandoverForm(prefix=prefixes["idea"]) if handover else None
    )
    change_form = page_forms.get(prefixes["change"]) or (
        forms.ChangeRequestForm(prefix=prefixes["change"], user=user) if handover else None
    )
    if change_form is not None:
        _set_choices(change_form, "document", documents)
    row["change_form"] = change_form
    return row


def _act(
    request: AuthenticatedRequest,
    pk: int,
    form: BaseForm,
    call: Callable[[ManagementReview, dict[str, Any]], Any],
    success: Callable[[ManagementReview], str],
    anchor: str = "",
    *,
    edits_review: bool = False,
) -> HttpResponse:
    """A POST on the review page: validate the form, make the one service call, and go back to the page; a refusal
    shows the page again with the form open and the reason next to its field. A form that `edits_review` saves only
    over the version of the review it was opened at (see `qms.web.versioned`)."""
    review = get_review_for_user(request.user, pk)
    if edits_review:
        versioned(form, review)
    if form.is_valid() and run_service(form, lambda: call(review, form.cleaned_data)) is not None:
        review.refresh_from_db()
        messages.success(request, success(review))
        return redirect(review.get_absolute_url() + anchor)
    review.refresh_from_db()
    return _detail_page(request, review, bound=form, status=400)


def _get_action(review: ManagementReview, action_pk: int) -> ReviewAction:
    action = get_object_or_404(review.actions.select_related("decision", "owner"), pk=action_pk)
    action.review = review
    return action


@require_POST
@role_required()
def edit_details(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        forms.ReviewForm(request.POST, prefix="details"),
        lambda review, data: services.review_update(actor=request.user, review=review, **data),
        lambda review: f"Saved {review.reference}.",
        edits_review=True,
    )


@require_POST
@role_required()
def edit_written(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        forms.WrittenInputsForm(request.POST, prefix="written"),
        lambda review, data: services.review_update(actor=request.user, review=review, **data),
        lambda review: "Saved the written inputs.",
        "#inputs",
        edits_review=True,
    )


@require_POST
@role_required()
def refresh(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        django_forms.Form(request.POST),
        lambda review, data: services.review_refresh_inputs(actor=request.user, review=review),
        lambda review: "The inputs were assembled again from today's data.",
        "#inputs",
    )


@require_POST
@role_required()
def record_meeting(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        forms.MeetingForm(request.POST, prefix="meeting"),
        lambda review, data: services.review_record_meeting(actor=request.user, review=review, **data),
        lambda review: f"The meeting is recorded; the inputs of {review.reference} are frozen as they were presented.",
        "#meeting",
    )


@require_POST
@role_required()
def cancel(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        forms.ReasonForm(request.POST, prefix="cancel"),
        lambda review, data: services.review_cancel(actor=request.user, review=review, reason=data["reason"]),
        lambda review: f"{review.reference} was cancelled.",
    )


@require_POST
@role_required()
def add_decision(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    def call(review: ManagementReview, data: dict[str, Any]) -> Any:
        actions = []
        if data["action_description"].strip():
            actions.append(
                services.ActionSpec(
                    description=data["action_description"], owner=data["action_owner"], due_date=data["action_due_date"]
                )
            )
        return services.decision_add(
            actor=request.user, review=review, kind=data["kind"], text=data["text"], actions=actions
        )

    form = forms.DecisionForm(request.POST, prefix="decision")
    return _act(request, pk, form, call, lambda review: "Decision recorded.", "#decisions")


@require_POST
@role_required()
def add_action(request: AuthenticatedRequest, pk: int, decision_pk: int) -> HttpResponse:
    def call(review: ManagementReview, data: dict[str, Any]) -> Any:
        decision = get_object_or_404(review.decisions.all(), pk=decision_pk)
        decision.review = review
        return services.action_add(actor=request.user, decision=decision, **data)

    form = forms.ActionFields(request.POST, prefix=f"action-{decision_pk}")
    return _act(request, pk, form, call, lambda review: "Action recorded.", f"#decision-{decision_pk}")


@require_POST
@role_required()
def complete_action(request: AuthenticatedRequest, pk: int, action_pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        forms.NoteForm(request.POST, prefix=f"complete-{action_pk}"),
        lambda review, data: services.action_complete(
            actor=request.user, action=_get_action(review, action_pk), note=data["note"]
        ),
        lambda review: "Action done.",
        f"#action-{action_pk}",
    )


@require_POST
@role_required()
def cancel_action(request: AuthenticatedRequest, pk: int, action_pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        forms.ReasonForm(request.POST, prefix=f"cancel-action-{action_pk}"),
        lambda review, data: services.action_cancel(
            actor=request.user, action=_get_action(review, action_pk), reason=data["reason"]
        ),
        lambda review: "Action cancelled; the reason is kept.",
        f"#action-{action_pk}",
    )


@require_POST
@role_required()
def raise_capa(request: AuthenticatedRequest, pk: int, action_pk: int) -> HttpResponse:
    created: list[Any] = []

    def call(review: ManagementReview, data: dict[str, Any]) -> Any:
        created.append(services.action_raise_capa(actor=request.user, action=_get_action(review, action_pk), **data))
        return created[-1]

    form = forms.CapaHandoverForm(request.POST, prefix=f"capa-{action_pk}")
    return _act(
        request,
        pk,
        form,
        call,
        lambda review: f"Opened {created[-1].reference} from the action.",
        f"#action-{action_pk}",
    )


@require_POST
@role_required()
def raise_idea(request: AuthenticatedRequest, pk: int, action_pk: int) -> HttpResponse:
    created: list[Any] = []

    def call(review: ManagementReview, data: dict[str, Any]) -> Any:
        created.append(services.action_raise_idea(actor=request.user, action=_get_action(review, action_pk), **data))
        return created[-1]

    form = forms.IdeaHandoverForm(request.POST, prefix=f"idea-{action_pk}")
    return _act(
        request,
        pk,
        form,
        call,
        lambda review: f"Submitted and accepted {created[-1].reference} from the action.",
        f"#action-{action_pk}",
    )


@require_POST
@role_required()
def request_change(request: AuthenticatedRequest, pk: int, action_pk: int) -> HttpResponse:
    created: list[Any] = []

    def call(review: ManagementReview, data: dict[str, Any]) -> Any:
        created.append(
            services.action_request_change(
                actor=request.user, action=_get_action(review, action_pk), document=data["document"]
            )
        )
        return created[-1]

    form = forms.ChangeRequestForm(request.POST, prefix=f"change-{action_pk}", user=request.user)
    return _act(
        request,
        pk,
        form,
        call,
        lambda review: f"Requested a change to {created[-1].document.number}; its owner decides on it.",
        f"#action-{action_pk}",
    )


@require_POST
@role_required()
def sign(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        forms.SignForm(request.POST, prefix="sign"),
        lambda review, data: services.review_sign(
            actor=request.user, review=review, password=data["password"], comment=data["comment"], ip=client_ip(request)
        ),
        lambda review: f"Signed: {review.reference} is approved and can no longer change.",
    )


@require_POST
@role_required()
def generate_pdf(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Ask for the review report PDF. HTMX gets the job's progress bar, which polls until the report is ready;
    without JavaScript the review page comes back with a message."""
    review = get_review_for_user(request.user, pk)
    form = django_forms.Form(request.POST)
    job = run_service(form, lambda: services.review_pdf_request(actor=request.user, review=review))
    if request.htmx:
        if job is None:
            errors = " ".join(str(error) for error in form.non_field_errors())
            return HttpResponse(format_html('<p class="job-error" role="alert">{}</p>', errors), status=400)
        job.refresh_from_db()  # with tasks run in-process the work may be done already: show where it stands
        return render(request, "qms/partials/job_progress.html", {"job": job})
    if job is not None:
        messages.success(request, "The report is being made. Reload this page in a moment to download it.")
    return redirect(f"{review.get_absolute_url()}#report")


@role_required()
def history(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    review = get_review_for_user(request.user, pk)
    decisions = list(review.decisions.select_related("review"))
    actions = list(review.actions.select_related("review"))
    return render_history(
        request, review, *decisions, *actions, title=f"History of {review}", back_url=review.get_absolute_url()
    )
