"""What internal audits add to the "my work" dashboard and to the clause browser."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from audits.models import Audit, Finding
from qms.dashboard import PANEL_SIZE, Panel, WorkItem


def my_audits_panel(user: Any) -> Panel | None:
    """Open audits the user leads, works on as an auditor, or is audited in."""
    open_audits = (
        Audit.objects.filter(status__in=[Audit.Status.PLANNED, Audit.Status.IN_PROGRESS, Audit.Status.REPORTING])
        .filter(Q(lead_auditor=user) | Q(team=user) | Q(auditees=user))
        .distinct()
        .order_by("planned_start")
    )
    audits = list(open_audits[:PANEL_SIZE])
    if not audits:
        return None
    return Panel(
        title="Your audits",
        items=[
            WorkItem(
                title=str(audit),
                url=audit.get_absolute_url(),
                detail=f"{audit.get_status_display()} · planned {audit.planned_start:%Y-%m-%d}",
                overdue=audit.is_overdue,
            )
            for audit in audits
        ],
        empty_text="",
        total=open_audits.count(),
        order=25,
    )


def audits_for_clause(clause: Any, user: Any) -> QuerySet[Audit]:
    return Audit.objects.visible_to(user).filter(clauses=clause).order_by("-planned_start")


def findings_for_clause(clause: Any, user: Any) -> QuerySet[Finding]:
    return Finding.objects.filter(clause=clause, audit__in=Audit.objects.visible_to(user)).order_by("-created_at")
