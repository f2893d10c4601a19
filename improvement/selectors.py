"""Reads of the improvement module that are more than one query: similar ideas, participation, wins, one person's
contributions."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from improvement.models import Comment, Idea, Vote
from qms.models import Department, User
from qms.selectors import count_per_row

PARTICIPATION_WINDOW = timedelta(days=90)
SIMILAR_LIMIT = 5
_WORD = re.compile(r"\w{4,}")
# Words too common in ideas to tell them apart.
_COMMON = frozenset({"with", "from", "that", "this", "have", "more", "line", "when", "should", "would", "could"})


def similar_ideas(text: str, user: Any, *, exclude_pk: int | None = None) -> list[Idea]:
    """Open or standardized ideas whose title or proposal shares the typed words, most shared words first: shown
    while someone types, so they vote for an existing idea instead of writing it again. One query."""
    words = sorted({w.lower() for w in _WORD.findall(text)} - _COMMON, key=len, reverse=True)[:6]
    if not words:
        return []
    matches = Q(pk__in=[])
    for word in words:
        matches |= Q(title__icontains=word) | Q(proposal__icontains=word)
    candidates = (
        Idea.objects.visible_to(user)
        .exclude(stage=Idea.Stage.REJECTED)
        .exclude(pk__in=[exclude_pk] if exclude_pk else [])
        .filter(matches)
        .annotate(vote_count=count_per_row(Vote.objects.all(), "idea"))
        .order_by("-created_at")[:50]
    )

    def shared(idea: Idea) -> int:
        haystack = f"{idea.title} {idea.proposal}".lower()
        return sum(word in haystack for word in words)

    ranked = sorted(candidates, key=lambda idea: (-shared(idea), -idea.vote_count))  # type: ignore[attr-defined]
    return [idea for idea in ranked if shared(idea) >= min(2, len(words))][:SIMILAR_LIMIT]


@dataclass(frozen=True)
class Participation:
    department: Department
    people: int
    taking_part: int

    @property
    def rate(self) -> float:
        return self.taking_part / self.people if self.people else 0.0


def active_participants(*, since: Any, until: Any = None) -> QuerySet[User]:
    """People who submitted (by name), voted or commented since `since` (and before `until`, when given). Anonymous
    ideas count for nobody: their submitter is not stored anywhere."""
    bounded = Q() if until is None else Q(at__lt=until)
    return User.objects.filter(is_active=True).filter(
        Q(
            pk__in=Idea.objects.filter(created_at__gte=since, submitter__isnull=False)
            .filter(Q() if until is None else Q(created_at__lt=until))
            .values("submitter")
        )
        | Q(pk__in=Vote.objects.filter(bounded, at__gte=since).values("voter"))
        | Q(pk__in=Comment.objects.filter(bounded, at__gte=since).values("author"))
    )


def participation_by_department(*, now: Any = None, since: Any = None, until: Any = None) -> list[Participation]:
    """Per department, the share of its active people who submitted, voted or commented in the last 90 days, or from
    `since` to before `until` when given. One query whatever the number of departments."""
    since = since or (now or timezone.now()) - PARTICIPATION_WINDOW
    taking_part = active_participants(since=since, until=until).values("pk")
    departments = (
        Department.objects.filter(is_active=True)
        .annotate(
            people=Count("members", filter=Q(members__is_active=True), distinct=True),
            taking_part=Count("members", filter=Q(members__is_active=True, members__in=taking_part), distinct=True),
        )
        .order_by("name")
    )
    return [Participation(d, d.people, d.taking_part) for d in departments if d.people]


def wins(user: Any) -> QuerySet[Idea]:
    """Standardized ideas, most recent first, with their champion and votes: the wall of what got better."""
    return (
        Idea.objects.visible_to(user)
        .filter(stage=Idea.Stage.STANDARDIZED)
        .select_related("department", "champion", "submitter")
        .annotate(vote_count=count_per_row(Vote.objects.all(), "idea"))
        .order_by("-stage_changed_at", "-id")
    )


def benefit_totals(ideas: QuerySet[Idea]) -> dict[str, Decimal]:
    """The measured benefits of `ideas`, summed by unit (hours, defects, money; "other" adds up unlike things, so it is
    left out): one query. Re-filtered by key, so that joins in `ideas` (a vote count) cannot count a benefit twice."""
    rows = (
        Idea.objects.filter(pk__in=ideas.values("pk"))
        .exclude(benefit_unit__in=["", Idea.BenefitUnit.OTHER])
        .values("benefit_unit")
        .annotate(total=Sum("benefit_amount"))
        .order_by()
    )
    return {row["benefit_unit"]: row["total"] or Decimal(0) for row in rows}


@dataclass(frozen=True)
class Contributions:
    submitted: list[Idea]
    championed: list[Idea]
    voted: int
    commented: int


def contributions_of(user: User) -> Contributions:
    """One person's own page: the ideas they submitted by name and champion, and how often they voted and commented.
    Their anonymous ideas are not listed: nothing links them to the person."""
    submitted = list(Idea.objects.filter(submitter=user).select_related("department").order_by("-created_at"))
    championed = list(Idea.objects.filter(champion=user).select_related("department").order_by("-created_at"))
    return Contributions(
        submitted=submitted,
        championed=championed,
        voted=Vote.objects.filter(voter=user).count(),
        commented=Comment.objects.filter(author=user).count(),
    )
