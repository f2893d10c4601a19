"""The daily CAPA digest: one message per person per day listing what is due, never one per action.

Owners of actions hear about their open actions due within three days or overdue; quality managers also hear about
open CAPAs past their due date and about effectiveness checks whose planned date has come (each check once).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from capa.models import Capa, CapaAction, EffectivenessCheck, ReminderDigest
from qms.history import stamp
from qms.models import User
from qms.roles import Role
from qms.selectors import holders_of
from qms.services import notify

DUE_SOON = timedelta(days=3)


@dataclass(frozen=True)
class DigestLine:
    """One item of a digest, in the words and with the link the message shows."""

    title: str
    detail: str
    url: str


@dataclass
class Digest:
    """What one person is told today."""

    actions: list[CapaAction] = field(default_factory=list)
    late_capas: list[Capa] = field(default_factory=list)
    checks: list[EffectivenessCheck] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.actions or self.late_capas or self.checks)

    def summary(self) -> str:
        parts = []
        if self.actions:
            parts.append(_count(len(self.actions), "action") + " due")
        if self.late_capas:
            parts.append(_count(len(self.late_capas), "CAPA") + " past due")
        if self.checks:
            parts.append(_count(len(self.checks), "effectiveness check") + " due")
        return ", ".join(parts)

    def listing(self) -> str:
        """The references listed, kept on the ReminderDigest row as the record of what was sent."""
        return "\n".join(
            [
                *(f"action {a.label} due {a.due_date:%Y-%m-%d}" for a in self.actions),
                *(f"CAPA {c.reference} due {c.due_date:%Y-%m-%d}" for c in self.late_capas),
                *(f"effectiveness check {c.capa.reference} planned {c.planned_date:%Y-%m-%d}" for c in self.checks),
            ]
        )


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def digests_for(today: date) -> dict[User, Digest]:
    """Everyone who has something due on `today`, with what it is; four queries, whatever the number of items."""
    digests: dict[User, Digest] = {}
    actions = (
        CapaAction.objects.filter(status=CapaAction.Status.OPEN, due_date__lte=today + DUE_SOON, owner__is_active=True)
        .exclude(capa__status__in=Capa.ENDED)
        .select_related("capa", "owner")
        .order_by("due_date", "capa__reference", "number")
    )
    for action in actions:
        digests.setdefault(action.owner, Digest()).actions.append(action)
    managers = list(holders_of(Role.QUALITY_MANAGER).order_by("pk"))
    if managers:
        late_capas = list(
            Capa.objects.exclude(status__in=Capa.ENDED)
            .filter(due_date__lt=today)
            .select_related("owner")
            .order_by("due_date", "reference")
        )
        # A check first reported today stays in today's digests, so a manager whose digest was not yet sent (a run
        # that stopped half-way, a manager added later in the day) still hears of it; from tomorrow it is left out.
        checks = list(
            EffectivenessCheck.objects.filter(result="", planned_date__lte=today)
            .filter(Q(reminded_on__isnull=True) | Q(reminded_on=today))
            .exclude(capa__status__in=Capa.ENDED)
            .select_related("capa")
            .order_by("planned_date", "capa__reference")
        )
        for manager in managers:
            digest = digests.setdefault(manager, Digest())
            digest.late_capas = late_capas
            digest.checks = checks
    return {person: digest for person, digest in digests.items() if digest}


def send_capa_digests(*, today: date | None = None) -> int:
    """Send today's digests. Each is claimed by its ReminderDigest row (one per person and day) in the transaction
    that sends it, so a second run, a second scheduler or a retried task sends nothing more. Returns how many were
    sent."""
    today = today or timezone.localdate()
    already = set(ReminderDigest.objects.filter(day=today).values_list("recipient_id", flat=True))
    sent = 0
    for person, digest in sorted(digests_for(today).items(), key=lambda pair: pair[0].pk):
        if person.pk not in already:
            sent += _send_once(person, digest, today)
    return sent


def _send_once(person: User, digest: Digest, today: date) -> int:
    with transaction.atomic():
        _, claimed = ReminderDigest.objects.get_or_create(
            recipient=person, day=today, defaults={"summary": digest.listing()}
        )
        if not claimed:
            return 0
        if digest.checks:
            _mark_reminded([check.pk for check in digest.checks], today)
        notify(
            recipients=[person],
            kind="capa_digest",
            subject=f"CAPA digest for {today:%Y-%m-%d}: {digest.summary()}",
            context=_message_context(digest, today),
            url=reverse("dashboard"),
        )
    return 1


def _mark_reminded(check_ids: list[int], today: date) -> None:
    # Saved one by one with a reason, not with QuerySet.update(): the history must show when the managers were told.
    for check in EffectivenessCheck.objects.select_for_update().filter(pk__in=check_ids, reminded_on__isnull=True):
        check.reminded_on = today
        stamp(check, actor=None, reason="Quality managers reminded that the effectiveness check is due")
        check.save()


def _message_context(digest: Digest, today: date) -> dict[str, object]:
    base = str(settings.SITE_URL).rstrip("/")
    actions = [
        DigestLine(
            title=f"{action.label}: {action.description[:120]}",
            detail=f"{'overdue since' if action.due_date < today else 'due'} {action.due_date:%Y-%m-%d}",
            url=base + action.get_absolute_url(),
        )
        for action in digest.actions
    ]
    late_capas = [
        DigestLine(
            title=f"{capa.reference} {capa.title}",
            detail=f"{capa.get_status_display()}, due {capa.due_date:%Y-%m-%d}, owner {capa.owner.display_name}",
            url=base + capa.get_absolute_url(),
        )
        for capa in digest.late_capas
    ]
    checks = [
        DigestLine(
            title=f"{check.capa.reference} {check.capa.title}",
            detail=f"planned {check.planned_date:%Y-%m-%d}" + (f": {check.criteria}" if check.criteria else ""),
            url=base + check.capa.get_absolute_url(),
        )
        for check in digest.checks
    ]
    return {"today": today, "actions": actions, "late_capas": late_capas, "checks": checks}
