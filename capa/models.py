"""Nonconformity and corrective action (ISO 9001 8.7, 10.2): CAPAs and what links them to their causes.

States follow spec/domain.md ("Nonconformity and corrective action"). This first part holds the CAPA record and its
link to audit findings; root-cause analysis, actions and effectiveness checks build on it.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from audits.models import Finding
from qms.models import Department
from qms.roles import Role, has_role


class CapaQuerySet(models.QuerySet["Capa"]):
    def visible_to(self, user: Any) -> CapaQuerySet:
        """Quality managers and auditors see every CAPA; external auditors the closed ones; employees those they own
        and those of their department."""
        if has_role(user, Role.QUALITY_MANAGER, Role.AUDITOR):
            return self.all()
        visible = Q(pk__in=[])
        if has_role(user, Role.EXTERNAL_AUDITOR):
            visible |= Q(status=Capa.Status.CLOSED)
        if has_role(user, Role.EMPLOYEE):
            visible |= Q(owner=user)
            if getattr(user, "department_id", None) is not None:
                visible |= Q(department_id=user.department_id)
        return self.filter(visible)


class Capa(models.Model):
    """A corrective or preventive action: the problem, its cause, what is done about it, and whether it worked."""

    class Kind(models.TextChoices):
        CORRECTIVE = "corrective", "Corrective"
        PREVENTIVE = "preventive", "Preventive"

    class Source(models.TextChoices):
        AUDIT_FINDING = "audit_finding", "Audit finding"
        CUSTOMER_COMPLAINT = "customer_complaint", "Customer complaint"
        INTERNAL = "internal", "Internal"
        SUPPLIER = "supplier", "Supplier"
        PROCESS_DEVIATION = "process_deviation", "Process deviation"

    class Severity(models.TextChoices):
        LOW = "low", "Low"
        MEDIUM = "medium", "Medium"
        HIGH = "high", "High"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        INVESTIGATING = "investigating", "Investigating"
        IMPLEMENTING = "implementing", "Implementing"
        VERIFYING = "verifying", "Verifying"
        CLOSED = "closed", "Closed"
        CANCELLED = "cancelled", "Cancelled"

    reference = models.CharField(max_length=20, unique=True, editable=False)
    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.CORRECTIVE)
    source = models.CharField(max_length=30, choices=Source.choices)
    severity = models.CharField(max_length=20, choices=Severity.choices, default=Severity.MEDIUM)
    problem = models.TextField(help_text="What happened, where, and how it was found.")
    containment = models.TextField(blank=True, help_text="What was done at once to limit the effect.")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="owned_capas")
    department = models.ForeignKey(Department, on_delete=models.PROTECT, null=True, blank=True, related_name="capas")
    due_date = models.DateField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN)
    findings = models.ManyToManyField(Finding, blank=True, related_name="capas")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    history = HistoricalRecords(m2m_fields=["findings"])
    objects = CapaQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "due_date"], name="capa_status_due_idx")]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("capa:index") + f"#capa-{self.pk}"

    @property
    def is_overdue(self) -> bool:
        open_states = {Capa.Status.CLOSED, Capa.Status.CANCELLED}
        return self.status not in open_states and self.due_date < timezone.localdate()
