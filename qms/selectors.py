"""Reads of the shared records that are more than one query."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import Group
from django.db.models import Count, Prefetch, Q, QuerySet

from qms.models import Department, User
from qms.roles import Role


def users_with_roles() -> QuerySet[User]:
    """Users with their department and role groups loaded, for lists (a fixed number of queries per page)."""
    return User.objects.select_related("department").prefetch_related(
        Prefetch("groups", queryset=Group.objects.filter(name__in=Role.values), to_attr="role_groups")
    )


def departments_with_member_counts() -> QuerySet[Department]:
    return Department.objects.annotate(member_count=Count("members", filter=Q(members__is_active=True)))


def broker_status() -> str:
    """ "ok", "error", or "not configured" when Celery runs tasks in-process (no broker)."""
    if not settings.CELERY_BROKER_URL:
        return "not configured"
    from qms.celery import app

    try:
        with app.connection_for_write(settings.CELERY_BROKER_URL) as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
    except Exception:  # noqa: BLE001 - any failure to reach the broker is reported, not raised
        return "error"
    return "ok"


def holders_of(role: str) -> QuerySet[User]:
    """Active users who hold `role` as a group (who to tell when a record needs that role's attention)."""
    return User.objects.filter(is_active=True, groups__name=role).distinct()
