"""The record of an import: who brought which files in, what the check found, and what was written."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from qms.roles import Role, has_role


class ImportRunQuerySet(models.QuerySet["ImportRun"]):
    def visible_to(self, user: Any) -> ImportRunQuerySet:
        """Imports are the quality managers' work: they see every one; nobody else any."""
        return self.all() if has_role(user, Role.QUALITY_MANAGER) else self.none()


class ImportRun(models.Model):
    """One master list (and its ZIP of files) brought in from an earlier system: checked first, then imported.

    The uploaded files are kept with their SHA-256, so the record shows exactly what was imported; the report of the
    last check or run is kept with it, line by line.
    """

    class Kind(models.TextChoices):
        USERS = "users", "People and departments"
        DOCUMENTS = "documents", "Documents in force"
        AUDITS = "audits", "Audit programme"
        CAPAS = "capas", "Open CAPAs and their actions"
        IDEAS = "ideas", "Idea backlog"

    class Status(models.TextChoices):
        CHECKING = "checking", "Checking"
        CHECKED = "checked", "Checked"  # the report says whether it can be imported
        IMPORTING = "importing", "Importing"
        IMPORTED = "imported", "Imported"
        FAILED = "failed", "Failed"  # the check or the run could not finish (the job says why); nothing was written

    kind = models.CharField(max_length=20, choices=Kind.choices)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.CHECKING)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="import_runs")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    master = models.FileField(max_length=300, editable=False)
    master_name = models.CharField(max_length=255)
    master_sha256 = models.CharField(max_length=64)
    # The second file, when the kind takes one: the documents' ZIP of files, or the CAPAs' list of actions.
    archive = models.FileField(max_length=300, blank=True, editable=False)
    archive_name = models.CharField(max_length=255, blank=True)
    archive_sha256 = models.CharField(max_length=64, blank=True)
    report = models.JSONField(default=dict, blank=True, help_text="The last check's or run's report, line by line.")
    job = models.ForeignKey("qms.Job", on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    history = HistoricalRecords()
    objects = ImportRunQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Import of {self.get_kind_display().lower()} from {self.master_name}"

    def get_absolute_url(self) -> str:
        return reverse("imports:detail", args=[self.pk])

    @property
    def problem_count(self) -> int:
        report = self.report or {}
        return int(report.get("errors", 0)) + len(report.get("file_errors", []))

    @property
    def can_import(self) -> bool:
        """The check found nothing wrong and something to bring in; an import already done is not run again."""
        report = self.report or {}
        return (
            self.status == ImportRun.Status.CHECKED
            and not report.get("errors")
            and not report.get("file_errors")
            and bool(report.get("created"))
        )
