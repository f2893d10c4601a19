"""The evidence pack record: who asked for which period and clauses, and the ZIP that answers it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from qms.roles import Role, has_role

# Who may ask for a pack (spec/domain.md, "Roles"): quality managers, and internal and external auditors.
PACK_ROLES = (Role.QUALITY_MANAGER, Role.AUDITOR, Role.EXTERNAL_AUDITOR)
DEFAULT_EXPIRY_DAYS = 30


def expiry_days() -> int:
    """How long a pack is kept: `EVIDENCE_PACK_EXPIRY_DAYS` in the settings, 30 days when unset."""
    return int(getattr(settings, "EVIDENCE_PACK_EXPIRY_DAYS", DEFAULT_EXPIRY_DAYS))


def default_expires_at() -> Any:
    return timezone.now() + timedelta(days=expiry_days())


class EvidencePackQuerySet(models.QuerySet["EvidencePack"]):
    def visible_to(self, user: Any) -> EvidencePackQuerySet:
        """Quality managers see every pack; auditors and external auditors their own; nobody else any."""
        if has_role(user, Role.QUALITY_MANAGER):
            return self.all()
        if has_role(user, *PACK_ROLES):
            return self.filter(created_by=user)
        return self.none()


class EvidencePack(models.Model):
    """A ZIP of the evidence for a period and a set of clauses, built in the background by a job.

    The pack holds what its creator may see, as it was during the period. Its own SHA-256 and that of its manifest
    are kept so that a copy handed on can be checked against the record; every download is a history row.
    """

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="evidence_packs")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    period_start = models.DateField()
    period_end = models.DateField()
    clauses = models.JSONField(default=list, help_text='The clause numbers covered, e.g. ["7.5", "9.2"].')
    job = models.OneToOneField("qms.Job", on_delete=models.PROTECT, null=True, blank=True, related_name="evidence_pack")
    file = models.FileField(max_length=300, blank=True, editable=False)
    sha256 = models.CharField(max_length=64, blank=True, editable=False)
    size = models.PositiveBigIntegerField(null=True, blank=True, editable=False)
    manifest_sha256 = models.CharField(max_length=64, blank=True, editable=False)
    expires_at = models.DateTimeField(default=default_expires_at)
    downloads = models.PositiveIntegerField(default=0, editable=False, help_text="How many times it was downloaded.")

    history = HistoricalRecords()

    objects = EvidencePackQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(period_start__lte=models.F("period_end")), name="evidence_pack_period_in_order"
            ),
        ]

    def __str__(self) -> str:
        return f"Evidence pack #{self.pk} ({self.period_start} to {self.period_end})"

    @property
    def expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @property
    def ready(self) -> bool:
        return bool(self.file) and not self.expired

    @property
    def in_progress(self) -> bool:
        """Its job has not ended yet (a pack just asked for may not have its job linked for an instant)."""
        return self.job is None or self.job.in_progress
