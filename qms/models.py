"""Records every module shares: departments, users, the ISO 9001 clause catalogue, signatures, notifications, jobs."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.urls import reverse
from simple_history.models import HistoricalRecords

from qms.roles import Role, has_role, roles_of


class Department(models.Model):
    """An organisational unit: users belong to one, and records (documents, audits, ideas) name one."""

    name = models.CharField(max_length=100, unique=True)
    code = models.SlugField(max_length=20, unique=True, help_text="Short code used in lists, e.g. PROD.")
    is_active = models.BooleanField(default=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    """A person who signs in. Roles are Django groups (see `qms.roles`); a user belongs to one department."""

    department = models.ForeignKey(Department, on_delete=models.PROTECT, null=True, blank=True, related_name="members")
    job_title = models.CharField(max_length=100, blank=True)

    # The password hash and login times are not evidence of anything and would only leak into history extracts.
    # Group membership is how roles are granted, so who was given which role, when and by whom is kept too.
    history = HistoricalRecords(excluded_fields=["password", "last_login"], m2m_fields=["groups"])

    class Meta:
        ordering = ["last_name", "first_name", "username"]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username

    @property
    def roles(self) -> list[str]:
        return sorted(roles_of(self))

    @property
    def role_labels(self) -> list[str]:
        return [str(label) for value, label in Role.choices if value in roles_of(self)]

    def has_role(self, *roles: Role | str) -> bool:
        return not roles_of(self).isdisjoint(str(role) for role in roles)


class Clause(models.Model):
    """A clause of ISO 9001:2015, loaded from the catalogue shipped with the project; records link to clauses."""

    number = models.CharField(max_length=10, unique=True)
    title = models.CharField(max_length=200)
    parent = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="children")
    documented_information = models.TextField(
        blank=True, help_text="What the standard expects to be maintained (documents) or retained (records)."
    )
    # "10.2.1" must sort after "9.3" and "7.10" after "7.9": the number is stored as zero-padded parts.
    sort_key = models.CharField(max_length=40, editable=False, db_index=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["sort_key"]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    def save(self, *args: object, **kwargs: object) -> None:
        self.sort_key = clause_sort_key(self.number)
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def get_absolute_url(self) -> str:
        return reverse("clause-detail", args=[self.number])

    @property
    def depth(self) -> int:
        return self.number.count(".")

    @property
    def expects_documented_information(self) -> bool:
        return bool(self.documented_information)


def clause_sort_key(number: str) -> str:
    return ".".join(part.zfill(3) for part in number.split("."))


class Signature(models.Model):
    """An electronic signature: who signed what, when (UTC), with which meaning, over which content (SHA-256).

    Created only by `qms.signatures.record_signature`, which requires a password that was just checked again.
    Signatures are never changed or deleted.
    """

    class Meaning(models.TextChoices):
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"
        REVIEWED = "reviewed", "Reviewed"
        VERIFIED = "verified", "Verified"
        CLOSED = "closed", "Closed"

    signer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="signatures")
    # The name as it was when signing: a later rename must not change what a signed record shows.
    signer_name = models.CharField(max_length=300)
    signed_at = models.DateTimeField()
    meaning = models.CharField(max_length=20, choices=Meaning.choices)
    content_sha256 = models.CharField(max_length=64)
    comment = models.TextField(blank=True)
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    object_id = models.PositiveBigIntegerField()
    record = GenericForeignKey("content_type", "object_id")

    # No history: a signature is only ever inserted (nothing may change it), so a history table would repeat it.

    class Meta:
        ordering = ["-signed_at", "-id"]
        indexes = [models.Index(fields=["content_type", "object_id"], name="signature_record_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(content_sha256__regex=r"^[0-9a-f]{64}$"), name="signature_sha256_is_hex"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_meaning_display()} by {self.signer_name} at {self.signed_at:%Y-%m-%d %H:%M} UTC"


class SignatureFailure(models.Model):
    """A failed signing attempt (wrong password). Kept as a security record and used to throttle guessing."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="signature_failures")
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    meaning = models.CharField(max_length=20, choices=Signature.Meaning.choices)
    record_label = models.CharField(max_length=300)
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    # No history: rows are only ever inserted, so a history table would repeat them.

    class Meta:
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"Failed {self.meaning} signature by {self.user} at {self.at:%Y-%m-%d %H:%M}"


class Notification(models.Model):
    """A message to one user, shown in the notification centre and sent by email from a Celery task."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=50, help_text="Names the email templates under templates/notifications/.")
    subject = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=500, blank=True, help_text="Where the notification leads, a path in the app.")
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    # No history: a notification is a message, not a quality record; what it announces has the history.

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_unread_idx")]

    def __str__(self) -> str:
        return f"{self.subject} → {self.recipient}"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class Sequence(models.Model):
    """The last number handed out for a key ("document:SOP"). Only `qms.sequences.next_value` touches it."""

    key = models.CharField(max_length=50, unique=True)
    last_value = models.PositiveIntegerField(default=0)

    # No history: a counter, not a record; the numbered records keep their own history.

    class Meta:
        ordering = ["key"]

    def __str__(self) -> str:
        return f"{self.key}: {self.last_value}"


class JobQuerySet(models.QuerySet["Job"]):
    def visible_to(self, user: Any) -> JobQuerySet:
        """The one rule of who sees which job: its creator, and quality managers (who look after the system)."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        if has_role(user, Role.QUALITY_MANAGER):
            return self.all()
        return self.filter(created_by=user)


class Job(models.Model):
    """A piece of long work done in the background (an audit report PDF, an evidence pack), its progress and its file.

    `qms.jobs` creates, runs and retries jobs; the browser and the API poll the row while a Celery task works on it.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    kind = models.CharField(max_length=50, help_text='What the work makes, e.g. "audit_report".')
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    progress = models.PositiveSmallIntegerField(default=0, help_text="Percent done, 0 to 100.")
    message = models.CharField(
        max_length=200, blank=True, help_text='The current step, e.g. "Rendering the checklist".'
    )
    error = models.TextField(blank=True, help_text="Why the work failed, for the person who asked for it.")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="jobs")
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0, help_text="How many times a worker has started the work.")
    result_file = models.FileField(upload_to="jobs/", blank=True)
    result_name = models.CharField(max_length=200, blank=True, help_text="The name the file is downloaded under.")
    result_sha256 = models.CharField(max_length=64, blank=True)
    result_size = models.PositiveBigIntegerField(null=True, blank=True)
    result_content_type = models.CharField(max_length=100, blank=True)
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, null=True, blank=True)
    object_id = models.PositiveBigIntegerField(null=True, blank=True)
    subject = GenericForeignKey("content_type", "object_id")
    parameters = models.JSONField(default=dict, blank=True)

    # No history: a job is a piece of work, not a quality record; the records it reads and the files it produces
    # keep their own history. (That is also why `qms.jobs` may write progress with `QuerySet.update()`.)

    objects = JobQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["content_type", "object_id"], name="job_subject_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(progress__gte=0, progress__lte=100), name="job_progress_between_0_and_100"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.label} #{self.pk} ({self.get_status_display().lower()}, {self.progress}%)"

    def get_absolute_url(self) -> str:
        return reverse("job-detail", args=[self.pk])

    @property
    def label(self) -> str:
        """The kind as words ("audit_report" reads "Audit report")."""
        return self.kind.replace("_", " ").capitalize()

    @property
    def in_progress(self) -> bool:
        return self.status in {self.Status.PENDING, self.Status.RUNNING}


class QueuedTask(models.Model):
    """A Celery task waiting to be handed to the broker: the outbox of `qms.outbox`.

    Written in the transaction whose work the task follows up, and deleted once the broker has taken the message, so
    a broker that is down (or a process that dies between the commit and the hand-over) delays the work but never
    loses it: `qms.outbox.publish_waiting` hands over what is left.
    """

    task = models.CharField(
        max_length=200, help_text='The task\'s registered name, e.g. "qms.tasks.send_notification_email".'
    )
    args = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    attempts = models.PositiveIntegerField(default=0, help_text="Hand-overs to the broker that failed.")
    last_error = models.CharField(max_length=200, blank=True)

    # No history: a queued task is plumbing, not a quality record; the records its work changes keep their history.

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["created_at"], name="queuedtask_created_idx")]

    def __str__(self) -> str:
        return f"{self.task}{tuple(self.args)!r}"


from qms.evidence.models import EvidencePack  # noqa: E402,F401
from qms.imports.models import ImportRun  # noqa: E402,F401
from qms.trail.models import PendingSeal, TrailSeal  # noqa: E402,F401
