"""Management review (ISO 9001 9.3): the review of a period, the inputs management saw, the meeting's decisions and
their actions, signed by the member of top management who chaired it.

A review is `preparing` while the quality manager gathers its inputs (`qms/reviews/inputs.py` assembles them from
live data into the `inputs` snapshot, refreshed on demand), `held` once the meeting is recorded (the snapshot is
frozen then: the record shows what management saw, not today's data), and `signed` when the chair signs it; after
that nothing of it changes. A review still in preparation may be `cancelled`, with a reason.

Decisions are the outputs of 9.3.3 (improvement opportunities, changes needed to the QMS, resource needs); each may
carry actions, and an action may become a CAPA, an idea or a document change request, which then lives in its own
app. An action's follow-up (done, cancelled, handed over) goes on after signing; what the action says does not.
Whether a step is allowed is decided here, by pure methods; `qms/reviews/services.py` makes the steps.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from capa.models import Capa
from documents.models import ChangeRequest, Revision
from improvement.models import Idea
from qms.models import Signature
from qms.periods import Period
from qms.roles import Role, has_role

# Who runs reviews: creates them, prepares their inputs, records the meeting and turns its actions into records.
RUNNERS = (Role.QUALITY_MANAGER,)


class ManagementReviewQuerySet(models.QuerySet["ManagementReview"]):
    def visible_to(self, user: Any) -> ManagementReviewQuerySet:
        """Quality managers and internal auditors see every review; the chair, the attendees and the owners of its
        actions see theirs; external auditors see signed reviews (they are evidence). Nobody else sees any."""
        if not getattr(user, "is_authenticated", False) or not has_role(user, *Role.values):
            return self.none()
        if has_role(user, Role.QUALITY_MANAGER, Role.AUDITOR):
            return self.all()
        attending = ManagementReview.attendees.through.objects.filter(
            managementreview_id=OuterRef("pk"), user_id=user.pk
        )
        owning = ReviewAction.objects.filter(review_id=OuterRef("pk"), owner_id=user.pk)
        visible = Q(chair_id=user.pk) | Q(Exists(attending)) | Q(Exists(owning))
        if has_role(user, Role.EXTERNAL_AUDITOR):
            visible |= Q(status=ManagementReview.Status.SIGNED)
        return self.filter(visible)


class ManagementReview(models.Model):
    """One management review of the QMS for a period: its inputs, the meeting, its decisions and the signature."""

    class Status(models.TextChoices):
        PREPARING = "preparing", "Preparing"
        HELD = "held", "Held"
        SIGNED = "signed", "Signed"
        CANCELLED = "cancelled", "Cancelled"

    reference = models.CharField(max_length=20, unique=True, editable=False)
    title = models.CharField(max_length=200)
    period_start = models.DateField()
    period_end = models.DateField()
    planned_on = models.DateField(help_text="When the meeting is planned.")
    chair = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="chaired_reviews",
        help_text="The member of top management who chairs the review and signs it.",
    )
    attendees = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="attended_reviews")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PREPARING)
    # The inputs of 9.3.2 that no data holds: the quality manager writes them while preparing.
    issues = models.TextField(
        "Changes in external and internal issues",
        blank=True,
        help_text="What changed in the context of the organisation that matters to the QMS (9.3.2 b).",
    )
    resources = models.TextField(
        "Adequacy of resources", blank=True, help_text="People, infrastructure, environment, knowledge (9.3.2 d)."
    )
    risk_actions = models.TextField(
        "Effectiveness of actions on risks and opportunities",
        blank=True,
        help_text="How well the actions planned under 6.1 worked (9.3.2 e).",
    )
    # The inputs assembled from live data (qms/reviews/inputs.py). Left out of the history rows, which would repeat the
    # whole snapshot at every refresh; its digest is in them, and the signature covers it.
    inputs = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)
    inputs_sha256 = models.CharField("Inputs SHA-256", max_length=64, blank=True)
    inputs_assembled_at = models.DateTimeField(null=True, blank=True)
    held_on = models.DateField("Meeting held on", null=True, blank=True)
    minutes = models.TextField(blank=True, help_text="What was discussed, in the order of the inputs.")
    conclusion = models.TextField(
        blank=True,
        help_text="Is the QMS still suitable, adequate and effective, and aligned with the strategic direction "
        "(9.3.1)?",
    )
    signature = models.OneToOneField(Signature, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    signed_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    history = HistoricalRecords(m2m_fields=["attendees"], excluded_fields=["inputs"])
    objects = ManagementReviewQuerySet.as_manager()

    class Meta:
        ordering = ["-period_end", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_start__lte=models.F("period_end")), name="review_period_in_order"
            ),
            models.CheckConstraint(
                condition=~Q(status="cancelled") | ~Q(cancel_reason=""), name="cancelled_review_has_reason"
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["held", "signed"]) | Q(held_on__isnull=False), name="held_review_has_date"
            ),
            models.CheckConstraint(
                condition=~Q(status="signed") | Q(signature__isnull=False), name="signed_review_has_signature"
            ),
        ]

    STEPS = (Status.PREPARING, Status.HELD, Status.SIGNED)

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("reviews:detail", args=[self.pk])

    @property
    def period(self) -> Period:
        return Period(self.period_start, self.period_end)

    @property
    def is_preparing(self) -> bool:
        return self.status == ManagementReview.Status.PREPARING

    @property
    def is_signed(self) -> bool:
        return self.status == ManagementReview.Status.SIGNED

    def is_runner(self, user: Any) -> bool:
        return has_role(user, *RUNNERS)

    def can_prepare(self, user: Any) -> bool:
        """Change the details and the written inputs, refresh the assembled ones, cancel, record the meeting."""
        return self.is_preparing and self.is_runner(user)

    def can_decide(self, user: Any) -> bool:
        """Record decisions and their actions: after the meeting, until the chair signs."""
        return self.status == ManagementReview.Status.HELD and self.is_runner(user)

    def can_follow_up(self, user: Any) -> bool:
        """Turn actions into records: once they are decided, and on after the signature."""
        return self.status in {ManagementReview.Status.HELD, ManagementReview.Status.SIGNED} and self.is_runner(user)

    def can_sign(self, user: Any) -> bool:
        return self.status == ManagementReview.Status.HELD and user.pk == self.chair_id

    def signing_gaps(self, decisions: list[Decision]) -> list[str]:
        """What still stands between a held review and its signature, in words the chair and the quality manager can
        act on; the service refuses with them and the page lists them. `decisions` are the review's, passed in so a
        page that holds them asks no query."""
        gaps = []
        if not self.conclusion.strip():
            gaps.append("Record the conclusion on the QMS's suitability, adequacy and effectiveness (9.3.1).")
        if not decisions:
            gaps.append("Record at least one decision (9.3.3); that no change is needed is a decision too.")
        return gaps


class Decision(models.Model):
    """One output of the review (9.3.3): an improvement opportunity, a change needed to the QMS or a resource need."""

    class Kind(models.TextChoices):
        IMPROVEMENT = "improvement", "Opportunity for improvement"
        QMS_CHANGE = "qms_change", "Change needed to the QMS"
        RESOURCES = "resources", "Resource need"

    review = models.ForeignKey(ManagementReview, on_delete=models.PROTECT, related_name="decisions")
    number = models.PositiveIntegerField(help_text="1, 2, 3 … within the review.")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    text = models.TextField(help_text="What management decided, and why.")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    history = HistoricalRecords()

    class Meta:
        ordering = ["review", "number"]
        constraints = [models.UniqueConstraint(fields=["review", "number"], name="one_number_per_review_decision")]

    def __str__(self) -> str:
        return f"{self.label}: {self.text[:80]}"

    @property
    def label(self) -> str:
        return f"{self.review.reference}/D{self.number}"


class ReviewAction(models.Model):
    """Something to do because of a decision, owned by one person, due on a day. It stays a plain action, done or
    cancelled here, or it is handed over to the app that runs that kind of work: a CAPA, an improvement idea or a
    change request on a controlled document, linked both ways."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        DONE = "done", "Done"
        CANCELLED = "cancelled", "Cancelled"
        HANDED_OVER = "handed_over", "Handed over"

    review = models.ForeignKey(ManagementReview, on_delete=models.PROTECT, related_name="actions")
    decision = models.ForeignKey(Decision, on_delete=models.PROTECT, related_name="actions")
    number = models.PositiveIntegerField(help_text="1, 2, 3 … within the review.")
    description = models.TextField()
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="review_actions")
    due_date = models.DateField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN)
    capa = models.OneToOneField(Capa, on_delete=models.PROTECT, null=True, blank=True, related_name="review_action")
    idea = models.OneToOneField(Idea, on_delete=models.PROTECT, null=True, blank=True, related_name="review_action")
    change_request = models.OneToOneField(
        ChangeRequest, on_delete=models.PROTECT, null=True, blank=True, related_name="review_action"
    )
    handed_over_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(blank=True, help_text="What was done, or why the action was cancelled.")
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    history = HistoricalRecords()

    class Meta:
        ordering = ["review", "number"]
        constraints = [
            models.UniqueConstraint(fields=["review", "number"], name="one_number_per_review_action"),
            # Handed over means linked to exactly one record; any other state, to none.
            models.CheckConstraint(
                condition=(
                    Q(status="handed_over")
                    & (
                        Q(capa__isnull=False, idea__isnull=True, change_request__isnull=True)
                        | Q(capa__isnull=True, idea__isnull=False, change_request__isnull=True)
                        | Q(capa__isnull=True, idea__isnull=True, change_request__isnull=False)
                    )
                )
                | (~Q(status="handed_over") & Q(capa__isnull=True, idea__isnull=True, change_request__isnull=True)),
                name="handed_over_review_action_has_one_record",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["done", "cancelled"]) | ~Q(note=""), name="ended_review_action_has_note"
            ),
        ]
        indexes = [models.Index(fields=["owner", "status", "due_date"], name="review_action_owner_due_idx")]

    def __str__(self) -> str:
        return f"{self.label}: {self.description[:80]}"

    def get_absolute_url(self) -> str:
        return reverse("reviews:detail", args=[self.review_id]) + f"#action-{self.pk}"

    @property
    def label(self) -> str:
        return f"{self.review.reference}/A{self.number}"

    @property
    def record(self) -> Capa | Idea | ChangeRequest | None:
        """The CAPA, idea or change request the action became, if any."""
        return self.capa or self.idea or self.change_request

    @property
    def record_kind(self) -> str:
        if self.capa_id:
            return "CAPA"
        if self.idea_id:
            return "idea"
        if self.change_request_id:
            return "change request"
        return ""

    def follow_up(self) -> FollowUp:
        """Where the action stands: its own state, or for a handed-over one, its record's. Reads the linked record
        (and a change request's revision): lists select_related them."""
        return follow_up_of(self)

    @property
    def is_overdue(self) -> bool:
        return not self.follow_up().ended and self.due_date < timezone.localdate()

    def can_complete(self, user: Any) -> bool:
        return (
            self.status == ReviewAction.Status.OPEN
            and self.review.status in {ManagementReview.Status.HELD, ManagementReview.Status.SIGNED}
            and (user.pk == self.owner_id or has_role(user, *RUNNERS))
        )


@dataclass(frozen=True)
class FollowUp:
    """An action's state in words, whether it has ended, whether it ended with the work done, and the pill's tone
    (ok, bad, info, warn)."""

    label: str
    ended: bool
    done: bool
    tone: str


_EFFECTIVE_STATES = frozenset({Revision.Status.EFFECTIVE, Revision.Status.SUPERSEDED})


def follow_up_of(action: ReviewAction) -> FollowUp:
    if action.capa is not None:
        capa = action.capa
        label = f"{capa.reference} {capa.get_status_display().lower()}"
        if capa.status == Capa.Status.CLOSED:
            return FollowUp(label, ended=True, done=True, tone="ok")
        if capa.status == Capa.Status.CANCELLED:
            return FollowUp(label, ended=True, done=False, tone="bad")
        return FollowUp(label, ended=False, done=False, tone="info")
    if action.idea is not None:
        idea = action.idea
        label = f"{idea.reference} {idea.get_stage_display().lower()}"
        if idea.stage == Idea.Stage.STANDARDIZED:
            return FollowUp(label, ended=True, done=True, tone="ok")
        if idea.stage in Idea.DECIDED:
            return FollowUp(label, ended=True, done=False, tone="bad")
        return FollowUp(label, ended=False, done=False, tone="info")
    if action.change_request is not None:
        change = action.change_request
        name = f"CR-{change.pk:04d}"
        revision = change.revision
        if change.status == ChangeRequest.Status.DECLINED:
            return FollowUp(f"{name} declined", ended=True, done=False, tone="bad")
        if revision is not None and revision.status in _EFFECTIVE_STATES:
            return FollowUp(f"{name}: revision {revision.revision} effective", ended=True, done=True, tone="ok")
        if revision is not None:
            return FollowUp(
                f"{name}: revision {revision.revision} {revision.get_status_display().lower()}",
                ended=False,
                done=False,
                tone="info",
            )
        return FollowUp(f"{name} {change.get_status_display().lower()}", ended=False, done=False, tone="info")
    if action.status == ReviewAction.Status.DONE:
        return FollowUp("Done", ended=True, done=True, tone="ok")
    if action.status == ReviewAction.Status.CANCELLED:
        return FollowUp("Cancelled", ended=True, done=False, tone="bad")
    return FollowUp("Open", ended=False, done=False, tone="warn" if action.due_date < _today() else "info")


def _today() -> date:
    return timezone.localdate()
