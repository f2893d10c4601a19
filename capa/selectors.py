"""Reads of the CAPA module that are more than one query: "has this happened before?" and repeat counts; and the rules
of the CAPA figures (closed on time, found effective, a repeat nonconformity), written once for the registers' filters,
the maturity balance and the performance dashboard."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone

from capa.models import Capa, EffectivenessCheck, Nonconformity

RECURRENCE_WINDOW = timedelta(days=365 * 3)
SIMILAR_LIMIT = 8


@dataclass(frozen=True)
class Similar:
    """An earlier record like this one, and what it has in common with it."""

    record: Capa | Nonconformity
    reasons: tuple[str, ...]

    @property
    def kind(self) -> str:
        return "CAPA" if isinstance(self.record, Capa) else "Nonconformity"


def earlier_similar(record: Capa | Nonconformity, user: Any) -> list[Similar]:
    """Earlier nonconformities and CAPAs (of the last three years, visible to `user`) with the same clause, the same
    department or, for CAPAs, the same cause category: what a quality manager asks before treating a problem as new.
    Records linked to this one (a CAPA's own log entries) are not "earlier ones". Two queries, most recent first."""
    created = _moment(record)
    since = created - RECURRENCE_WINDOW
    clause_id, department_id = record.clause_id, record.department_id
    category = record.cause_category if isinstance(record, Capa) else ""

    capa_match = Q(pk__in=[])
    if clause_id:
        capa_match |= Q(clause_id=clause_id)
    if department_id:
        capa_match |= Q(department_id=department_id)
    if category:
        capa_match |= Q(cause_category=category)
    nc_match = Q(pk__in=[])
    if clause_id:
        nc_match |= Q(clause_id=clause_id)
    if department_id:
        nc_match |= Q(department_id=department_id)

    capas = (
        Capa.objects.visible_to(user)
        .filter(capa_match, created_at__lt=created, created_at__gte=since)
        .exclude(pk__in=[record.pk] if isinstance(record, Capa) else record.capas.values("pk"))
        .select_related("clause", "department")
        .order_by("-created_at")[:SIMILAR_LIMIT]
    )
    nonconformities = (
        Nonconformity.objects.visible_to(user)
        .filter(nc_match, reported_at__lt=created, reported_at__gte=since)
        .exclude(pk__in=[record.pk] if isinstance(record, Nonconformity) else record.nonconformities.values("pk"))
        .select_related("clause", "department")
        .order_by("-reported_at")[:SIMILAR_LIMIT]
    )

    def reasons(other: Capa | Nonconformity) -> tuple[str, ...]:
        found = []
        if clause_id and other.clause_id == clause_id:
            found.append(f"same clause {other.clause.number}")  # type: ignore[union-attr]
        if department_id and other.department_id == department_id:
            found.append(f"same department ({other.department})")
        if category and isinstance(other, Capa) and other.cause_category == category:
            found.append(f"same cause category ({other.get_cause_category_display().lower()})")
        return tuple(found)

    similar = [Similar(record=other, reasons=reasons(other)) for other in [*capas, *nonconformities]]
    similar.sort(key=lambda s: _moment(s.record), reverse=True)
    return similar[:SIMILAR_LIMIT]


def _moment(record: Capa | Nonconformity) -> Any:
    return record.created_at if isinstance(record, Capa) else record.reported_at


def is_repeat() -> Q:
    """A nonconformity that repeats an earlier one: an earlier entry within the 365 days before it with the same clause,
    or at the same place (location) in the same department. Department alone would make nearly every entry of a busy
    department a repeat. Earlier entries count whoever may see them: a repeat is a fact about the log."""
    earlier = Nonconformity.objects.filter(
        reported_at__lt=OuterRef("reported_at"),
        reported_at__gte=OuterRef("reported_at") - timedelta(days=365),
    )
    same_clause = earlier.filter(clause_id=OuterRef("clause_id"), clause_id__isnull=False)
    same_place = earlier.filter(
        department_id=OuterRef("department_id"), department_id__isnull=False, location__iexact=OuterRef("location")
    ).exclude(location="")
    return Q(Exists(same_clause)) | Q(Exists(same_place))


def repeat_nonconformities(*, since: Any = None) -> int:
    """How many nonconformities reported since `since` (default: the last 12 months) repeat an earlier one
    (`is_repeat`)."""
    since = since or timezone.now() - timedelta(days=365)
    return Nonconformity.objects.filter(reported_at__gte=since).filter(is_repeat()).count()


def closed_on_time() -> Q:
    """A CAPA closed on time: closed, on or before its due date (its closing day taken in the site's time zone)."""
    return Q(status=Capa.Status.CLOSED, closed_at__date__lte=F("due_date"))


def closure_counts(capas: QuerySet[Capa], *, start: datetime, end: datetime) -> dict[str, int]:
    """Of `capas`, those closed in [start, end) (`closed`) and those of them closed on time (`on_time`). One query."""
    return capas.filter(status=Capa.Status.CLOSED, closed_at__gte=start, closed_at__lt=end).aggregate(
        closed=Count("pk"), on_time=Count("pk", filter=closed_on_time())
    )


SIGNED_RESULTS = (EffectivenessCheck.Result.EFFECTIVE, EffectivenessCheck.Result.NOT_EFFECTIVE)


def effectiveness_counts(checks: QuerySet[EffectivenessCheck], *, start: datetime, end: datetime) -> dict[str, int]:
    """Of `checks`, those signed in [start, end) (`signed`), those that found the CAPA effective (`effective`) or not
    (`not_effective`), and on how many CAPAs a check failed (`failed_capas`: one CAPA may fail twice). An effective
    check closes its CAPA, so each CAPA has at most one. One query."""
    not_effective = Q(result=EffectivenessCheck.Result.NOT_EFFECTIVE)
    return checks.filter(result__in=SIGNED_RESULTS, verified_at__gte=start, verified_at__lt=end).aggregate(
        signed=Count("pk"),
        effective=Count("pk", filter=Q(result=EffectivenessCheck.Result.EFFECTIVE)),
        not_effective=Count("pk", filter=not_effective),
        failed_capas=Count("capa", filter=not_effective, distinct=True),
    )
