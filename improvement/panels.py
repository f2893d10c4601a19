"""What the improvement module adds to the "my work" dashboard and to the links shown on audit findings and CAPAs.

Ideas name no clause, so the clause browser gets nothing from here. No panel and no link names an idea's submitter:
an anonymous idea has none, and a named one is its submitter's own business on these pages.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import timezone

from audits.models import Finding
from improvement.models import Idea, Vote
from qms.dashboard import PANEL_SIZE, Panel, WorkItem
from qms.links import RecordLink
from qms.roles import Role, has_role
from qms.selectors import count_per_row

FROM_AUDIT = frozenset({Finding.Type.OFI, Finding.Type.OBSERVATION})


def _days(since: Any) -> str:
    days = (timezone.now() - since).days
    return f"{days} day{'s' if days != 1 else ''}"


def championed_panel(user: Any) -> Panel | None:
    """Open ideas the user champions, the longest in its stage first; two queries."""
    open_ideas = Idea.objects.filter(champion=user).exclude(stage__in=Idea.DECIDED).order_by("stage_changed_at", "id")
    ideas = list(open_ideas[:PANEL_SIZE])
    if not ideas:
        return None
    return Panel(
        title="Ideas you champion",
        items=[
            WorkItem(
                title=str(idea),
                url=idea.get_absolute_url(),
                detail=f"{idea.get_stage_display()} for {_days(idea.stage_changed_at)} · "
                f"submitted {_days(idea.created_at)} ago",
            )
            for idea in ideas
        ],
        empty_text="",
        total=open_ideas.count(),
        more_url=reverse("improvement:contributions"),
        order=45,
    )


def decisions_panel(user: Any) -> Panel | None:
    """For quality managers: submitted ideas waiting to be accepted, rejected or parked, oldest first, with their
    votes; two queries."""
    if not has_role(user, Role.QUALITY_MANAGER):
        return None
    waiting = Idea.objects.filter(stage=Idea.Stage.SUBMITTED)
    ideas = list(
        waiting.select_related("department")
        .annotate(vote_count=count_per_row(Vote.objects.all(), "idea"))
        .order_by("created_at", "id")[:PANEL_SIZE]
    )
    return Panel(
        title="Ideas waiting for a decision",
        items=[
            WorkItem(
                title=str(idea),
                url=idea.get_absolute_url(),
                detail=f"{idea.vote_count} vote{'s' if idea.vote_count != 1 else ''} · "  # type: ignore[attr-defined]
                f"submitted {idea.created_at:%Y-%m-%d}" + (f" · {idea.department}" if idea.department else ""),
            )
            for idea in ideas
        ],
        empty_text="No idea is waiting for a decision.",
        total=waiting.count(),
        more_url=reverse("improvement:list") + "?stage=submitted&sort=oldest",
        order=46,
    )


def your_ideas_panel(user: Any) -> Panel | None:
    """The ideas the user submitted by name, the latest moved first, with their stage; two queries. Anonymous ideas
    are not the user's here: nothing links them to anyone."""
    submitted = Idea.objects.filter(submitter=user).order_by("-stage_changed_at", "-id")
    ideas = list(submitted[:PANEL_SIZE])
    if not ideas:
        return None
    return Panel(
        title="Your ideas",
        items=[
            WorkItem(
                title=str(idea),
                url=idea.get_absolute_url(),
                detail=f"{idea.get_stage_display()} since {idea.stage_changed_at:%Y-%m-%d}",
            )
            for idea in ideas
        ],
        empty_text="",
        total=submitted.count(),
        more_url=reverse("improvement:contributions"),
        order=50,
    )


def may_see(idea: Idea, user: Any) -> bool:
    """`IdeaQuerySet.visible_to` for an idea already fetched (prefetched on a finding or a CAPA): staff see every
    idea, external auditors the decided ones. Kept beside the links that need it, so no page asks a query per idea."""
    if has_role(user, Role.QUALITY_MANAGER, Role.AUDITOR, Role.EMPLOYEE):
        return True
    return has_role(user, Role.EXTERNAL_AUDITOR) and idea.stage in Idea.DECIDED


def may_turn_into_idea(finding: Finding, user: Any) -> bool:
    """An opportunity for improvement or an observation, turned into an idea by a quality manager or one of the
    audit's auditors (the rule `services.idea_from_finding` applies; the audit's team must be prefetched)."""
    return finding.type in FROM_AUDIT and (has_role(user, Role.QUALITY_MANAGER) or finding.audit.is_auditor(user))


def _idea_link(idea: Idea) -> RecordLink:
    return RecordLink(f"{idea.reference} ({idea.get_stage_display().lower()})", idea.get_absolute_url())


def finding_links(finding: Any, user: Any) -> list[RecordLink]:
    """On an audit finding: its idea, or "Turn into an idea" for an OFI or observation without one, for those who
    may. Asks no query when the finding's `ideas` and its audit's team are prefetched (the audit page does)."""
    ideas = list(finding.ideas.all())
    if ideas:
        return [_idea_link(idea) for idea in ideas if may_see(idea, user)]
    if may_turn_into_idea(finding, user):
        return [RecordLink("Turn into an idea", reverse("improvement:from-finding", args=[finding.pk]), "primary")]
    return []


def capa_links(capa: Any, user: Any) -> list[RecordLink]:
    """On a CAPA: the ideas spawned from it, and "Spawn a preventive idea" for its owner and quality managers. One
    query (the CAPA's ideas) per CAPA shown; the CAPA page shows one."""
    links = [_idea_link(idea) for idea in capa.ideas.all() if may_see(idea, user)]
    if capa.is_managed_by(user):
        links.append(RecordLink("Spawn a preventive idea", reverse("improvement:from-capa", args=[capa.pk]), "primary"))
    return links
