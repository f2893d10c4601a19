from typing import Any

from django.conf import settings
from django.http import HttpRequest

from qms.models import Notification
from qms.roles import Role, roles_of


def shell(request: HttpRequest) -> dict[str, Any]:
    """What the base layout needs on every page: the site name, the user's roles and the unread count (one query)."""
    user = request.user
    context: dict[str, Any] = {"site_title": settings.SITE_NAME, "Role": Role}
    if user.is_authenticated:
        context["user_roles"] = roles_of(user)
        context["unread_notifications"] = Notification.objects.filter(recipient=user, read_at__isnull=True).count()
    return context
