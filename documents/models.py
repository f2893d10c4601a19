"""Controlled documents (ISO 9001 7.5): documents, revisions, approvals, acknowledgements, reviews, change requests.

States and rules follow spec/domain.md, "Controlled documents". Whether a transition is allowed is answered by pure
methods here (`revision.can_submit(user)`); `documents.services` performs it. Who may see what is decided once, in
`DocumentQuerySet.visible_to` and `RevisionQuerySet.visible_to`.
"""

from __future__ import annotations

import calendar
from datetime import date
from typing import Any

from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.postgres.search import SearchVectorField
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from qms.models import Clause, Department, Signature
from qms.roles import Role, has_role

REVIEW_PERIOD_VALIDATORS = [MinValueValidator(1), MaxValueValidator(120)]


class DocumentType(models.Model):
    """A kind of document with its number prefix (SOP, WI, POL …). Quality managers maintain the list."""

    code = models.CharField(
        max_length=10,
        unique=True,
        validators=[RegexValidator(r"^[A-Z]{2,10}$", "Use 2 to 10 capital letters, e.g. SOP.")],
        help_text="Prefix of the document numbers, e.g. SOP gives SOP-0001.",
    )
    name = models.CharField(max_length=100)
    default_review_period_months = models.PositiveSmallIntegerField(default=12, validators=REVIEW_PERIOD_VALIDATORS)
    is_active = models.BooleanField(default=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} — {self.name}"


class DocumentQuerySet(models.QuerySet["Document"]):
    def visible_to(self, user: Any) -> DocumentQuerySet:
        """The one rule of who sees which document.

        Quality managers and auditors see every document. External auditors see effective and obsolete ones.
        Everyone else sees published documents (effective or obsolete) that are not restricted, restricted ones of
        their own department or distribution, and any document they own, wrote a revision of, or were asked to approve.
        """
        if has_role(user, Role.QUALITY_MANAGER, Role.AUDITOR):
            return self.all()
        published = Q(status__in=[Document.Status.EFFECTIVE, Document.Status.OBSOLETE])
        if has_role(user, Role.EXTERNAL_AUDITOR) and not has_role(user, Role.EMPLOYEE):
            return self.filter(published)
        if not has_role(user, Role.EMPLOYEE):
            return self.none()
        department_id: int | None = getattr(user, "department_id", None)
        in_distribution = Document.distribution_departments.through.objects.filter(
            document=OuterRef("pk"), department_id=department_id or 0
        )
        involved = Revision.objects.filter(document=OuterRef("pk")).filter(Q(author=user) | Q(approvals__approver=user))
        return self.filter(
            Q(owner=user)
            | Exists(involved)
            | (published & (Q(restricted=False) | Q(department_id=department_id) | Exists(in_distribution)))
        )


# Derived text kept for search and comparison: a document's search text and vector, a revision's extracted text. A
# 40-page procedure's run to hundreds of kilobytes, and no list shows them, so records are read without them unless
# asked (`.defer(None)`, or the field read on its own); select_related() does not go through these managers, so a
# query reaching documents or revisions through a join defers them itself (`heavy_fields_through`).
HEAVY_DOCUMENT_FIELDS = ("search_text", "search_vector")
HEAVY_REVISION_FIELDS = ("extracted_text",)


def heavy_fields_through(path: str, fields: tuple[str, ...]) -> list[str]:
    """`fields` of the record select_related() reaches by `path`, for `.defer()`: `("revision__document", ...)`."""
    return [f"{path}__{field}" for field in fields]


class DocumentManager(models.Manager.from_queryset(DocumentQuerySet)):  # type: ignore[misc]
    def get_queryset(self) -> DocumentQuerySet:
        return super().get_queryset().defer(*HEAVY_DOCUMENT_FIELDS)


class Document(models.Model):
    """A controlled document: its identity, ownership, distribution and review cycle. Content lives in revisions."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"  # nothing effective yet
        EFFECTIVE = "effective", "Effective"
        OBSOLETE = "obsolete", "Obsolete"

    number = models.CharField(max_length=20, unique=True, editable=False)
    document_type = models.ForeignKey(DocumentType, on_delete=models.PROTECT, related_name="documents")
    title = models.CharField(max_length=200)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="owned_documents")
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, null=True, blank=True, related_name="documents"
    )
    clauses = models.ManyToManyField(Clause, blank=True, related_name="documents")
    distribution_departments = models.ManyToManyField(
        Department, blank=True, related_name="distributed_documents", help_text="Departments whose people must read it."
    )
    distribution_roles = models.ManyToManyField(
        Group, blank=True, related_name="distributed_documents", help_text="Roles whose holders must read it."
    )
    restricted = models.BooleanField(
        default=False, help_text="Only its own department and its distribution may read it (besides quality staff)."
    )
    review_period_months = models.PositiveSmallIntegerField(default=12, validators=REVIEW_PERIOD_VALIDATORS)
    next_review_due = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    # Number, title and the effective revision's text, for search (see documents.search); derived, not history.
    search_text = models.TextField(blank=True, editable=False)
    # Its full-text vector, stored so that search neither rebuilds it per row nor per query: PostgreSQL fills it by
    # trigger from number, title (weighted higher) and search_text (documents/migrations/0003); empty on SQLite.
    search_vector = SearchVectorField(null=True, editable=False)

    history = HistoricalRecords(
        m2m_fields=["clauses", "distribution_departments", "distribution_roles"],
        excluded_fields=["search_text", "search_vector"],
    )
    objects = DocumentManager()

    class Meta:
        ordering = ["number"]
        indexes = [
            models.Index(fields=["status", "next_review_due"], name="document_review_due_idx"),
            models.Index(fields=["title"], name="document_title_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("documents:detail", args=[self.pk])

    def is_managed_by(self, user: Any) -> bool:
        """The owner and quality managers manage a document (metadata, revisions, change requests)."""
        return user.pk == self.owner_id or has_role(user, Role.QUALITY_MANAGER)

    def can_start_revision(self, user: Any) -> bool:
        return self.status != Document.Status.OBSOLETE and self.is_managed_by(user)

    def can_retire(self, user: Any) -> bool:
        return self.status == Document.Status.EFFECTIVE and has_role(user, Role.QUALITY_MANAGER)

    def can_confirm_review(self, user: Any) -> bool:
        return self.status == Document.Status.EFFECTIVE and self.is_managed_by(user)

    @property
    def review_overdue(self) -> bool:
        return self.next_review_due is not None and self.next_review_due < timezone.localdate()


class RevisionQuerySet(models.QuerySet["Revision"]):
    def visible_to(self, user: Any) -> RevisionQuerySet:
        """Revisions of documents the user sees; work in progress only to those involved and quality staff."""
        documents = Document.objects.visible_to(user)
        visible = self.filter(document__in=documents)
        if has_role(user, Role.QUALITY_MANAGER, Role.AUDITOR):
            return visible
        published = Q(status__in=Revision.PUBLISHED)
        involved = (
            Q(author=user)
            | Q(document__owner=user)
            | Exists(Approval.objects.filter(revision=OuterRef("pk"), approver=user))
        )
        return visible.filter(published | involved)


class RevisionManager(models.Manager.from_queryset(RevisionQuerySet)):  # type: ignore[misc]
    def get_queryset(self) -> RevisionQuerySet:
        return super().get_queryset().defer(*HEAVY_REVISION_FIELDS)


class Revision(models.Model):
    """One version of a document's content: a file, its digest, and its way through review to effective."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        IN_REVIEW = "in_review", "In review"
        APPROVED = "approved", "Approved"
        EFFECTIVE = "effective", "Effective"
        SUPERSEDED = "superseded", "Superseded"
        WITHDRAWN = "withdrawn", "Withdrawn"
        OBSOLETE = "obsolete", "Obsolete"

    # Revisions that are (or were) in force: what everyone may read.
    PUBLISHED = (Status.EFFECTIVE, Status.SUPERSEDED, Status.OBSOLETE)
    # Revisions on their way: a document has at most one of these at a time.
    IN_PROGRESS = (Status.DRAFT, Status.IN_REVIEW, Status.APPROVED)

    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="revisions")
    revision = models.PositiveIntegerField()
    file = models.FileField(max_length=300)
    original_filename = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveBigIntegerField()
    content_type = models.CharField(max_length=100)
    # Text of the file for search and comparison; derived from the file, so not repeated in history.
    extracted_text = models.TextField(blank=True)
    change_summary = models.TextField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="authored_revisions")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    review_round = models.PositiveSmallIntegerField(default=0, help_text="Incremented at each submission.")
    effective_date = models.DateField(null=True, blank=True, help_text="Planned date; today when left empty.")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    submitted_at = models.DateTimeField(null=True, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    effective_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True, help_text="When it was superseded, withdrawn or retired.")
    end_reason = models.TextField(blank=True)
    imported_from = models.CharField(
        max_length=500,
        blank=True,
        help_text="For a revision brought in from an earlier system: the master list, its line and the file; it was "
        "approved there, not here. Empty for revisions made here.",
    )
    approved_outside_by = models.CharField(
        max_length=300,
        blank=True,
        help_text="Who approved an imported revision in the earlier system, as it was listed.",
    )

    history = HistoricalRecords(excluded_fields=["extracted_text"])
    objects = RevisionManager()

    class Meta:
        ordering = ["document", "-revision"]
        indexes = [
            # "Documents to read", oldest first: walked in this order, the first few pending ones are found at once.
            models.Index(fields=["effective_at"], condition=Q(status="effective"), name="revision_in_force_since_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["document", "revision"], name="revision_number_unique_per_document"),
            models.UniqueConstraint(
                fields=["document"],
                condition=Q(status="effective"),
                name="one_effective_revision_per_document",
            ),
            models.UniqueConstraint(
                fields=["document"],
                condition=Q(status__in=["draft", "in_review", "approved"]),
                name="one_revision_in_progress_per_document",
            ),
            models.CheckConstraint(condition=Q(sha256__regex=r"^[0-9a-f]{64}$"), name="revision_sha256_is_hex"),
        ]

    def __str__(self) -> str:
        return f"{self.document.number} rev {self.revision}"

    def get_absolute_url(self) -> str:
        return reverse("documents:revision", args=[self.document_id, self.revision])

    @property
    def label(self) -> str:
        return f"{self.document.number} rev {self.revision}"

    def pending_approvals(self) -> models.QuerySet[Approval]:
        return self.approvals.filter(round=self.review_round, decision=Approval.Decision.PENDING)

    # --- Transition rules: pure, no I/O beyond the approval rows already loaded ----------------------------------
    def can_edit(self, user: Any) -> bool:
        """Only a draft changes, and only by its author or the document's managers."""
        return self.status == Revision.Status.DRAFT and (user.pk == self.author_id or self.document.is_managed_by(user))

    def can_submit(self, user: Any) -> bool:
        return self.can_edit(user)

    def can_withdraw(self, user: Any) -> bool:
        return self.can_edit(user)

    def can_decide(self, user: Any) -> bool:
        """An approver of the current round who has not decided yet, and never the author."""
        if self.status != Revision.Status.IN_REVIEW or user.pk == self.author_id:
            return False
        return any(
            approval.approver_id == user.pk and approval.decision == Approval.Decision.PENDING
            for approval in self.approvals.all()
            if approval.round == self.review_round
        )

    def can_acknowledge(self, user: Any) -> bool:
        return self.status == Revision.Status.EFFECTIVE


class Approval(models.Model):
    """One approver's decision on one review round of a revision, signed electronically."""

    class Decision(models.TextChoices):
        PENDING = "pending", "Pending"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"
        NOT_NEEDED = "not_needed", "Not needed (another approver rejected)"

    revision = models.ForeignKey(Revision, on_delete=models.PROTECT, related_name="approvals")
    round = models.PositiveSmallIntegerField()
    approver = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="approvals")
    decision = models.CharField(max_length=20, choices=Decision.choices, default=Decision.PENDING)
    comment = models.TextField(blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    signature = models.OneToOneField(Signature, on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    history = HistoricalRecords()

    class Meta:
        ordering = ["revision", "round", "id"]
        indexes = [
            # "Waiting for my approval": a person's few pending decisions among the thousands they made.
            models.Index(fields=["approver"], condition=Q(decision="pending"), name="approval_pending_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["revision", "round", "approver"], name="one_approval_per_approver_round"),
        ]

    def __str__(self) -> str:
        return f"{self.approver} on {self.revision} (round {self.round}): {self.get_decision_display()}"


class Acknowledgement(models.Model):
    """A person confirms they have read and understood an effective revision: a training record (7.2)."""

    revision = models.ForeignKey(Revision, on_delete=models.PROTECT, related_name="acknowledgements")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="acknowledgements")
    acknowledged_at = models.DateTimeField(default=timezone.now)

    # No history: an acknowledgement is only ever inserted and never changes.

    class Meta:
        ordering = ["-acknowledged_at"]
        constraints = [models.UniqueConstraint(fields=["revision", "user"], name="one_acknowledgement_per_revision")]

    def __str__(self) -> str:
        return f"{self.user} read {self.revision} on {self.acknowledged_at:%Y-%m-%d}"


class PeriodicReview(models.Model):
    """The owner's signed confirmation that a document was reviewed and stays valid unchanged."""

    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="periodic_reviews")
    revision = models.ForeignKey(Revision, on_delete=models.PROTECT, related_name="periodic_reviews")
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reviewed_at = models.DateTimeField(default=timezone.now)
    comment = models.TextField(blank=True)
    next_review_due = models.DateField()
    signature = models.OneToOneField(Signature, on_delete=models.PROTECT, related_name="+")

    history = HistoricalRecords()

    class Meta:
        ordering = ["-reviewed_at"]

    def __str__(self) -> str:
        return f"Review of {self.document.number} on {self.reviewed_at:%Y-%m-%d}"


class ReviewReminder(models.Model):
    """A periodic-review reminder that was sent: the unique key makes each reminder go out once per period,
    whatever retries or a second beat scheduler do."""

    class Kind(models.TextChoices):
        UPCOMING = "upcoming", "Review due soon"
        OVERDUE = "overdue", "Review overdue"

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="review_reminders")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    due_date = models.DateField()
    period = models.CharField(max_length=20, help_text="'before' for the upcoming reminder, the ISO week when overdue.")
    sent_at = models.DateTimeField(default=timezone.now)

    # No history: a log of messages sent.

    class Meta:
        ordering = ["-sent_at"]
        constraints = [
            models.UniqueConstraint(fields=["document", "kind", "due_date", "period"], name="one_reminder_per_period"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.document_id} ({self.period})"


class ChangeRequest(models.Model):
    """Someone asks for a document to change, with a reason; accepting it opens a new draft revision."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"

    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="change_requests")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)
    revision = models.ForeignKey(
        Revision, on_delete=models.PROTECT, null=True, blank=True, related_name="change_requests"
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"CR-{self.pk:04d} on {self.document.number}" if self.pk else "New change request"

    def can_decide(self, user: Any) -> bool:
        return self.status == ChangeRequest.Status.OPEN and self.document.is_managed_by(user)


def add_months(start: date, months: int) -> date:
    """`start` moved by whole months, clamped to the month's last day (31 Jan + 1 month = 28/29 Feb)."""
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))
