"""Quality objectives (ISO 9001 6.2): what the organisation means to achieve, measured against a target over time.

An objective names its metric, the direction in which the metric gets better, a target, an owner and a due date; its
measurements are entered by hand or computed every day from the records (`metrics.py`). It is `active` until a quality
manager closes it as `achieved`, `missed` or `withdrawn`, with a reason; after that nothing of it changes.

Whether a step is allowed, and where an objective stands, are pure methods here (no I/O); the services in
`services.py` make the steps.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from qms.models import Clause, Department
from qms.roles import Role, has_role, roles_of

# Values are stored with three decimals (a scrap rate of 1.875 %, a ppm of 0.125); twelve digits before them.
VALUE_DIGITS, VALUE_PLACES = 15, 3
PERCENT = "%"


class Standing(models.TextChoices):
    """Where an objective stands on a day, from its latest value: the marker of the register and the objective page."""

    MET = "met", "Target met"
    ON_TRACK = "on_track", "On track"
    OFF_TRACK = "off_track", "Off track"
    NO_DATA = "no_data", "No data"


class ObjectiveQuerySet(models.QuerySet["Objective"]):
    def visible_to(self, user: Any) -> ObjectiveQuerySet:
        """Everyone who holds a role reads every objective: ISO 9001 6.2.1 asks that objectives be communicated, and
        an external auditor reads them as evidence. An account without a role sees none."""
        return self.all() if roles_of(user) else self.none()


class Objective(models.Model):
    """A quality objective: a metric with a target to reach by a due date, owned by one person."""

    class Direction(models.TextChoices):
        HIGHER = "higher", "Higher is better"
        LOWER = "lower", "Lower is better"

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        ACHIEVED = "achieved", "Achieved"
        MISSED = "missed", "Missed"
        WITHDRAWN = "withdrawn", "Withdrawn"

    class Source(models.TextChoices):
        """Where the values come from: entered by hand, or computed from the records by one of the maturity
        indicators (`metrics.METRICS` holds each computation)."""

        MANUAL = "manual", "Entered by hand"
        DOCUMENTS_REVIEWED_ON_TIME = "documents_reviewed_on_time", "Controlled documents reviewed on time"
        CAPAS_CLOSED_ON_TIME = "capas_closed_on_time", "CAPAs closed on time"
        CAPAS_FOUND_EFFECTIVE = "capas_found_effective", "CAPAs found effective"
        ACKNOWLEDGEMENTS_UP_TO_DATE = "acknowledgements_up_to_date", "Acknowledgements up to date"
        PROGRAMME_COVERAGE = "programme_coverage", "Audit programme coverage"
        FINDINGS_FOLLOWED_UP = "findings_followed_up", "Findings turned into CAPA or ideas"
        IDEA_RATE = "idea_rate", "Idea rate (% of 10 ideas per 100 employees per month)"
        PARTICIPATION = "participation", "Participation in improvement"
        IDEAS_REACHING_ACT = "ideas_reaching_act", "Ideas reaching Act"

    CLOSED = frozenset({Status.ACHIEVED, Status.MISSED, Status.WITHDRAWN})

    reference = models.CharField(max_length=20, unique=True, editable=False)
    title = models.CharField(max_length=200)
    description = models.TextField(
        blank=True, help_text="Why it matters: the customer requirement, risk or policy commitment behind it."
    )
    clauses = models.ManyToManyField(Clause, related_name="objectives", help_text="ISO 9001 clauses; 6.2 by default.")
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, null=True, blank=True, related_name="objectives"
    )
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="owned_objectives")
    metric = models.CharField(max_length=200, help_text="What is measured: customer complaints per month.")
    unit = models.CharField(max_length=40, help_text="%, complaints, days, ppm …")
    direction = models.CharField(max_length=10, choices=Direction.choices)
    target = models.DecimalField(max_digits=VALUE_DIGITS, decimal_places=VALUE_PLACES)
    baseline = models.DecimalField(
        max_digits=VALUE_DIGITS,
        decimal_places=VALUE_PLACES,
        null=True,
        blank=True,
        help_text="Where the metric stood at the start; with it, the page shows the planned path to the target.",
    )
    start_date = models.DateField()
    due_date = models.DateField()
    source = models.CharField(max_length=40, choices=Source.choices, default=Source.MANUAL)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.ACTIVE)
    close_reason = models.TextField(blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    history = HistoricalRecords(m2m_fields=["clauses"])
    objects = ObjectiveQuerySet.as_manager()

    class Meta:
        ordering = ["due_date", "reference"]
        constraints = [
            models.CheckConstraint(condition=Q(start_date__lt=F("due_date")), name="objective_due_after_start"),
            models.CheckConstraint(
                condition=Q(status="active") | (~Q(close_reason="") & Q(closed_at__isnull=False)),
                name="closed_objective_has_reason",
            ),
        ]
        indexes = [models.Index(fields=["status", "due_date"], name="objective_status_due_idx")]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("objectives:detail", args=[self.pk])

    @property
    def is_active(self) -> bool:
        return self.status == Objective.Status.ACTIVE

    @property
    def is_computed(self) -> bool:
        return self.source != Objective.Source.MANUAL

    @property
    def is_overdue(self) -> bool:
        """Active past its due date: it is time to evaluate it and close it as achieved or missed."""
        return self.is_active and self.due_date < timezone.localdate()

    # --- Reading values ---------------------------------------------------------------------------------------------

    def _at_least_as_good(self, value: Decimal, reference: Decimal) -> bool:
        if self.direction == Objective.Direction.LOWER:
            return value <= reference
        return value >= reference

    def meets(self, value: Decimal) -> bool:
        """Whether a value reaches the target, in the objective's direction (reaching it exactly counts)."""
        return self._at_least_as_good(value, self.target)

    def planned_value(self, on: date) -> Decimal | None:
        """Where the metric should stand on a day if it moved in a straight line from the baseline on the start date
        to the target on the due date; None without a baseline."""
        if self.baseline is None:
            return None
        span = (self.due_date - self.start_date).days
        elapsed = min(max((on - self.start_date).days, 0), span)
        return self.baseline + (self.target - self.baseline) * Decimal(elapsed) / Decimal(span)

    def standing(self, value: Decimal | None, on: date | None) -> Standing:
        """Target met; on track (not there yet, but at or better than the planned path, before the due date); off
        track; or no data."""
        if value is None or on is None:
            return Standing.NO_DATA
        if self.meets(value):
            return Standing.MET
        planned = self.planned_value(on)
        if planned is not None and on <= self.due_date and self._at_least_as_good(value, planned):
            return Standing.ON_TRACK
        return Standing.OFF_TRACK

    # --- Who may do what --------------------------------------------------------------------------------------------

    def can_manage(self, user: Any) -> bool:
        """Quality managers set, change and close objectives; only while they are active."""
        return self.is_active and has_role(user, Role.QUALITY_MANAGER)

    def can_record(self, user: Any) -> bool:
        """The owner or a quality manager enters the values of an active objective measured by hand."""
        return (
            self.is_active
            and not self.is_computed
            and (user.pk == self.owner_id or has_role(user, Role.QUALITY_MANAGER))
        )

    def close_blockers(self, outcome: str, latest: Measurement | None) -> list[str]:
        """What stands between this objective and closing it with `outcome`, in words; empty when it may close.

        Achieved is a claim an auditor will check, so it needs a measurement that meets the target; missed and
        withdrawn need only their reason (a missed objective may be called early, when it can no longer be reached).
        """
        if not self.is_active:
            return [f"{self.reference} is already {self.get_status_display().lower()}."]
        if outcome not in Objective.CLOSED:
            return ["Close an objective as achieved, missed or withdrawn."]
        if outcome == Objective.Status.ACHIEVED:
            if latest is None:
                return ["An objective without any measurement cannot be achieved: record the value that shows it."]
            if not self.meets(latest.value):
                return [
                    f"The latest value ({latest.value.normalize():f} on {latest.measured_on:%Y-%m-%d}) does not meet "
                    f"the target: record the value that meets it, or close the objective as missed."
                ]
        return []


class MeasurementQuerySet(models.QuerySet["Measurement"]):
    def visible_to(self, user: Any) -> MeasurementQuerySet:
        return self.filter(objective__in=Objective.objects.visible_to(user))


class Measurement(models.Model):
    """One value of an objective's metric on a day: entered by the owner or a quality manager, or computed from the
    records by the daily task. One per objective and day."""

    class Source(models.TextChoices):
        MANUAL = "manual", "Entered by hand"
        COMPUTED = "computed", "Computed from the records"

    objective = models.ForeignKey(Objective, on_delete=models.PROTECT, related_name="measurements")
    measured_on = models.DateField(help_text="The day the value describes.")
    value = models.DecimalField(max_digits=VALUE_DIGITS, decimal_places=VALUE_PLACES)
    note = models.TextField(blank=True, help_text="Where the value comes from, or what explains it.")
    source = models.CharField(max_length=20, choices=Source.choices, default=Source.MANUAL)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    entered_at = models.DateTimeField(default=timezone.now, editable=False)

    history = HistoricalRecords()
    objects = MeasurementQuerySet.as_manager()

    class Meta:
        ordering = ["objective", "measured_on"]
        constraints = [
            models.UniqueConstraint(fields=["objective", "measured_on"], name="one_measurement_per_objective_per_day"),
            models.CheckConstraint(
                condition=Q(source="manual", entered_by__isnull=False) | Q(source="computed", entered_by__isnull=True),
                name="measurement_entered_by_person_or_computed",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.objective.reference} on {self.measured_on:%Y-%m-%d}: {self.value.normalize():f}"
