"""The personal "my work" dashboard: panels that each module registers from its AppConfig.ready().

The shared base may not import the modules (they are higher floors), so they come to it: a panel is a function of
the user that returns what that user has to do in one area (approvals, actions, acknowledgements).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.urls import reverse

from qms.models import Notification


@dataclass
class WorkItem:
    title: str
    url: str
    detail: str = ""
    overdue: bool = False


@dataclass
class Panel:
    title: str
    items: list[WorkItem]
    empty_text: str
    total: int
    more_url: str = ""
    more: bool = False  # the total is a lower bound: there are more than `total` ("100+")
    order: int = 100
    note: str = ""  # one line under the title, e.g. a count that gives the items their context
    extra: dict[str, Any] = field(default_factory=dict)


PanelFunction = Callable[[Any], Panel | None]
_panels: list[PanelFunction] = []


def register_panel(function: PanelFunction) -> PanelFunction:
    if function not in _panels:
        _panels.append(function)
    return function


def panels_for(user: Any) -> list[Panel]:
    """The panels this user sees, in their order; a panel function returns None where it does not apply to the user."""
    panels = [panel for function in _panels if (panel := function(user)) is not None]
    return sorted(panels, key=lambda panel: panel.order)


PANEL_SIZE = 5


def unread_notifications_panel(user: Any) -> Panel:
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    latest = list(unread.order_by("-created_at")[:PANEL_SIZE])
    return Panel(
        title="Unread notifications",
        items=[
            WorkItem(title=n.subject, url=reverse("notification-open", args=[n.pk]), detail=n.body[:140])
            for n in latest
        ],
        empty_text="You are all caught up: no unread notifications.",
        total=unread.count(),
        more_url=reverse("notifications"),
        order=900,
    )
