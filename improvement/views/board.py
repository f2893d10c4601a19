"""The PDCA board: one column per stage of the pipeline, a card per idea, the rejected and parked ideas folded away.

Who may move a card, and where to, comes from the model (`Idea.MOVES`, `Idea.may_move`): each card carries a small
"Move to …" form with exactly those stages, which works without JavaScript and from the keyboard; `improvement.js`
adds drag-and-drop on top, posting to the same advance view. The board is one query for its cards whatever their
number (a test pins the count), and shows at most CARDS_PER_COLUMN cards per stage, the most voted first: a company's
years of ideas would otherwise make a page nobody can read (and seconds to render). The column's heading counts all
its ideas, and a link opens the rest in the register.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count, F, Q, QuerySet, Window
from django.db.models.functions import RowNumber
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from improvement.models import Idea
from improvement.views.ideas import filter_ideas, querystring, voted_by, with_vote_count
from qms.models import Department
from qms.permissions import STAFF_ROLES, AuthenticatedRequest, role_required

BOARD_FILTERS = ("category", "department", "mine")
# Decided ideas stay on the board for a while, so a win or a "no" is seen; the register keeps them all.
DECIDED_SHOWN_FOR = timedelta(days=180)
FOLDED = (Idea.Stage.REJECTED, Idea.Stage.PARKED)
# How a move reads in a card's "Move to" list, where the plain stage name would not say enough.
MOVE_LABELS: dict[str, str] = {
    Idea.Stage.ACCEPTED: "Accepted (you become its champion)",
    Idea.Stage.REJECTED: "Rejected (say why in the note)",
    Idea.Stage.PARKED: "Parked (say why in the note)",
}
NEW_CYCLE_LABEL = "Plan: start a new cycle"
CARDS_PER_COLUMN = 20


def board_ideas(ideas: QuerySet[Idea], user: Any) -> QuerySet[Idea]:
    """Cards: the ideas with their votes, whether the user voted, their champion and department, in one query."""
    return voted_by(with_vote_count(ideas), user).select_related("champion", "department")


def top_cards(ideas: QuerySet[Idea], user: Any) -> QuerySet[Idea]:
    """The first CARDS_PER_COLUMN cards of each stage, most voted first, in one query.

    Only the ranking reads every idea on the board (their votes counted); what a card shows besides, the user's vote
    and the champion, is read for the cards placed (about 2,000 ideas ranked against 160 shown at 5,000 ideas)."""
    order = [F("vote_count").desc(), F("created_at").desc(), F("id").desc()]
    placed = (
        with_vote_count(ideas)
        .annotate(place=Window(RowNumber(), partition_by=F("stage"), order_by=order))
        .filter(place__lte=CARDS_PER_COLUMN)
    )
    return board_ideas(Idea.objects.filter(pk__in=placed.values("pk")), user).order_by(*order)


def prepare_card(idea: Idea, user: Any, now: datetime) -> Idea:
    """Attach what a card shows: its age, its links, and the moves this user may make (from `Idea.MOVES` and
    `may_move`). The links are made here once per card: the board shows up to 180 cards, each naming them twice."""
    idea.age_days = (now - idea.created_at).days  # type: ignore[attr-defined]
    idea.url = idea.get_absolute_url()  # type: ignore[attr-defined]
    moves = []
    for target in Idea.MOVES[idea.stage]:
        if idea.may_move(user, target):
            label = MOVE_LABELS.get(target, Idea.Stage(target).label)
            if idea.stage == Idea.Stage.ACT and target == Idea.Stage.PLAN:
                label = NEW_CYCLE_LABEL
            moves.append((target, label))
    idea.moves = moves  # type: ignore[attr-defined]
    idea.advance_url = reverse("improvement:advance", args=[idea.pk]) if moves else ""  # type: ignore[attr-defined]
    # Dragging reaches the board's columns only; rejecting and parking need a reason, so they go through the form.
    idea.drop_targets = " ".join(t for t, _ in moves if t in Idea.PIPELINE)  # type: ignore[attr-defined]
    return idea


@role_required()
def board(request: AuthenticatedRequest) -> HttpResponse:
    """Columns Submitted … Standardized with a card per idea, filtered by category, department or "mine"."""
    ideas, params = filter_ideas(request, BOARD_FILTERS)
    now = timezone.now()
    ideas = ideas.exclude(Q(stage__in=Idea.DECIDED) & Q(stage_changed_at__lt=now - DECIDED_SHOWN_FOR))
    cards = [prepare_card(idea, request.user, now) for idea in top_cards(ideas, request.user)]
    totals = dict(ideas.order_by().values_list("stage").annotate(Count("id")))
    by_stage: dict[str, list[Idea]] = {stage: [] for stage in Idea.Stage.values}
    for card in cards:
        by_stage[card.stage].append(card)
    register = reverse("improvement:list")
    filters = querystring(request, "stage")

    def column(stage: str) -> dict[str, Any]:
        shown, total = by_stage[stage], totals.get(stage, 0)
        more = f"{register}?{filters}{'&' if filters else ''}stage={stage}" if total > len(shown) else ""
        return {"stage": stage, "label": Idea.Stage(stage).label, "cards": shown, "total": total, "more": more}

    columns = [column(stage) for stage in Idea.PIPELINE]
    folded = [column(stage) for stage in FOLDED]
    context = {
        "columns": columns,
        "folded": folded,
        "folded_count": sum(group["total"] for group in folded),
        "params": params,
        "categories": Idea.Category.choices,
        "departments": Department.objects.filter(is_active=True),
        "filtered": any(params.values()),
        "can_submit": request.user.has_role(*STAFF_ROLES),
        "can_drag": any(card.drop_targets for card in cards),  # type: ignore[attr-defined]
        "decided_days": DECIDED_SHOWN_FOR.days,
        "next_url": request.get_full_path(),
        "current": "board",
    }
    return render(request, "improvement/idea_board.html", context)


# The module's home is its board, where every idea stands (as the CAPA module's home is its register).
index = board
