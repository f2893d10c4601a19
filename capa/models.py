"""Nonconformity and corrective action (ISO 9001 8.7, 10.2): the nonconformity log, CAPAs with their root-cause
analysis, actions and effectiveness checks.

States follow spec/domain.md ("Nonconformity and corrective action"). Whether a step is allowed is decided here, by
pure methods without I/O (`Capa.blockers_for`); the services in `capa/services.py` make the steps.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from audits.models import Finding
from documents.models import ChangeRequest, Document
from qms.models import Clause, Department, Signature
from qms.roles import Role, has_role


class Source(models.TextChoices):
    """Where a nonconformity or CAPA comes from; shared by both, since a CAPA raised from a log entry keeps it."""

    AUDIT_FINDING = "audit_finding", "Audit finding"
    CUSTOMER_COMPLAINT = "customer_complaint", "Customer complaint"
    INTERNAL = "internal", "Internal"
    SUPPLIER = "supplier", "Supplier"
    PROCESS_DEVIATION = "process_deviation", "Process deviation"


class Severity(models.TextChoices):
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"


class CauseCategory(models.TextChoices):
    """The 6M categories of the fishbone; a CAPA's summary cause is filed under one so repeat causes can be counted."""

    PEOPLE = "people", "People"
    METHOD = "method", "Method"
    MACHINE = "machine", "Machine"
    MATERIAL = "material", "Material"
    MEASUREMENT = "measurement", "Measurement"
    ENVIRONMENT = "environment", "Environment"


def _visible_to_employee(user: Any, owner_field: str) -> Q:
    visible = Q(**{owner_field: user})
    if getattr(user, "department_id", None) is not None:
        visible |= Q(department_id=user.department_id)
    return visible


# --- Nonconformity log ----------------------------------------------------------------------------------------------


class NonconformityQuerySet(models.QuerySet["Nonconformity"]):
    def visible_to(self, user: Any) -> NonconformityQuerySet:
        """Quality managers and auditors see the whole log; external auditors the entries that are dealt with;
        employees what they reported and what concerns their department."""
        if has_role(user, Role.QUALITY_MANAGER, Role.AUDITOR):
            return self.all()
        visible = Q(pk__in=[])
        if has_role(user, Role.EXTERNAL_AUDITOR):
            visible |= ~Q(status=Nonconformity.Status.OPEN)
        if has_role(user, Role.EMPLOYEE):
            visible |= _visible_to_employee(user, "reported_by")
        return self.filter(visible)


class Nonconformity(models.Model):
    """An entry in the nonconformity log: something did not meet a requirement. Anyone reports it; a quality manager
    triages it, closing it with a disposition or escalating it to a CAPA."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed with a disposition"
        ESCALATED = "escalated", "Escalated to a CAPA"

    class Disposition(models.TextChoices):
        """What is done with the nonconforming output (ISO 9001 8.7.1)."""

        CORRECTED = "corrected", "Corrected"
        REWORK = "rework", "Reworked"
        USE_AS_IS = "use_as_is", "Used as is (concession)"
        SCRAP = "scrap", "Scrapped"
        RETURN_TO_SUPPLIER = "return_to_supplier", "Returned to supplier"
        NO_ACTION = "no_action", "No action needed"

    reference = models.CharField(max_length=20, unique=True, editable=False)
    title = models.CharField(max_length=200)
    description = models.TextField(help_text="What happened.")
    location = models.CharField(max_length=200, blank=True, help_text="Where: line, site, product, process.")
    source = models.CharField(max_length=30, choices=Source.choices, default=Source.INTERNAL)
    severity = models.CharField(max_length=20, choices=Severity.choices, default=Severity.MEDIUM)
    containment = models.TextField(blank=True, help_text="What was done at once to contain it.")
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, null=True, blank=True, related_name="nonconformities"
    )
    clause = models.ForeignKey(Clause, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    finding = models.ForeignKey(
        Finding, on_delete=models.PROTECT, null=True, blank=True, related_name="nonconformities"
    )
    customer = models.CharField(max_length=200, blank=True)
    customer_reference = models.CharField(max_length=100, blank=True)
    reply_due = models.DateField(null=True, blank=True, help_text="When the customer must have an answer.")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN)
    disposition = models.CharField(max_length=30, choices=Disposition.choices, blank=True)
    disposition_note = models.TextField(blank=True)
    triaged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    triaged_at = models.DateTimeField(null=True, blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reported_nonconformities"
    )
    reported_at = models.DateTimeField(default=timezone.now, editable=False)

    history = HistoricalRecords()
    objects = NonconformityQuerySet.as_manager()

    class Meta:
        ordering = ["-reported_at", "-id"]
        indexes = [
            # The log's order, and the two ways an entry repeats an earlier one (capa.selectors.is_repeat).
            models.Index(fields=["-reported_at", "-id"], name="nonconformity_log_order_idx"),
            models.Index(fields=["clause", "reported_at"], name="nonconformity_clause_time_idx"),
            models.Index(fields=["department", "reported_at"], name="nonconformity_dept_time_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(source="customer_complaint") | ~Q(customer=""), name="complaint_names_its_customer"
            ),
            models.CheckConstraint(
                condition=~Q(status="closed") | ~Q(disposition=""), name="closed_nonconformity_has_disposition"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("capa:nonconformity", args=[self.pk])

    @property
    def is_complaint(self) -> bool:
        return self.source == Source.CUSTOMER_COMPLAINT

    @property
    def reply_overdue(self) -> bool:
        return self.status == Nonconformity.Status.OPEN and self.reply_due is not None and self.reply_due < _today()

    def can_triage(self, user: Any) -> bool:
        return self.status == Nonconformity.Status.OPEN and has_role(user, Role.QUALITY_MANAGER)


# --- CAPA -----------------------------------------------------------------------------------------------------------


class CapaQuerySet(models.QuerySet["Capa"]):
    def visible_to(self, user: Any) -> CapaQuerySet:
        """Quality managers and auditors see every CAPA; external auditors the closed ones; employees those they own,
        those of their department, and those where they own an action."""
        if has_role(user, Role.QUALITY_MANAGER, Role.AUDITOR):
            return self.all()
        visible = Q(pk__in=[])
        if has_role(user, Role.EXTERNAL_AUDITOR):
            visible |= Q(status=Capa.Status.CLOSED)
        if has_role(user, Role.EMPLOYEE):
            visible |= _visible_to_employee(user, "owner") | Q(
                pk__in=CapaAction.objects.filter(owner=user).values("capa")
            )
        return self.filter(visible)


class Capa(models.Model):
    """A corrective or preventive action: the problem, its cause, what is done about it, and whether it worked."""

    Source = Source
    Severity = Severity
    CauseCategory = CauseCategory

    class Kind(models.TextChoices):
        CORRECTIVE = "corrective", "Corrective"
        PREVENTIVE = "preventive", "Preventive"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        INVESTIGATING = "investigating", "Investigating"
        IMPLEMENTING = "implementing", "Implementing"
        VERIFYING = "verifying", "Verifying"
        CLOSED = "closed", "Closed"
        CANCELLED = "cancelled", "Cancelled"

    class Method(models.TextChoices):
        FIVE_WHYS = "five_whys", "5 Whys"
        FISHBONE = "fishbone", "Fishbone (6M)"

    reference = models.CharField(max_length=20, unique=True, editable=False)
    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.CORRECTIVE)
    source = models.CharField(max_length=30, choices=Source.choices)
    severity = models.CharField(max_length=20, choices=Severity.choices, default=Severity.MEDIUM)
    problem = models.TextField(help_text="What happened, where, and how it was found.")
    containment = models.TextField(blank=True, help_text="What was done at once to limit the effect.")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="owned_capas")
    department = models.ForeignKey(Department, on_delete=models.PROTECT, null=True, blank=True, related_name="capas")
    clause = models.ForeignKey(Clause, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    due_date = models.DateField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN)
    findings = models.ManyToManyField(Finding, blank=True, related_name="capas")
    nonconformities = models.ManyToManyField(Nonconformity, blank=True, related_name="capas")
    root_cause_method = models.CharField(max_length=20, choices=Method.choices, blank=True)
    root_cause_analysis = models.JSONField(
        default=list,
        blank=True,
        help_text='5 Whys: [{"why": …, "because": …}, …] in order. Fishbone: {"people": [causes], "method": […], …}.',
    )
    root_cause = models.TextField(blank=True, help_text="The root cause in one or two sentences.")
    cause_category = models.CharField(max_length=20, choices=CauseCategory.choices, blank=True)
    cancel_reason = models.TextField(blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    imported_reference = models.CharField(
        max_length=50,
        blank=True,
        help_text="For a CAPA brought in from an earlier system: its reference there (what people still call it). "
        "Empty for CAPAs opened here.",
    )

    history = HistoricalRecords(m2m_fields=["findings", "nonconformities"])
    objects = CapaQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "due_date"], name="capa_status_due_idx")]
        constraints = [
            # What makes an import safe to run again: a row is recognised by its earlier reference, in any case.
            models.UniqueConstraint(
                Lower("imported_reference"), condition=~Q(imported_reference=""), name="one_capa_per_imported_reference"
            ),
        ]

    # The forward steps of the domain page; closing is `verify`, and cancelling is possible from any open state.
    NEXT_STEP = {
        Status.OPEN: Status.INVESTIGATING,
        Status.INVESTIGATING: Status.IMPLEMENTING,
        Status.IMPLEMENTING: Status.VERIFYING,
    }
    ENDED = frozenset({Status.CLOSED, Status.CANCELLED})
    # Where work brought in from an earlier system may start: any open state. Closed CAPAs stay in that system.
    IMPORTABLE = (Status.OPEN, Status.INVESTIGATING, Status.IMPLEMENTING, Status.VERIFYING)

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("capa:detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status not in Capa.ENDED

    @property
    def is_overdue(self) -> bool:
        return self.is_open and self.due_date < _today()

    @property
    def days_open(self) -> int:
        end = self.closed_at or timezone.now()
        return (end - self.created_at).days

    def is_managed_by(self, user: Any) -> bool:
        """The owner and quality managers run a CAPA: they write its analysis, plan its actions and move it on."""
        return user.pk == self.owner_id or has_role(user, Role.QUALITY_MANAGER)

    def can_edit(self, user: Any) -> bool:
        return self.is_open and self.is_managed_by(user)

    def can_edit_analysis(self, user: Any) -> bool:
        return self.status in {Capa.Status.OPEN, Capa.Status.INVESTIGATING} and self.is_managed_by(user)

    def can_plan_actions(self, user: Any) -> bool:
        return self.status in {
            Capa.Status.OPEN,
            Capa.Status.INVESTIGATING,
            Capa.Status.IMPLEMENTING,
        } and self.is_managed_by(user)

    def can_cancel(self, user: Any) -> bool:
        return self.is_open and has_role(user, Role.QUALITY_MANAGER)

    def can_verify(self, user: Any) -> bool:
        return self.status == Capa.Status.VERIFYING and has_role(user, Role.QUALITY_MANAGER)

    @property
    def next_step(self) -> str | None:
        return Capa.NEXT_STEP.get(Capa.Status(self.status))

    def blockers_for(self, target: str, actions: list[CapaAction], checks: list[EffectivenessCheck]) -> list[str]:
        """What still stands between this CAPA and `target`, in words a user can act on; empty when the step is allowed.

        This is the one place that states the rules of the state machine and of closing (spec/domain.md): the
        services refuse with these messages, and the CAPA page lists them before the user tries.
        `actions` and `checks` are this CAPA's, passed in so that a page that already holds them asks no query.
        """
        if target == Capa.Status.CANCELLED:
            return [] if self.is_open else [f"A {self.get_status_display().lower()} CAPA cannot be cancelled."]
        expected: dict[str, str] = {step: origin for origin, step in Capa.NEXT_STEP.items()}
        expected[Capa.Status.CLOSED] = Capa.Status.VERIFYING
        if target not in expected:
            return [f"A CAPA cannot be moved to {target!r}."]
        if self.status != expected[target]:
            wrong_state = (
                f"Only a CAPA in {Capa.Status(expected[target]).label.lower()} can move to "
                f"{Capa.Status(target).label.lower()}; this one is {self.get_status_display().lower()}."
            )
            # Closing lists everything still missing, so the page can show the whole way there.
            return (
                [wrong_state, *self._missing_for(target, actions, checks)]
                if target == Capa.Status.CLOSED
                else [wrong_state]
            )
        return self._missing_for(target, actions, checks)

    def blockers_to_start_in(self, status: str, actions: list[CapaAction]) -> list[str]:
        """What this CAPA lacks to come in from an earlier system already in `status`: everything each step from open
        to there needs here, so that it goes on (and closes) like a CAPA that took those steps here. An imported CAPA
        in implementing without its analysis, say, would be stuck: closing needs it, and from implementing on the
        analysis no longer changes."""
        if status not in Capa.IMPORTABLE:
            return [f"A CAPA cannot come in as {status!r}; only open ones do ({', '.join(Capa.IMPORTABLE)})."]
        blockers: list[str] = []
        step = Capa.Status.OPEN
        while step != status:
            step = Capa.NEXT_STEP[step]
            blockers += self._missing_for(step, actions, [])
        return blockers

    def closing_gaps(self, actions: list[CapaAction], checks: list[EffectivenessCheck]) -> list[str]:
        """Everything still missing before this CAPA can close, whatever its state now: what the page and the API
        show under "to close". The last step is always the signed check, which is the act of closing."""
        if not self.is_open:
            return []
        return [*self._missing_for(Capa.Status.CLOSED, actions, checks), CLOSING_SIGNATURE]

    def _missing_for(self, target: str, actions: list[CapaAction], checks: list[EffectivenessCheck]) -> list[str]:
        blockers: list[str] = []
        live_actions = [a for a in actions if a.status != CapaAction.Status.CANCELLED]
        if target in {Capa.Status.IMPLEMENTING, Capa.Status.CLOSED}:
            if not self.root_cause.strip():
                blockers.append("Write the root cause (the summary of the analysis).")
            if not self.cause_category:
                blockers.append("File the root cause under a cause category.")
            if not self.root_cause_method or not self.root_cause_analysis:
                blockers.append("Record the analysis: a 5 Whys chain or a fishbone.")
        if target == Capa.Status.IMPLEMENTING:
            failed = [c.verified_at for c in checks if c.result == EffectivenessCheck.Result.NOT_EFFECTIVE]
            if not live_actions:
                blockers.append("Plan at least one action.")
            elif failed and not any(a.created_at > max(d for d in failed if d) for a in live_actions):
                blockers.append("The last effectiveness check failed: plan at least one new action.")
        if target in {Capa.Status.VERIFYING, Capa.Status.CLOSED}:
            if not any(a.status == CapaAction.Status.DONE for a in actions):
                blockers.append("At least one action must be done.")
            unfinished = [a for a in actions if a.status == CapaAction.Status.OPEN]
            if unfinished:
                names = ", ".join(a.label for a in unfinished)
                blockers.append(f"Finish or cancel (with a reason) every action: {names} still open.")
        return blockers


CLOSING_SIGNATURE = "A quality manager signs the effectiveness check effective (in verifying), which closes the CAPA."


def _today() -> date:
    return timezone.localdate()


# --- Actions --------------------------------------------------------------------------------------------------------


class CapaAction(models.Model):
    """One thing to do about a CAPA's cause, owned by one person. An action that changes a controlled document opens
    a change request on it and is done when the new revision becomes effective."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        DONE = "done", "Done"
        CANCELLED = "cancelled", "Cancelled"

    capa = models.ForeignKey(Capa, on_delete=models.PROTECT, related_name="actions")
    number = models.PositiveIntegerField(help_text="1, 2, 3 … within the CAPA.")
    description = models.TextField()
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="capa_actions")
    due_date = models.DateField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN)
    document = models.ForeignKey(
        Document, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        help_text="The controlled document this action changes, if any.",
    )  # fmt: skip
    change_request = models.OneToOneField(
        ChangeRequest, on_delete=models.PROTECT, null=True, blank=True, related_name="capa_action"
    )
    evidence = models.TextField(blank=True, help_text="What was done, and where it shows.")
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    cancel_reason = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    history = HistoricalRecords()

    class Meta:
        ordering = ["capa", "number"]
        constraints = [
            models.UniqueConstraint(fields=["capa", "number"], name="one_number_per_capa_action"),
            models.CheckConstraint(
                condition=~Q(status="cancelled") | ~Q(cancel_reason=""), name="cancelled_action_has_reason"
            ),
        ]
        indexes = [models.Index(fields=["owner", "status", "due_date"], name="capa_action_owner_due_idx")]

    def __str__(self) -> str:
        return f"{self.label}: {self.description[:80]}"

    def get_absolute_url(self) -> str:
        return reverse("capa:detail", args=[self.capa_id]) + f"#action-{self.pk}"

    @property
    def label(self) -> str:
        return f"{self.capa.reference}/A{self.number}"

    @property
    def is_overdue(self) -> bool:
        return self.status == CapaAction.Status.OPEN and self.due_date < _today()

    @property
    def changes_document(self) -> bool:
        return self.document_id is not None

    def can_complete(self, user: Any) -> bool:
        """Only the action's owner completes it, and never by hand when a document revision completes it."""
        return self.status == CapaAction.Status.OPEN and user.pk == self.owner_id and not self.changes_document


class ActionEvidenceFile(models.Model):
    """A file that shows an action was done (a photo, a record, a training list), checked like every upload."""

    action = models.ForeignKey(CapaAction, on_delete=models.PROTECT, related_name="evidence_files")
    file = models.FileField(max_length=300)
    original_filename = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveBigIntegerField()
    content_type = models.CharField(max_length=100)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        ordering = ["action", "uploaded_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(sha256__regex=r"^[0-9a-f]{64}$"), name="action_evidence_sha256_is_hex"),
        ]

    def __str__(self) -> str:
        return f"{self.original_filename} ({self.action.label})"


# --- Effectiveness ---------------------------------------------------------------------------------------------------


class EffectivenessCheck(models.Model):
    """Did the actions remove the cause? Planned when the actions are done, signed by a quality manager. A failed check
    is kept and the CAPA goes back to investigating; the next round plans a new check."""

    class Result(models.TextChoices):
        EFFECTIVE = "effective", "Effective"
        NOT_EFFECTIVE = "not_effective", "Not effective"

    capa = models.ForeignKey(Capa, on_delete=models.PROTECT, related_name="effectiveness_checks")
    planned_date = models.DateField()
    criteria = models.TextField(blank=True, help_text="What will show the cause is gone (no recurrence in …).")
    result = models.CharField(max_length=20, choices=Result.choices, blank=True)
    comment = models.TextField(blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    verified_at = models.DateTimeField(null=True, blank=True)
    signature = models.OneToOneField(Signature, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    reminded_on = models.DateField(null=True, blank=True, help_text="When the quality managers were told it is due.")

    history = HistoricalRecords()

    class Meta:
        ordering = ["capa", "planned_date", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["capa"], condition=Q(result=""), name="one_pending_effectiveness_check_per_capa"
            ),
        ]

    def __str__(self) -> str:
        outcome = self.get_result_display() if self.result else "pending"
        return f"Effectiveness check of {self.capa.reference} ({outcome})"

    @property
    def is_due(self) -> bool:
        return self.result == "" and self.planned_date <= _today()


# --- Reminders ------------------------------------------------------------------------------------------------------


class ReminderDigest(models.Model):
    """The daily CAPA digest sent to one person; the unique key makes it one email per person per day, whatever
    retries or second runs happen."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    summary = models.TextField(help_text="What the digest listed.")
    sent_at = models.DateTimeField(default=timezone.now)

    # No history: a log of messages sent.

    class Meta:
        ordering = ["-day", "recipient"]
        constraints = [models.UniqueConstraint(fields=["recipient", "day"], name="one_capa_digest_per_person_per_day")]

    def __str__(self) -> str:
        return f"CAPA digest for {self.recipient_id} on {self.day:%Y-%m-%d}"
