"""What the CAPA module adds to the "my work" dashboard, to the clause browser and to the links shown on findings."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.urls import reverse

from capa.models import Capa, CapaAction, Nonconformity
from capa.selectors import repeat_nonconformities
from qms.dashboard import PANEL_SIZE, Panel, WorkItem
from qms.links import RecordLink
from qms.roles import Role, has_role


def my_actions_panel(user: Any) -> Panel | None:
    """Open actions the user owns, the soonest due first; two queries."""
    open_actions = (
        CapaAction.objects.filter(owner=user, status=CapaAction.Status.OPEN)
        .exclude(capa__status__in=Capa.ENDED)
        .select_related("capa")
        .order_by("due_date", "capa__reference", "number")
    )
    actions = list(open_actions[:PANEL_SIZE])
    if not actions:
        return None
    return Panel(
        title="Your CAPA actions",
        items=[
            WorkItem(
                title=f"{action.label} {action.description[:80]}",
                url=action.get_absolute_url(),
                detail=f"Due {action.due_date:%Y-%m-%d} · {action.capa.title}",
                overdue=action.is_overdue,
            )
            for action in actions
        ],
        empty_text="",
        total=open_actions.count(),
        order=15,
    )


def my_capas_panel(user: Any) -> Panel | None:
    """Open CAPAs the user owns, the soonest due first; two queries."""
    owned = Capa.objects.filter(owner=user).exclude(status__in=Capa.ENDED).order_by("due_date", "reference")
    capas = list(owned[:PANEL_SIZE])
    if not capas:
        return None
    return Panel(
        title="CAPAs you own",
        items=[
            WorkItem(
                title=str(capa),
                url=capa.get_absolute_url(),
                detail=f"{capa.get_status_display()} · due {capa.due_date:%Y-%m-%d}",
                overdue=capa.is_overdue,
            )
            for capa in capas
        ],
        empty_text="",
        total=owned.count(),
        order=16,
    )


def triage_panel(user: Any) -> Panel | None:
    """For quality managers: the open entries of the nonconformity log, oldest first, and how many nonconformities
    of the last 12 months repeat an earlier one; three queries."""
    if not has_role(user, Role.QUALITY_MANAGER):
        return None
    repeats = repeat_nonconformities()
    waiting = Nonconformity.objects.filter(status=Nonconformity.Status.OPEN).order_by("reported_at", "id")
    entries = list(waiting[:PANEL_SIZE])
    return Panel(
        title="Nonconformities to triage",
        items=[
            WorkItem(
                title=str(entry),
                url=entry.get_absolute_url(),
                detail=(
                    f"{entry.get_severity_display()} · {entry.get_source_display()} · "
                    f"reported {entry.reported_at:%Y-%m-%d}"
                    + (f" · customer reply due {entry.reply_due:%Y-%m-%d}" if entry.reply_due else "")
                ),
                overdue=entry.reply_overdue,
            )
            for entry in entries
        ],
        empty_text="Every nonconformity is triaged.",
        total=waiting.count(),
        more_url=reverse("capa:nonconformities") + "?status=open",
        order=17,
        note=f"Repeat nonconformities in the last 12 months: {repeats} (same clause, or same place in a department).",
        extra={"repeat_nonconformities": repeats},
    )


def capas_for_clause(clause: Any, user: Any) -> QuerySet[Capa]:
    return Capa.objects.visible_to(user).filter(clause=clause).order_by("-created_at")


def nonconformities_for_clause(clause: Any, user: Any) -> QuerySet[Nonconformity]:
    return Nonconformity.objects.visible_to(user).filter(clause=clause).order_by("-reported_at")


def finding_links(finding: Any, user: Any) -> list[RecordLink]:
    """On an audit finding: its CAPAs, or a way to raise one where it is a nonconformity without one and the user may
    (a quality manager or one of the audit's auditors). Asks no query when the finding's `capas` and its audit's team
    are prefetched."""
    capas = list(finding.capas.all())
    if capas:
        return [
            RecordLink(f"{capa.reference} ({capa.get_status_display().lower()})", capa.get_absolute_url())
            for capa in capas
        ]
    if finding.is_nonconformity and (has_role(user, Role.QUALITY_MANAGER) or finding.audit.is_auditor(user)):
        return [RecordLink("Raise CAPA", reverse("capa:raise-from-finding", args=[finding.pk]), style="primary")]
    return []
