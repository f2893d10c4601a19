"""REST API v1 for quality objectives (ISO 9001 6.2), by the conventions of spec/api.md:

- `GET, POST /api/v1/quality-objectives/`, `GET, PATCH /api/v1/quality-objectives/{id}/`
- `GET, POST /api/v1/quality-objectives/{id}/measurements/` (`{measured_on, value, note?}`)
- `POST /api/v1/quality-objectives/{id}/close/` (`{outcome: "achieved" | "missed" | "withdrawn", reason}`)
- `GET /api/v1/quality-objectives/{id}/history/`

Every fetch goes through `visible_to` (what a user may not see is a 404); every write through `services`, whose
refusals the API's exception handler turns into 400 (with the field) and 403.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from qms.api.history import HistoryMixin
from qms.api.versions import VersionedUpdateMixin
from qms.models import Clause, Department, User
from qms.objectives import services
from qms.objectives.models import VALUE_DIGITS, VALUE_PLACES, Measurement, Objective, Standing
from qms.objectives.selectors import latest_standing, with_latest
from qms.permissions import STAFF_ROLES, acting_user
from qms.roles import Role

QM_ONLY = (Role.QUALITY_MANAGER,)
CREATE_FIELDS = frozenset(services.EDITABLE_FIELDS) | {"source"}
UPDATE_FIELDS = frozenset(services.EDITABLE_FIELDS)
OUTCOMES = [(value, label) for value, label in Objective.Status.choices if value != Objective.Status.ACTIVE]


def objectives_for(user: Any) -> QuerySet[Objective]:
    """The objectives `user` may see, with what the serializer reads, and their latest value (one query)."""
    return with_latest(
        Objective.objects.visible_to(user).select_related("owner", "department").prefetch_related("clauses")
    )


class _Value(serializers.DecimalField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(max_digits=VALUE_DIGITS, decimal_places=VALUE_PLACES, **kwargs)


class ObjectiveMeasurementSerializer(serializers.ModelSerializer):
    value = _Value()
    entered_by_name = serializers.SerializerMethodField()

    class Meta:
        model = Measurement
        fields = [
            "id",
            "objective",
            "measured_on",
            "value",
            "note",
            "source",
            "entered_by",
            "entered_by_name",
            "entered_at",
        ]
        read_only_fields = ["objective", "source", "entered_by", "entered_at"]
        # The service says "there is already a value for that day" next to measured_on; the model's unique
        # constraint would otherwise answer first, in its own words.
        validators: list[Any] = []

    def get_entered_by_name(self, measurement: Measurement) -> str | None:
        return measurement.entered_by.display_name if measurement.entered_by else None


class ObjectiveLatestSerializer(serializers.Serializer):
    measured_on = serializers.DateField()
    value = _Value()


class QualityObjectiveSerializer(serializers.ModelSerializer):
    owner = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True))
    owner_name = serializers.CharField(source="owner.display_name", read_only=True)
    department = serializers.PrimaryKeyRelatedField(
        queryset=Department.objects.filter(is_active=True), allow_null=True, required=False
    )
    clauses = serializers.SlugRelatedField(
        slug_field="number",
        queryset=Clause.objects.all(),
        many=True,
        required=False,
        help_text='ISO 9001 clause numbers; ["6.2"] when none are given.',
    )
    metric = serializers.CharField(
        max_length=200, required=False, allow_blank=True, help_text="Required when measured by hand."
    )
    unit = serializers.CharField(
        max_length=40, required=False, allow_blank=True, help_text="Required when measured by hand."
    )
    direction = serializers.ChoiceField(
        choices=Objective.Direction.choices,
        required=False,
        help_text="Required when measured by hand; a computed metric is higher-is-better.",
    )
    # DRF's Field has a `source` attribute; the metaclass moves this declared field out of its way at runtime, but the
    # type checker sees the clash.
    source = serializers.ChoiceField(  # type: ignore[assignment]
        choices=Objective.Source.choices,
        required=False,
        help_text="manual (values entered by hand) or a computed metric; fixed once the objective is set.",
    )
    target = _Value()
    baseline = _Value(required=False, allow_null=True)
    latest = serializers.SerializerMethodField()
    standing = serializers.SerializerMethodField()
    met = serializers.SerializerMethodField()
    is_overdue = serializers.BooleanField(read_only=True, help_text="Active past its due date: time to close it.")

    class Meta:
        model = Objective
        fields = [
            "id",
            "reference",
            "title",
            "description",
            "clauses",
            "department",
            "owner",
            "owner_name",
            "metric",
            "unit",
            "direction",
            "target",
            "baseline",
            "start_date",
            "due_date",
            "source",
            "status",
            "latest",
            "met",
            "standing",
            "is_overdue",
            "close_reason",
            "closed_at",
            "closed_by",
            "created_by",
            "created_at",
        ]
        read_only_fields = ["reference", "status", "close_reason", "closed_at", "closed_by", "created_by", "created_at"]

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        allowed = CREATE_FIELDS if self.instance is None else UPDATE_FIELDS
        refused = {name: ["This is fixed when the objective is set."] for name in attrs if name not in allowed}
        if refused:
            raise serializers.ValidationError(refused)
        return attrs

    def _latest(self, objective: Objective) -> tuple[Decimal | None, Any]:
        value = getattr(objective, "latest_value", None)
        if value is not None and not isinstance(value, Decimal):
            value = Decimal(str(value))
        return value, getattr(objective, "latest_on", None)

    @extend_schema_field(ObjectiveLatestSerializer(allow_null=True))
    def get_latest(self, objective: Objective) -> dict[str, Any] | None:
        value, on = self._latest(objective)
        if value is None:
            return None
        return ObjectiveLatestSerializer({"measured_on": on, "value": value}).data

    @extend_schema_field(serializers.BooleanField(allow_null=True, help_text="The latest value meets the target."))
    def get_met(self, objective: Objective) -> bool | None:
        value, _ = self._latest(objective)
        return None if value is None else objective.meets(value)

    @extend_schema_field(
        serializers.ChoiceField(
            choices=Standing.choices,
            help_text="met; on_track (not there yet, at or better than the planned path from the baseline); "
            "off_track; no_data.",
        )
    )
    def get_standing(self, objective: Objective) -> str:
        return str(latest_standing(objective))


class ObjectiveCloseSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=OUTCOMES)
    reason = serializers.CharField(max_length=5000, help_text="The evaluation: what the result was, what follows.")


class ObjectiveViewSet(HistoryMixin, mixins.CreateModelMixin, VersionedUpdateMixin, viewsets.ReadOnlyModelViewSet):
    """Quality objectives: everyone with a role reads them; quality managers set, change and close them; the owner
    (or a quality manager) enters the values of one measured by hand. Computed values are taken daily by a task."""

    serializer_class = QualityObjectiveSerializer
    queryset = Objective.objects.none()
    filterset_fields = ["status", "owner", "department", "source", "direction"]
    search_fields = ["reference", "title", "metric"]
    ordering_fields = ["due_date", "start_date", "reference", "status", "created_at"]
    http_method_names = ["get", "post", "patch", "head", "options"]
    roles_by_action = {
        "create": QM_ONLY,
        "partial_update": QM_ONLY,
        "close": QM_ONLY,
        "add_measurement": STAFF_ROLES,
    }

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return Objective.objects.none()
        return objectives_for(acting_user(self.request))

    def perform_create(self, serializer: Any) -> None:
        objective = services.objective_create(actor=acting_user(self.request), **serializer.validated_data)
        serializer.instance = self.get_queryset().get(pk=objective.pk)

    def perform_update(self, serializer: Any) -> None:
        objective = services.objective_update(
            actor=acting_user(self.request),
            objective=serializer.instance,
            reason=self.request.headers.get("X-Change-Reason", ""),
            **serializer.validated_data,
        )
        serializer.instance = self.get_queryset().get(pk=objective.pk)

    def history_records(self, objective: Objective) -> list[Any]:
        # As the history page: the values entered by hand; computed values are listed by `measurements`.
        measurements = list(objective.measurements.filter(source=Measurement.Source.MANUAL))
        for measurement in measurements:
            measurement.objective = objective
        return [objective, *measurements]

    @extend_schema(responses=ObjectiveMeasurementSerializer(many=True))
    @action(
        detail=True,
        methods=["get"],
        url_path="measurements",
        url_name="measurements",
        pagination_class=None,
        filter_backends=[],
    )
    def measurements(self, request: Request, pk: str | None = None) -> Response:
        """Every value of the objective, oldest first."""
        rows = self.get_object().measurements.select_related("entered_by").order_by("measured_on")
        return Response(ObjectiveMeasurementSerializer(rows, many=True).data)

    @extend_schema(request=ObjectiveMeasurementSerializer, responses={201: ObjectiveMeasurementSerializer})
    @measurements.mapping.post
    def add_measurement(self, request: Request, pk: str | None = None) -> Response:
        objective = self.get_object()
        body = ObjectiveMeasurementSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        measurement = services.measurement_record(
            actor=acting_user(request), objective=objective, **body.validated_data
        )
        return Response(ObjectiveMeasurementSerializer(measurement).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ObjectiveCloseSerializer, responses=QualityObjectiveSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request: Request, pk: str | None = None) -> Response:
        body = ObjectiveCloseSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        objective = services.objective_close(
            actor=acting_user(request), objective=self.get_object(), **body.validated_data
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=objective.pk)).data)
