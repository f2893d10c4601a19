"""Browser views of the idea register: submitting an idea (with similar ideas shown while typing), the register with
its filters and sort orders, and its CSV export.

Every fetch is permission-checked (`Idea.objects.visible_to`); the one write here (submitting) is one service call,
whose refusals come back next to the field through `qms.web.run_service`. An anonymous idea stores no submitter, and
nothing here looks for one: pages and exports say "Anonymous".
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import UTC

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from improvement import forms, selectors, services
from improvement.models import Comment, Idea, Vote
from qms.models import Department
from qms.permissions import STAFF_ROLES, AuthenticatedRequest, role_required
from qms.selectors import count_per_row
from qms.uploads import content_disposition
from qms.web import EchoBuffer, csv_safe, day_param, run_service

PAGE_SIZE = 50
SORTS = {
    "votes": ("-vote_count", "-created_at", "-id"),
    "newest": ("-created_at", "-id"),
    "oldest": ("created_at", "id"),
    "moved": ("-stage_changed_at", "-id"),
}
SORT_LABELS = {"votes": "Most votes", "newest": "Newest", "oldest": "Oldest", "moved": "Recently moved"}
# The register's stage filter: each stage, and two groups of them.
STAGE_GROUPS = {"open": "Open", "decided": "Decided"}
SIMILAR_TEXT_LIMIT = 2000


def get_idea(request: AuthenticatedRequest, pk: int) -> Idea:
    """The idea, if the user may see it (404 otherwise), with what its page names."""
    ideas = Idea.objects.visible_to(request.user).select_related(
        "department",
        "submitter",
        "champion",
        "finding",
        "capa",
        "change_request__document",
        "change_request__revision",
    )
    return get_object_or_404(ideas, pk=pk)


def with_vote_count(ideas: QuerySet[Idea]) -> QuerySet[Idea]:
    """`ideas` with `vote_count`, in the same query."""
    return ideas.annotate(vote_count=count_per_row(Vote.objects.all(), "idea"))


def with_counts(ideas: QuerySet[Idea]) -> QuerySet[Idea]:
    """`ideas` with `vote_count` and `comment_count`, in the same query."""
    return with_vote_count(ideas).annotate(comment_count=count_per_row(Comment.objects.all(), "idea"))


def voted_by(ideas: QuerySet[Idea], user: object) -> QuerySet[Idea]:
    """`ideas` with whether `user` voted for each (`voted`), in the same query."""
    return ideas.annotate(voted=Exists(Vote.objects.filter(idea=OuterRef("pk"), voter_id=getattr(user, "pk", None))))


def submitter_label(idea: Idea) -> str:
    """Who submitted the idea, as pages and exports say it: "anonymous" when nobody was stored."""
    if idea.anonymous or idea.submitter is None:
        return "Anonymous"
    return idea.submitter.display_name


def querystring(request: AuthenticatedRequest, *drop: str) -> str:
    query = request.GET.copy()
    for key in ("page", *drop):
        query.pop(key, None)
    return query.urlencode()


# --- The register ---------------------------------------------------------------------------------------------------


def filter_ideas(request: AuthenticatedRequest, keys: tuple[str, ...]) -> tuple[QuerySet[Idea], dict[str, str]]:
    """The ideas the user sees, filtered by the query string's `keys` (q, stage, category, department, mine)."""
    params = {key: request.GET.get(key, "").strip() for key in keys}
    ideas = Idea.objects.visible_to(request.user)
    if params.get("q"):
        text = params["q"]
        ideas = ideas.filter(
            Q(reference__icontains=text)
            | Q(imported_reference__icontains=text)
            | Q(title__icontains=text)
            | Q(problem__icontains=text)
            | Q(proposal__icontains=text)
        )
    stage = params.get("stage", "")
    if stage in Idea.Stage.values:
        ideas = ideas.filter(stage=stage)
    elif stage == "open":
        ideas = ideas.exclude(stage__in=Idea.DECIDED)
    elif stage == "decided":
        ideas = ideas.filter(stage__in=Idea.DECIDED)
    if params.get("category") in Idea.Category.values:
        ideas = ideas.filter(category=params["category"])
    if params.get("department", "").isdigit():
        ideas = ideas.filter(department_id=int(params["department"]))
    if params.get("mine"):
        # Ideas submitted by name or championed; an anonymous idea is nobody's, not even its author's.
        ideas = ideas.filter(Q(submitter=request.user) | Q(champion=request.user))
    # Submitted between two days (ISO dates, both included): as the performance dashboard's numbers link here.
    if (first := day_param(params.get("submitted_from", ""))) is not None:
        ideas = ideas.filter(created_at__date__gte=first)
    if (last := day_param(params.get("submitted_to", ""))) is not None:
        ideas = ideas.filter(created_at__date__lte=last)
    return ideas, params


REGISTER_FILTERS = ("q", "stage", "category", "department", "mine", "sort", "submitted_from", "submitted_to")


@role_required()
def idea_list(request: AuthenticatedRequest) -> HttpResponse:
    """The idea register: every idea the user sees, filtered, sorted by votes or age, exported as CSV."""
    ideas, params = filter_ideas(request, REGISTER_FILTERS)
    ideas = voted_by(with_counts(ideas), request.user).select_related("department", "submitter", "champion")
    ideas = ideas.order_by(*SORTS.get(params["sort"], SORTS["newest"]))
    page = Paginator(ideas, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "params": params,
        "querystring": querystring(request),
        "stages": Idea.Stage.choices,
        "stage_groups": STAGE_GROUPS.items(),
        "categories": Idea.Category.choices,
        "departments": Department.objects.filter(is_active=True),
        "sorts": SORT_LABELS.items(),
        "filtered": any(value for key, value in params.items() if key != "sort"),
        "can_submit": request.user.has_role(*STAFF_ROLES),
        "current": "register",
    }
    return render(request, "improvement/idea_list.html", context)


EXPORT_HEADER = [
    "reference",
    "title",
    "stage",
    "category",
    "source",
    "department",
    "submitter",
    "champion",
    "votes",
    "comments",
    "cycle",
    "submitted_at_utc",
    "stage_changed_at_utc",
    "problem",
    "proposal",
    "expected_benefit",
    "target_metric",
    "baseline",
    "target",
    "measured_result",
    "benefit_unit",
    "benefit_amount",
    "decision_reason",
    "change_request",
    "no_document_change_reason",
]


@role_required()
def export_csv(request: AuthenticatedRequest) -> StreamingHttpResponse:
    """The register as CSV with its current filters, streamed. An anonymous idea's submitter is "anonymous"; cells a
    spreadsheet would run as formulas are kept as text (`csv_safe`)."""
    ideas, params = filter_ideas(request, REGISTER_FILTERS)
    ideas = with_counts(ideas).select_related("department", "submitter", "champion", "change_request__document")
    ideas = ideas.order_by(*SORTS.get(params["sort"], SORTS["newest"]))
    writer = csv.writer(EchoBuffer())

    def rows() -> Iterator[str]:
        yield writer.writerow(EXPORT_HEADER)
        for idea in ideas.iterator(chunk_size=500):
            change_request = idea.change_request
            yield writer.writerow(
                [
                    idea.reference,
                    csv_safe(idea.title),
                    idea.stage,
                    idea.category,
                    idea.source,
                    csv_safe(idea.department.name if idea.department else ""),
                    "anonymous" if idea.anonymous else csv_safe(submitter_label(idea)),
                    csv_safe(idea.champion.display_name if idea.champion else ""),
                    idea.vote_count,  # type: ignore[attr-defined]
                    idea.comment_count,  # type: ignore[attr-defined]
                    idea.cycle,
                    idea.created_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M"),
                    idea.stage_changed_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M"),
                    csv_safe(idea.problem),
                    csv_safe(idea.proposal),
                    csv_safe(idea.expected_benefit),
                    csv_safe(idea.target_metric),
                    csv_safe(idea.baseline),
                    csv_safe(idea.target),
                    csv_safe(idea.measured_result),
                    idea.benefit_unit,
                    "" if idea.benefit_amount is None else str(idea.benefit_amount),
                    csv_safe(idea.decision_reason),
                    str(change_request) if change_request is not None else "",
                    csv_safe(idea.no_document_change_reason),
                ]
            )

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition(f"idea-register-{timezone.localdate()}.csv")
    return response


# --- Submitting -----------------------------------------------------------------------------------------------------


@role_required(*STAFF_ROLES)
def submit(request: AuthenticatedRequest) -> HttpResponse:
    """Suggest an improvement: a short form that works on a phone. Similar ideas appear while typing (HTMX), so the
    person can vote for one instead of writing it again."""
    form = forms.IdeaForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        idea = run_service(form, lambda: services.idea_submit(actor=request.user, **form.service_arguments()))
        if idea is not None:
            if idea.anonymous:
                thanks = (
                    f"Thank you! {idea.reference} is on the board. It was submitted anonymously: no name was stored, "
                    "so follow it on the board to see it move."
                )
            else:
                thanks = f"Thank you! {idea.reference} is on the board. You will be told when it moves."
            messages.success(request, thanks)
            return redirect(idea)
    similar: list[Idea] = []
    if form.is_bound:
        similar = _similar(request, f"{request.POST.get('title', '')} {request.POST.get('proposal', '')}")
    context = {
        "form": form,
        "similar": similar,
        "searched": form.is_bound,
        "files_dropped": form.is_bound and bool(request.FILES),
        "current": "submit",
    }
    return render(request, "improvement/idea_form.html", context, status=400 if form.errors else 200)


def _similar(request: AuthenticatedRequest, text: str) -> list[Idea]:
    ideas = selectors.similar_ideas(text[:SIMILAR_TEXT_LIMIT], request.user)
    voted = set(Vote.objects.filter(voter=request.user, idea__in=ideas).values_list("idea_id", flat=True))
    for idea in ideas:
        idea.voted = idea.pk in voted  # type: ignore[attr-defined]
    return ideas


@require_GET
@role_required(*STAFF_ROLES)
def similar(request: AuthenticatedRequest) -> HttpResponse:
    """The ideas like the one being typed (`?q=`, or the submit form's title and proposal), each with a vote button."""
    text = " ".join([*request.GET.getlist("q"), request.GET.get("title", ""), request.GET.get("proposal", "")])
    context = {"similar": _similar(request, text), "searched": bool(text.strip()), "oob": True}
    return render(request, "improvement/partials/similar.html", context)
