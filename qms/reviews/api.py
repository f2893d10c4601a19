"""REST API v1 for management reviews: `/api/v1/management-reviews/` (list, start, read; refresh the inputs, record
the meeting, record decisions, sign, cancel, ask for the report PDF) and `/api/v1/management-review-actions/` (follow
the actions up: done, cancelled, or turned into a CAPA, an idea or a change request).

Every fetch goes through `visible_to` (what a user may not see is a 404); every write goes through
`qms.reviews.services`, whose refusals the API's exception handler turns into 400 (with the field), 403 and 409.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from capa.models import Capa, Severity
from documents.models import Document
from improvement.models import Idea
from qms.api.history import HistoryMixin
from qms.api.serializers import JobSerializer
from qms.api.views import accepted
from qms.models import Signature, User
from qms.permissions import ALL_ROLES, STAFF_ROLES, acting_user
from qms.reviews import services
from qms.reviews.models import RUNNERS, Decision, ManagementReview, ReviewAction
from qms.web import client_ip

ACTIONS_QUERYSET = ReviewAction.objects.select_related(
    "owner", "capa", "idea", "change_request__revision", "change_request__document"
).order_by("number")


def reviews_for(user: Any) -> QuerySet[ManagementReview]:
    """The reviews `user` may see, with everything the serializers read, in a fixed number of queries."""
    decisions = Decision.objects.order_by("number").prefetch_related(Prefetch("actions", queryset=ACTIONS_QUERYSET))
    return (
        ManagementReview.objects.visible_to(user)
        .select_related("chair", "signature")
        .prefetch_related("attendees", Prefetch("decisions", queryset=decisions))
    )


def actions_for(user: Any) -> QuerySet[ReviewAction]:
    return ACTIONS_QUERYSET.select_related("review").filter(review__in=ManagementReview.objects.visible_to(user))


# --- Serializers ----------------------------------------------------------------------------------------------------


class FollowUpSerializer(serializers.Serializer):
    # As on ReviewActionSerializer: the metaclass moves this declared field out of DRF's `label` attribute's way.
    label = serializers.CharField(  # type: ignore[assignment]
        help_text='Where the action stands, e.g. "CAPA-0012 investigating" or "Done".'
    )
    ended = serializers.BooleanField()
    done = serializers.BooleanField(help_text="Ended with the work done (a closed CAPA, a standardized idea …).")


class ReviewActionSerializer(serializers.ModelSerializer):
    # DRF's Field has a `label` attribute; the metaclass moves this declared field out of its way at runtime, but the
    # type checker sees the clash.
    label = serializers.CharField(read_only=True, help_text="MR-2026-001/A2.")  # type: ignore[assignment]
    owner_name = serializers.CharField(source="owner.display_name", read_only=True)
    # Plain strings: a second enum named "status" collides with the other apps' in the schema, and the enum names are
    # settled in the settings, which this module leaves alone.
    status = serializers.CharField(read_only=True, help_text="open, done, cancelled or handed_over.")
    follow_up = serializers.SerializerMethodField()
    is_overdue = serializers.BooleanField(read_only=True)

    class Meta:
        model = ReviewAction
        fields = [
            "id",
            "review",
            "decision",
            "number",
            "label",
            "description",
            "owner",
            "owner_name",
            "due_date",
            "status",
            "follow_up",
            "is_overdue",
            "capa",
            "idea",
            "change_request",
            "handed_over_at",
            "note",
            "completed_at",
            "completed_by",
            "created_at",
        ]
        read_only_fields = fields

    @extend_schema_field(FollowUpSerializer)
    def get_follow_up(self, review_action: ReviewAction) -> dict[str, Any]:
        follow = review_action.follow_up()
        return {"label": follow.label, "ended": follow.ended, "done": follow.done}


class DecisionSerializer(serializers.ModelSerializer):
    kind = serializers.CharField(read_only=True, help_text="improvement, qms_change or resources (ISO 9001 9.3.3).")
    actions = ReviewActionSerializer(many=True, read_only=True)

    class Meta:
        model = Decision
        fields = ["id", "number", "kind", "text", "actions", "created_at"]
        read_only_fields = fields


class ReviewSignatureSerializer(serializers.ModelSerializer):
    class Meta:
        model = Signature
        fields = ["signer", "signer_name", "meaning", "signed_at", "content_sha256", "comment"]
        read_only_fields = fields


class ManagementReviewSerializer(serializers.ModelSerializer):
    chair = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True))
    chair_name = serializers.CharField(source="chair.display_name", read_only=True)
    attendees = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), many=True, required=False
    )
    status = serializers.CharField(read_only=True, help_text="preparing, held, signed or cancelled.")
    inputs = serializers.JSONField(
        read_only=True,
        help_text="The inputs of ISO 9001 9.3.2 assembled from live data for the period: "
        '{"version", "period", "as_of", "assembled_at", "assembled_by", "sections": [{"key", "clause", "title", '
        '"summary", "facts", "tables", "groups", "note"}]}. Frozen once the meeting is held.',
    )
    decisions = DecisionSerializer(many=True, read_only=True)
    signature = ReviewSignatureSerializer(read_only=True, allow_null=True)

    class Meta:
        model = ManagementReview
        fields = [
            "id",
            "reference",
            "title",
            "period_start",
            "period_end",
            "planned_on",
            "chair",
            "chair_name",
            "attendees",
            "status",
            "issues",
            "resources",
            "risk_actions",
            "inputs",
            "inputs_sha256",
            "inputs_assembled_at",
            "held_on",
            "minutes",
            "conclusion",
            "decisions",
            "signature",
            "signed_at",
            "cancel_reason",
            "created_by",
            "created_at",
        ]
        read_only_fields = [
            "reference",
            "inputs_sha256",
            "inputs_assembled_at",
            "held_on",
            "minutes",
            "conclusion",
            "signed_at",
            "cancel_reason",
            "created_by",
            "created_at",
        ]

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs["period_start"] > attrs["period_end"]:
            raise serializers.ValidationError({"period_end": ["The period must end on or after its start."]})
        return attrs


class ManagementReviewListSerializer(ManagementReviewSerializer):
    """A review in a list: everything but its inputs snapshot, which only the review itself carries."""

    class Meta(ManagementReviewSerializer.Meta):
        fields = [name for name in ManagementReviewSerializer.Meta.fields if name != "inputs"]


class MeetingSerializer(serializers.Serializer):
    held_on = serializers.DateField()
    attendees = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True), many=True)
    minutes = serializers.CharField(max_length=50000)
    conclusion = serializers.CharField(
        max_length=10000,
        required=False,
        allow_blank=True,
        default="",
        help_text="The QMS's suitability, adequacy and effectiveness (9.3.1); needed before the chair signs.",
    )


class ActionInSerializer(serializers.Serializer):
    description = serializers.CharField(max_length=5000)
    owner = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True))
    due_date = serializers.DateField()


class DecisionInSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(
        choices=Decision.Kind.choices,
        error_messages={"invalid_choice": "Choose improvement, qms_change or resources."},
    )
    text = serializers.CharField(max_length=10000)
    actions = ActionInSerializer(many=True, required=False, default=list)


class ReviewSignSerializer(serializers.Serializer):
    password = serializers.CharField(style={"input_type": "password"}, trim_whitespace=False)
    comment = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)


class ReviewReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=5000)


class NoteSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=10000, help_text="What was done.")


class ActionToCapaSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Capa.Kind.choices, default=Capa.Kind.CORRECTIVE)
    severity = serializers.ChoiceField(choices=Severity.choices, default=Severity.MEDIUM)


class ActionToIdeaSerializer(serializers.Serializer):
    category = serializers.ChoiceField(choices=Idea.Category.choices, default=Idea.Category.QUALITY)


class ActionToChangeRequestSerializer(serializers.Serializer):
    document = serializers.PrimaryKeyRelatedField(queryset=Document.objects.none())

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if user is not None:
            self.fields["document"].queryset = Document.objects.visible_to(user)  # type: ignore[attr-defined]


# --- Reviews --------------------------------------------------------------------------------------------------------


class ManagementReviewViewSet(HistoryMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Management reviews (ISO 9001 9.3): quality managers start and prepare them, record the meeting and its
    decisions; the chair signs. Who sees which follows `ManagementReview.objects.visible_to`."""

    serializer_class = ManagementReviewSerializer
    queryset = ManagementReview.objects.none()
    filterset_fields = ["status", "chair"]
    search_fields = ["reference", "title"]
    ordering_fields = ["period_end", "planned_on", "held_on", "reference"]
    http_method_names = ["get", "post", "head", "options"]
    roles_by_action = {
        "create": RUNNERS,
        "refresh_inputs": RUNNERS,
        "hold": RUNNERS,
        "decisions": RUNNERS,
        "cancel": RUNNERS,
        # The chair may hold any role: the service checks it is them.
        "sign": ALL_ROLES,
        "pdf": ALL_ROLES,
    }

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return ManagementReview.objects.none()
        return reviews_for(acting_user(self.request))

    def get_serializer_class(self) -> Any:
        return ManagementReviewListSerializer if self.action == "list" else ManagementReviewSerializer

    def _respond(self, review: ManagementReview, *, status_code: int = status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=review.pk)
        return Response(
            ManagementReviewSerializer(fresh, context=self.get_serializer_context()).data, status=status_code
        )

    def perform_create(self, serializer: Any) -> None:
        review = services.review_create(actor=acting_user(self.request), **serializer.validated_data)
        serializer.instance = self.get_queryset().get(pk=review.pk)

    def history_records(self, review: ManagementReview) -> list[Any]:
        return [review, *review.decisions.all(), *review.actions.all()]

    @extend_schema(request=None, responses=ManagementReviewSerializer)
    @action(detail=True, methods=["post"], url_path="refresh-inputs")
    def refresh_inputs(self, request: Request, pk: str | None = None) -> Response:
        review = services.review_refresh_inputs(actor=acting_user(request), review=self.get_object())
        return self._respond(review)

    @extend_schema(request=MeetingSerializer, responses=ManagementReviewSerializer)
    @action(detail=True, methods=["post"])
    def hold(self, request: Request, pk: str | None = None) -> Response:
        body = MeetingSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        review = services.review_record_meeting(
            actor=acting_user(request), review=self.get_object(), **body.validated_data
        )
        return self._respond(review)

    @extend_schema(request=DecisionInSerializer, responses={201: ManagementReviewSerializer})
    @action(detail=True, methods=["post"])
    def decisions(self, request: Request, pk: str | None = None) -> Response:
        body = DecisionInSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        review = self.get_object()
        services.decision_add(
            actor=acting_user(request),
            review=review,
            kind=data["kind"],
            text=data["text"],
            actions=[services.ActionSpec(**spec) for spec in data["actions"]],
        )
        return self._respond(review, status_code=status.HTTP_201_CREATED)

    @extend_schema(request=ReviewSignSerializer, responses=ManagementReviewSerializer)
    @action(detail=True, methods=["post"])
    def sign(self, request: Request, pk: str | None = None) -> Response:
        body = ReviewSignSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        review = services.review_sign(
            actor=acting_user(request), review=self.get_object(), ip=client_ip(request), **body.validated_data
        )
        return self._respond(review)

    @extend_schema(request=ReviewReasonSerializer, responses=ManagementReviewSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str | None = None) -> Response:
        body = ReviewReasonSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        review = services.review_cancel(actor=acting_user(request), review=self.get_object(), **body.validated_data)
        return self._respond(review)

    @extend_schema(request=None, responses={202: JobSerializer})
    @action(detail=True, methods=["post"])
    def pdf(self, request: Request, pk: str | None = None) -> Response:
        job = services.review_pdf_request(actor=acting_user(request), review=self.get_object())
        return accepted(job, request)


# --- Actions --------------------------------------------------------------------------------------------------------


class ReviewActionViewSet(viewsets.ReadOnlyModelViewSet):
    """The actions decided in the reviews the user may see: their owner (or a quality manager) reports a plain one
    done; quality managers cancel one, or turn it into a CAPA, an idea or a change request, which then lives in its
    own app."""

    serializer_class = ReviewActionSerializer
    queryset = ReviewAction.objects.none()
    filterset_fields = ["status", "owner", "review"]
    search_fields = ["description", "review__reference"]
    ordering_fields = ["due_date", "number", "created_at"]
    roles_by_action = {
        "complete": STAFF_ROLES,
        "cancel": RUNNERS,
        "raise_capa": RUNNERS,
        "raise_idea": RUNNERS,
        "request_change": RUNNERS,
    }

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return ReviewAction.objects.none()
        return actions_for(acting_user(self.request))

    def _respond(self, review_action: ReviewAction) -> Response:
        return Response(self.get_serializer(self.get_queryset().get(pk=review_action.pk)).data)

    @extend_schema(request=NoteSerializer, responses=ReviewActionSerializer)
    @action(detail=True, methods=["post"])
    def complete(self, request: Request, pk: str | None = None) -> Response:
        body = NoteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        done = services.action_complete(actor=acting_user(request), action=self.get_object(), **body.validated_data)
        return self._respond(done)

    @extend_schema(request=ReviewReasonSerializer, responses=ReviewActionSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str | None = None) -> Response:
        body = ReviewReasonSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        cancelled = services.action_cancel(actor=acting_user(request), action=self.get_object(), **body.validated_data)
        return self._respond(cancelled)

    @extend_schema(request=ActionToCapaSerializer, responses=ReviewActionSerializer)
    @action(detail=True, methods=["post"], url_path="raise-capa")
    def raise_capa(self, request: Request, pk: str | None = None) -> Response:
        body = ActionToCapaSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        review_action = self.get_object()
        services.action_raise_capa(actor=acting_user(request), action=review_action, **body.validated_data)
        return self._respond(review_action)

    @extend_schema(request=ActionToIdeaSerializer, responses=ReviewActionSerializer)
    @action(detail=True, methods=["post"], url_path="raise-idea")
    def raise_idea(self, request: Request, pk: str | None = None) -> Response:
        body = ActionToIdeaSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        review_action = self.get_object()
        services.action_raise_idea(actor=acting_user(request), action=review_action, **body.validated_data)
        return self._respond(review_action)

    @extend_schema(request=ActionToChangeRequestSerializer, responses=ReviewActionSerializer)
    @action(detail=True, methods=["post"], url_path="request-change")
    def request_change(self, request: Request, pk: str | None = None) -> Response:
        user = acting_user(request)
        body = ActionToChangeRequestSerializer(data=request.data, user=user)
        body.is_valid(raise_exception=True)
        review_action = self.get_object()
        services.action_request_change(actor=user, action=review_action, document=body.validated_data["document"])
        return self._respond(review_action)
