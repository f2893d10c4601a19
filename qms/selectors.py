"""Reads of the shared records that are more than one query."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.db.models import Count, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from qms.models import Department, QueuedTask, User
from qms.outbox import SWEEP_AFTER
from qms.roles import Role


def count_per_row(related: QuerySet[Any], link: str) -> Coalesce:
    """How many rows of `related` (an idea's votes, a CAPA's open actions) point through `link` at each row of the
    outer query, as a subquery probing `link`'s index. A page of 50 rows then counts for its 50: a join with GROUP BY
    reads every related row of the table before the page is cut, and two counts joined in one query would multiply
    each other."""
    counted = related.filter(**{link: OuterRef("pk")}).order_by().values(link).annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def users_with_roles() -> QuerySet[User]:
    """Users with their department and role groups loaded, for lists (a fixed number of queries per page)."""
    return User.objects.select_related("department").prefetch_related(
        Prefetch("groups", queryset=Group.objects.filter(name__in=Role.values), to_attr="role_groups")
    )


def departments_with_member_counts() -> QuerySet[Department]:
    return Department.objects.annotate(member_count=Count("members", filter=Q(members__is_active=True)))


def broker_status() -> str:
    """ "ok", "error", or "not configured" when Celery runs tasks in-process (no broker)."""
    from qms.celery import app

    if app.conf.task_always_eager:
        return "not configured"
    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
    except Exception:  # noqa: BLE001 - any failure to reach the broker is reported, not raised
        return "error"
    return "ok"


def cache_status() -> str:
    """ "ok", "error", or "not configured" when the cache is in process memory (no Redis)."""
    if settings.CACHES["default"]["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache":
        return "not configured"
    try:
        cache.get("healthz")
    except Exception:  # noqa: BLE001 - as above
        return "error"
    return "ok"


def tasks_waiting() -> int:
    """Queued work the broker has not taken for longer than the outbox's sweep waits: a backlog after an outage."""
    return QueuedTask.objects.filter(created_at__lte=timezone.now() - SWEEP_AFTER).count()


def holders_of(role: str) -> QuerySet[User]:
    """Active users who hold `role` as a group (who to tell when a record needs that role's attention)."""
    return User.objects.filter(is_active=True, groups__name=role).distinct()
