"""Continual improvement (ISO 9001 10.3, TQM): ideas from every employee, moved through Plan-Do-Check-Act.

Stages follow spec/domain.md ("Continual improvement"). Whether a move is allowed is decided here, by pure methods
without I/O (`Idea.blockers_for`); the services in `improvement/services.py` make the moves.

Anonymity is a promise: an anonymous idea stores no submitter at all, and its history rows carry no user for the
submission either (the services stamp them with no actor).
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

from audits.models import Finding
from capa.models import Capa
from documents.models import ChangeRequest
from qms.models import Department
from qms.roles import Role, has_role


class IdeaQuerySet(models.QuerySet["Idea"]):
    def visible_to(self, user: Any) -> IdeaQuerySet:
        """Ideas are open to everyone who works here (employees, auditors, quality managers): that is the point of
        them. External auditors see the ideas that reached a decision (standardized, rejected or parked)."""
        if has_role(user, Role.QUALITY_MANAGER, Role.AUDITOR, Role.EMPLOYEE):
            return self.all()
        if has_role(user, Role.EXTERNAL_AUDITOR):
            return self.filter(stage__in=Idea.DECIDED)
        return self.none()


class Idea(models.Model):
    """An improvement suggested by anyone, with its PDCA notes, its champion and its measured benefit."""

    class Category(models.TextChoices):
        QUALITY = "quality", "Quality"
        COST = "cost", "Cost"
        TIME = "time", "Time"
        SAFETY = "safety", "Safety"
        CUSTOMER = "customer", "Customer"
        ENVIRONMENT = "environment", "Environment"

    class Source(models.TextChoices):
        EMPLOYEE = "employee", "Employee"
        AUDIT = "audit", "Audit"
        CAPA = "capa", "CAPA"
        CUSTOMER = "customer", "Customer"

    class Stage(models.TextChoices):
        SUBMITTED = "submitted", "Submitted"
        ACCEPTED = "accepted", "Accepted"
        PLAN = "plan", "Plan"
        DO = "do", "Do"
        CHECK = "check", "Check"
        ACT = "act", "Act"
        STANDARDIZED = "standardized", "Standardized"
        REJECTED = "rejected", "Rejected"
        PARKED = "parked", "Parked"

    class BenefitUnit(models.TextChoices):
        HOURS_SAVED = "hours_saved", "Hours saved per year"
        DEFECTS_AVOIDED = "defects_avoided", "Defects avoided per year"
        MONEY = "money", "Money saved per year"
        OTHER = "other", "Other"

    reference = models.CharField(max_length=20, unique=True, editable=False)
    title = models.CharField(max_length=200)
    problem = models.TextField(help_text="What is wrong or could be better today.")
    proposal = models.TextField(help_text="What you suggest.")
    expected_benefit = models.TextField(blank=True, help_text="What it would bring.")
    category = models.CharField(max_length=20, choices=Category.choices, default=Category.QUALITY)
    department = models.ForeignKey(Department, on_delete=models.PROTECT, null=True, blank=True, related_name="ideas")
    # None when submitted anonymously: then nothing anywhere records who it was.
    submitter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="submitted_ideas"
    )
    anonymous = models.BooleanField(default=False)
    source = models.CharField(max_length=20, choices=Source.choices, default=Source.EMPLOYEE)
    finding = models.ForeignKey(Finding, on_delete=models.PROTECT, null=True, blank=True, related_name="ideas")
    capa = models.ForeignKey(Capa, on_delete=models.PROTECT, null=True, blank=True, related_name="ideas")
    stage = models.CharField(max_length=20, choices=Stage.choices, default=Stage.SUBMITTED)
    champion = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="championed_ideas"
    )
    cycle = models.PositiveSmallIntegerField(default=1, help_text="1 for the first PDCA cycle, 2 after a new start …")
    # Plan
    target_metric = models.CharField(max_length=200, blank=True, help_text="What will be measured.")
    baseline = models.CharField(max_length=200, blank=True, help_text="Its value today.")
    target = models.CharField(max_length=200, blank=True, help_text="The value aimed for.")
    plan_notes = models.TextField(blank=True)
    # Do
    do_notes = models.TextField(blank=True, help_text="What was tried, where, and when.")
    # Check
    measured_result = models.CharField(max_length=200, blank=True, help_text="The metric's value after the trial.")
    check_notes = models.TextField(blank=True)
    # Act
    act_notes = models.TextField(blank=True)
    change_request = models.OneToOneField(
        ChangeRequest, on_delete=models.PROTECT, null=True, blank=True, related_name="idea"
    )
    no_document_change_reason = models.TextField(blank=True)
    # Benefit, when done
    benefit_unit = models.CharField(max_length=20, choices=BenefitUnit.choices, blank=True)
    benefit_amount = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    benefit_notes = models.TextField(blank=True)
    decision_reason = models.TextField(blank=True, help_text="Why it was rejected or parked; the submitter sees it.")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    stage_changed_at = models.DateTimeField(default=timezone.now)
    imported_reference = models.CharField(
        max_length=50,
        blank=True,
        help_text="For an idea brought in from an earlier system's backlog: its reference there. Empty for ideas "
        "submitted here.",
    )

    history = HistoricalRecords()
    objects = IdeaQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["stage", "-created_at"], name="idea_stage_created_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["finding"], condition=Q(finding__isnull=False), name="one_idea_per_finding"
            ),
            models.CheckConstraint(
                condition=Q(anonymous=False) | Q(submitter__isnull=True), name="anonymous_idea_has_no_submitter"
            ),
            models.CheckConstraint(
                condition=~Q(stage__in=["rejected", "parked"]) | ~Q(decision_reason=""),
                name="rejected_or_parked_idea_has_reason",
            ),
            # What makes an import safe to run again: a row is recognised by its earlier reference, in any case.
            models.UniqueConstraint(
                Lower("imported_reference"),
                condition=~Q(imported_reference=""),
                name="one_idea_per_imported_reference",
            ),
        ]

    DECIDED = ("standardized", "rejected", "parked")
    PIPELINE = ("submitted", "accepted", "plan", "do", "check", "act", "standardized")
    # The moves of the domain page: forward one stage at a time; a new cycle goes from Act back to Plan; rejecting
    # and parking from before Act; a parked idea may be taken up again.
    MOVES: dict[str, tuple[str, ...]] = {
        "submitted": ("accepted", "rejected", "parked"),
        "accepted": ("plan", "rejected", "parked"),
        "plan": ("do", "parked"),
        "do": ("check", "parked"),
        "check": ("act", "parked"),
        "act": ("standardized", "plan"),
        "parked": ("accepted", "rejected"),
        "standardized": (),
        "rejected": (),
    }
    # Where an idea brought in from an earlier system's backlog may stand: any open stage, or parked. Ideas that were
    # standardized or rejected there stay there: they are no longer work.
    IMPORTABLE = ("submitted", "accepted", "plan", "do", "check", "act", "parked")

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("improvement:detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.stage not in Idea.DECIDED

    def is_run_by(self, user: Any) -> bool:
        """Quality managers and the idea's champion move it through PDCA."""
        return has_role(user, Role.QUALITY_MANAGER) or (self.champion_id is not None and user.pk == self.champion_id)

    def may_move(self, user: Any, target: str) -> bool:
        """Accepting, rejecting, parking and taking up a parked idea are the quality managers' decisions."""
        if self.stage in {Idea.Stage.SUBMITTED, Idea.Stage.PARKED} or target in {"rejected", "parked", "accepted"}:
            return has_role(user, Role.QUALITY_MANAGER)
        return self.is_run_by(user)

    @property
    def document_change_effective(self) -> bool:
        """Whether the revision opened from this idea's change request is (or was) in force. Reads the change request
        and its revision: lists select_related them."""
        change_request = self.change_request
        revision = change_request.revision if change_request is not None else None
        return revision is not None and revision.status in {"effective", "superseded"}

    def blockers_for(self, target: str) -> list[str]:
        """What still stands between this idea and `target`, in words a user can act on; empty when allowed.

        The one place that states the PDCA rules: the services refuse with these words and the idea page shows them.
        """
        if target not in Idea.Stage.values:
            return [f"There is no stage {target!r}."]
        if target not in Idea.MOVES[self.stage]:
            allowed = ", ".join(Idea.Stage(s).label.lower() for s in Idea.MOVES[self.stage]) or "nowhere"
            return [
                f"An idea in {self.get_stage_display().lower()} moves to {allowed}, "
                f"not to {Idea.Stage(target).label.lower()}."
            ]
        blockers = self._notes_missing_for(target)
        if target == Idea.Stage.STANDARDIZED:
            if self.change_request_id is None and not self.no_document_change_reason.strip():
                blockers.append(
                    "Act: open a change request on the document to standardise, or say why no document changes."
                )
            elif self.change_request_id is not None and not self.document_change_effective:
                blockers.append("Act: the document change is not effective yet.")
            if not self.benefit_unit or self.benefit_amount is None:
                blockers.append("Record the measured benefit (amount and unit).")
        return blockers

    def _notes_missing_for(self, target: str) -> list[str]:
        """The notes of the stage before `target` that a move to it needs (Plan's metric and baseline before Do …)."""
        if target == Idea.Stage.DO and not (self.target_metric.strip() and self.baseline.strip()):
            return ["Plan: name the metric to improve and its baseline today."]
        if target == Idea.Stage.CHECK and not self.do_notes.strip():
            return ["Do: say what was tried."]
        if target == Idea.Stage.ACT and not self.measured_result.strip():
            return ["Check: record the measured result against the target."]
        return []

    def blockers_to_start_in(self, stage: str) -> list[str]:
        """What this idea lacks to come in from an earlier system already at `stage`, so that it goes on like an idea
        that made the moves here: a champion from accepted on, and the notes each move on the way asks for (one in Act
        has its metric, baseline, trial and measured result); a reason when it is parked, as parking asks."""
        if stage not in Idea.IMPORTABLE:
            return [f"An idea cannot come in as {stage!r}; only open or parked ones do ({', '.join(Idea.IMPORTABLE)})."]
        if stage == Idea.Stage.PARKED:
            return [] if self.decision_reason.strip() else ["Say why it was parked: the submitter will read it."]
        if stage == Idea.Stage.SUBMITTED:
            return [] if self.champion_id is None else ["A submitted idea has no champion yet; accepting it gives one."]
        blockers = []
        if self.champion_id is None:
            blockers.append(f"An idea in {Idea.Stage(stage).label.lower()} has a champion, given when it was accepted.")
        for step in Idea.PIPELINE[2 : Idea.PIPELINE.index(stage) + 1]:
            blockers += self._notes_missing_for(step)
        return blockers


class StageChange(models.Model):
    """One move of an idea, with the note written for it: the idea's PDCA story, cycle by cycle."""

    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="stage_changes")
    from_stage = models.CharField(max_length=20, choices=Idea.Stage.choices)
    to_stage = models.CharField(max_length=20, choices=Idea.Stage.choices)
    cycle = models.PositiveSmallIntegerField()
    note = models.TextField(blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        ordering = ["idea", "at", "id"]

    def __str__(self) -> str:
        return f"{self.idea.reference}: {self.from_stage} → {self.to_stage}"


class Vote(models.Model):
    """One person's support for an idea; a second vote by the same person is the same vote."""

    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="votes")
    voter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="idea_votes")
    at = models.DateTimeField(default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        ordering = ["idea", "at"]
        constraints = [models.UniqueConstraint(fields=["idea", "voter"], name="one_vote_per_person_per_idea")]

    def __str__(self) -> str:
        return f"Vote for {self.idea_id} by {self.voter_id}"


class Comment(models.Model):
    """A comment on an idea, in Markdown (rendered sanitised); @username mentions notify the person named."""

    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="idea_comments")
    body = models.TextField()
    at = models.DateTimeField(default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        ordering = ["idea", "at", "id"]

    def __str__(self) -> str:
        return f"Comment on {self.idea_id} by {self.author_id}"


class Watch(models.Model):
    """Someone who is told when the idea moves (submitters, voters and commenters watch by default)."""

    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="watches")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="watched_ideas")

    # No history: a subscription, not a quality record.

    class Meta:
        ordering = ["idea", "user"]
        constraints = [models.UniqueConstraint(fields=["idea", "user"], name="one_watch_per_person_per_idea")]

    def __str__(self) -> str:
        return f"{self.user_id} watches {self.idea_id}"


class Attachment(models.Model):
    """A photo or file that shows the problem or the idea, checked like every upload."""

    idea = models.ForeignKey(Idea, on_delete=models.PROTECT, related_name="attachments")
    file = models.FileField(max_length=300)
    original_filename = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveBigIntegerField()
    content_type = models.CharField(max_length=100)
    uploaded_at = models.DateTimeField(default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        ordering = ["idea", "uploaded_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(sha256__regex=r"^[0-9a-f]{64}$"), name="idea_attachment_sha256_is_hex"),
        ]

    def __str__(self) -> str:
        return f"{self.original_filename} ({self.idea_id})"
