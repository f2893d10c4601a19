"""Internal audits (ISO 9001 9.2): the yearly programme, audits, their checklists by clause, and findings.

States and rules follow spec/domain.md, "Internal audits". Whether a transition is allowed is answered by pure methods
here; `audits.services` performs it. Who sees which audit is decided once, in `AuditQuerySet.visible_to`.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from documents.models import Document
from qms.models import Clause, Department
from qms.roles import Role, has_role


class AuditProgramme(models.Model):
    """The internal audit programme of one year: its objectives, and the audits planned under it."""

    year = models.PositiveSmallIntegerField(unique=True)
    objectives = models.TextField(blank=True, help_text="What this year's audits should achieve, and their focus.")

    history = HistoricalRecords()

    class Meta:
        ordering = ["-year"]

    def __str__(self) -> str:
        return f"Audit programme {self.year}"


class AuditQuerySet(models.QuerySet["Audit"]):
    def visible_to(self, user: Any) -> AuditQuerySet:
        """Quality managers and auditors see every audit; external auditors see closed ones; employees see audits of
        their own department and those they take part in."""
        if has_role(user, Role.QUALITY_MANAGER, Role.AUDITOR):
            return self.all()
        visible = Q(pk__in=[])
        if has_role(user, Role.EXTERNAL_AUDITOR):
            visible |= Q(status=Audit.Status.CLOSED)
        if has_role(user, Role.EMPLOYEE):
            department_id = getattr(user, "department_id", None)
            involved = Audit.auditees.through.objects.filter(audit=models.OuterRef("pk"), user_id=user.pk)
            visible |= Q(models.Exists(involved))
            if department_id is not None:
                visible |= Q(department_id=department_id)
        return self.filter(visible)


class Audit(models.Model):
    """One internal audit: what is audited against which criteria, by whom, when, and how it went."""

    class Status(models.TextChoices):
        PLANNED = "planned", "Planned"
        IN_PROGRESS = "in_progress", "In progress"
        REPORTING = "reporting", "Reporting"
        CLOSED = "closed", "Closed"
        CANCELLED = "cancelled", "Cancelled"

    reference = models.CharField(max_length=20, unique=True, editable=False)
    programme = models.ForeignKey(AuditProgramme, on_delete=models.PROTECT, related_name="audits")
    title = models.CharField(max_length=200)
    scope = models.TextField()
    department = models.ForeignKey(Department, on_delete=models.PROTECT, null=True, blank=True, related_name="audits")
    clauses = models.ManyToManyField(Clause, related_name="audits", help_text="The ISO 9001 clauses audited.")
    documents = models.ManyToManyField(
        Document, blank=True, related_name="audits", help_text="Controlled documents audited against."
    )
    lead_auditor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="led_audits")
    team = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="audit_teams")
    auditees = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="audits_as_auditee")
    planned_start = models.DateField()
    planned_end = models.DateField()
    actual_start = models.DateField(null=True, blank=True)
    actual_end = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PLANNED)
    conclusion = models.TextField(blank=True, help_text="The audit's overall conclusion, written when reporting.")
    cancel_reason = models.TextField(blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    imported_reference = models.CharField(
        max_length=50,
        blank=True,
        help_text="For an audit brought in from an earlier system's programme: its reference there. Empty for audits "
        "planned here.",
    )

    history = HistoricalRecords(m2m_fields=["clauses", "documents", "team", "auditees"])
    objects = AuditQuerySet.as_manager()

    class Meta:
        ordering = ["-planned_start", "reference"]
        constraints = [
            models.CheckConstraint(
                condition=Q(planned_end__gte=models.F("planned_start")), name="audit_planned_dates_in_order"
            ),
            # What makes an import safe to run again: a row is recognised by its earlier reference, in any case.
            models.UniqueConstraint(
                Lower("imported_reference"),
                condition=~Q(imported_reference=""),
                name="one_audit_per_imported_reference",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("audits:detail", args=[self.pk])

    def is_auditor(self, user: Any) -> bool:
        """The lead auditor and the team run the audit; quality managers may act for them."""
        return (
            user.pk == self.lead_auditor_id
            or any(member.pk == user.pk for member in self.team.all())
            or has_role(user, Role.QUALITY_MANAGER)
        )

    def can_start(self, user: Any) -> bool:
        return self.status == Audit.Status.PLANNED and self.is_auditor(user)

    def can_report(self, user: Any) -> bool:
        return self.status == Audit.Status.IN_PROGRESS and self.is_auditor(user)

    def can_record_findings(self, user: Any) -> bool:
        return self.status in {Audit.Status.IN_PROGRESS, Audit.Status.REPORTING} and self.is_auditor(user)

    @property
    def is_overdue(self) -> bool:
        open_states = {Audit.Status.PLANNED, Audit.Status.IN_PROGRESS}
        return self.status in open_states and self.planned_end < timezone.localdate()


class ChecklistTemplate(models.Model):
    """A reusable audit question for a clause, kept by quality managers; new checklists start from these."""

    clause = models.ForeignKey(Clause, on_delete=models.PROTECT, related_name="checklist_templates")
    question = models.TextField()
    order = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(default=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["clause__sort_key", "order", "id"]

    def __str__(self) -> str:
        return f"{self.clause.number}: {self.question[:60]}"


class ChecklistItem(models.Model):
    """One question of an audit's checklist, with what the auditor found."""

    class Result(models.TextChoices):
        NOT_CHECKED = "not_checked", "Not checked"
        CONFORMING = "conforming", "Conforming"
        NONCONFORMING = "nonconforming", "Nonconforming"
        OBSERVATION = "observation", "Observation"
        NOT_APPLICABLE = "not_applicable", "Not applicable"

    audit = models.ForeignKey(Audit, on_delete=models.PROTECT, related_name="checklist_items")
    clause = models.ForeignKey(Clause, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    question = models.TextField()
    order = models.PositiveSmallIntegerField(default=0)
    result = models.CharField(max_length=20, choices=Result.choices, default=Result.NOT_CHECKED)
    notes = models.TextField(blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["audit", "order", "id"]

    def __str__(self) -> str:
        return f"{self.audit.reference} #{self.order}: {self.question[:60]}"


class Finding(models.Model):
    """What an audit found: a nonconformity, an observation or an opportunity for improvement."""

    class Type(models.TextChoices):
        MAJOR_NC = "major_nc", "Major nonconformity"
        MINOR_NC = "minor_nc", "Minor nonconformity"
        OBSERVATION = "observation", "Observation"
        OFI = "ofi", "Opportunity for improvement"

    NONCONFORMITIES = (Type.MAJOR_NC, Type.MINOR_NC)

    audit = models.ForeignKey(Audit, on_delete=models.PROTECT, related_name="findings")
    reference = models.CharField(max_length=30, unique=True, editable=False)
    type = models.CharField(max_length=20, choices=Type.choices)
    clause = models.ForeignKey(Clause, on_delete=models.PROTECT, related_name="findings")
    statement = models.TextField(help_text="What was found, in one or two sentences.")
    requirement = models.TextField(blank=True, help_text="The requirement that was (not) met.")
    evidence = models.TextField(blank=True, help_text="The objective evidence seen.")
    department = models.ForeignKey(Department, on_delete=models.PROTECT, null=True, blank=True, related_name="findings")
    checklist_item = models.ForeignKey(
        ChecklistItem, on_delete=models.PROTECT, null=True, blank=True, related_name="findings"
    )
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    history = HistoricalRecords()

    class Meta:
        ordering = ["reference"]

    def __str__(self) -> str:
        return f"{self.reference} {self.get_type_display()}: {self.statement[:60]}"

    def get_absolute_url(self) -> str:
        return reverse("audits:detail", args=[self.audit_id]) + f"#finding-{self.pk}"

    @property
    def is_nonconformity(self) -> bool:
        return self.type in Finding.NONCONFORMITIES

    @property
    def has_capa(self) -> bool:
        """Whether a CAPA answers this finding. The CAPA module links to findings (a `capas` reverse relation); until
        it is installed, no finding has one."""
        capas = getattr(self, "capas", None)
        # `.all()` rather than `.exists()`: lists prefetch "capas", and then this asks no query at all.
        return capas is not None and bool(capas.all())


class AuditReminder(models.Model):
    """A reminder that was sent about an audit; the unique key makes each go out once, whatever retries happen."""

    class Kind(models.TextChoices):
        TWO_WEEKS = "two_weeks", "Audit in two weeks"
        ONE_WEEK = "one_week", "Audit in one week"
        OVERDUE = "overdue", "Audit overdue"

    audit = models.ForeignKey(Audit, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    planned_date = models.DateField(
        help_text="The planned date the reminder was about; a re-planned audit is reminded again."
    )
    sent_at = models.DateTimeField(default=timezone.now)

    # No history: a log of messages sent.

    class Meta:
        ordering = ["-sent_at"]
        constraints = [
            models.UniqueConstraint(fields=["audit", "kind", "planned_date"], name="one_audit_reminder_per_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.audit_id}"


class AuditReportQuerySet(models.QuerySet["AuditReport"]):
    def visible_to(self, user: Any) -> AuditReportQuerySet:
        """A report is seen by whoever sees its audit."""
        return self.filter(audit__in=Audit.objects.visible_to(user))


class AuditReport(models.Model):
    """One generated audit report PDF, kept as it was made: the file its job stored, with its SHA-256 and size.

    Rows are only ever inserted (by `audits.services.audit_report_record`), and the file is never written again. The
    report made after the audit is closed is the final one; there is at most one, and it is never replaced.
    """

    audit = models.ForeignKey(Audit, on_delete=models.PROTECT, related_name="reports")
    job = models.OneToOneField("qms.Job", on_delete=models.PROTECT, related_name="audit_report")
    version = models.PositiveIntegerField(help_text="1, 2, 3… per audit, in the order the reports were asked for.")
    final = models.BooleanField(default=False, help_text="The report of the closed audit, frozen by its closing.")
    file = models.FileField(max_length=300, editable=False)
    sha256 = models.CharField(max_length=64, editable=False)
    size = models.PositiveBigIntegerField(editable=False)
    generated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    generated_at = models.DateTimeField(default=timezone.now, editable=False)

    history = HistoricalRecords()
    objects = AuditReportQuerySet.as_manager()

    class Meta:
        ordering = ["audit", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["audit", "version"], name="one_audit_report_per_version"),
            models.UniqueConstraint(fields=["audit"], condition=Q(final=True), name="one_final_report_per_audit"),
            models.CheckConstraint(condition=Q(sha256__regex=r"^[0-9a-f]{64}$"), name="audit_report_sha256_is_hex"),
        ]

    def __str__(self) -> str:
        return f"{self.name}{' (final)' if self.final else ''}"

    @property
    def name(self) -> str:
        """IA-2026-004-report-v3: the audit and the version, as the PDF's file is named."""
        return f"{self.audit.reference}-report-v{self.version}"

    @property
    def download_name(self) -> str:
        return f"{self.name}.pdf"


class EvidenceFile(models.Model):
    """A file shown as evidence for a checklist answer (a photo, a record, a scan), checked like document uploads."""

    checklist_item = models.ForeignKey(ChecklistItem, on_delete=models.PROTECT, related_name="evidence_files")
    file = models.FileField(max_length=300)
    original_filename = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveBigIntegerField()
    content_type = models.CharField(max_length=100)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        ordering = ["checklist_item", "uploaded_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(sha256__regex=r"^[0-9a-f]{64}$"), name="evidence_sha256_is_hex"),
        ]

    def __str__(self) -> str:
        return f"{self.original_filename} ({self.checklist_item.audit.reference} #{self.checklist_item.order})"
