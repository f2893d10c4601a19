"""REST API v1 for internal audits (spec/api.md, "Audits"). Fetches go through `visible_to`; writes through
`audits.services`."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from audits import services
from audits.models import Audit, ChecklistItem, Finding
from documents.models import Document
from qms.api.history import HistoryMixin
from qms.models import Clause, Department, User
from qms.permissions import acting_user
from qms.roles import Role

PLANNERS = (Role.QUALITY_MANAGER, Role.AUDITOR)


class FindingSerializer(serializers.ModelSerializer):
    clause = serializers.SlugRelatedField(slug_field="number", queryset=Clause.objects.all())
    department = serializers.PrimaryKeyRelatedField(
        queryset=Department.objects.filter(is_active=True), allow_null=True, required=False
    )
    checklist_item = serializers.PrimaryKeyRelatedField(
        queryset=ChecklistItem.objects.all(), allow_null=True, required=False
    )
    audit: serializers.PrimaryKeyRelatedField[Audit] = serializers.PrimaryKeyRelatedField(read_only=True)
    capa = serializers.SerializerMethodField()
    idea = serializers.SerializerMethodField()

    class Meta:
        model = Finding
        fields = [
            "id",
            "reference",
            "audit",
            "type",
            "clause",
            "statement",
            "requirement",
            "evidence",
            "department",
            "checklist_item",
            "raised_by",
            "created_at",
            "capa",
            "idea",
        ]
        read_only_fields = ["reference", "raised_by", "created_at"]

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_capa(self, finding: Finding) -> int | None:
        """The CAPA that answers this finding, once the CAPA module links them."""
        return _first_linked(finding, "capas")

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_idea(self, finding: Finding) -> int | None:
        """The improvement idea raised from this finding, once the improvement module links them."""
        return _first_linked(finding, "ideas")


class ChecklistItemSerializer(serializers.ModelSerializer):
    clause: serializers.SlugRelatedField[Clause] = serializers.SlugRelatedField(slug_field="number", read_only=True)

    class Meta:
        model = ChecklistItem
        fields = ["id", "audit", "clause", "order", "question", "result", "notes"]
        read_only_fields = ["audit", "clause", "order", "question"]


class AuditSerializer(serializers.ModelSerializer):
    clauses = serializers.SlugRelatedField(slug_field="number", queryset=Clause.objects.all(), many=True)
    documents = serializers.PrimaryKeyRelatedField(queryset=Document.objects.all(), many=True, required=False)
    department = serializers.PrimaryKeyRelatedField(
        queryset=Department.objects.filter(is_active=True), allow_null=True, required=False
    )
    lead_auditor = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True))
    team = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True), many=True, required=False)
    auditees = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), many=True, required=False
    )
    programme_year = serializers.IntegerField(source="programme.year", read_only=True)

    class Meta:
        model = Audit
        fields = [
            "id",
            "reference",
            "programme_year",
            "title",
            "scope",
            "department",
            "clauses",
            "documents",
            "lead_auditor",
            "team",
            "auditees",
            "planned_start",
            "planned_end",
            "actual_start",
            "actual_end",
            "status",
            "conclusion",
            "cancel_reason",
            "closed_at",
            "created_at",
        ]
        read_only_fields = [
            "reference",
            "actual_start",
            "actual_end",
            "status",
            "conclusion",
            "cancel_reason",
            "closed_at",
            "created_at",
        ]

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        start, end = attrs.get("planned_start"), attrs.get("planned_end")
        if start and end and end < start:
            raise serializers.ValidationError({"planned_end": ["The planned end is before the planned start."]})
        return attrs


class ReportReadySerializer(serializers.Serializer):
    conclusion = serializers.CharField(required=False, allow_blank=True, max_length=10000)


class CloseSerializer(serializers.Serializer):
    password = serializers.CharField(style={"input_type": "password"}, trim_whitespace=False)
    comment = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)


class CancelSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=5000)


class AuditViewSet(HistoryMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Internal audits and their state machine: start, report-ready, close (signed), cancel."""

    serializer_class = AuditSerializer
    queryset = Audit.objects.none()
    filterset_fields = ["status", "department", "lead_auditor"]
    search_fields = ["reference", "title", "scope"]
    ordering_fields = ["planned_start", "reference", "status"]
    roles_by_action = {"create": PLANNERS}

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return Audit.objects.none()
        return (
            Audit.objects.visible_to(acting_user(self.request))
            .select_related("programme", "department", "lead_auditor")
            .prefetch_related("clauses", "documents", "team", "auditees")
        )

    def perform_create(self, serializer: Any) -> None:
        serializer.instance = services.audit_create(actor=acting_user(self.request), **serializer.validated_data)

    def _respond(self, audit: Audit) -> Response:
        return Response(self.get_serializer(self.get_queryset().get(pk=audit.pk)).data)

    @extend_schema(request=None, responses=AuditSerializer)
    @action(detail=True, methods=["post"])
    def start(self, request: Request, pk: str | None = None) -> Response:
        return self._respond(services.audit_start(actor=acting_user(request), audit=self.get_object()))

    @extend_schema(request=ReportReadySerializer, responses=AuditSerializer)
    @action(detail=True, methods=["post"], url_path="report-ready")
    def report_ready(self, request: Request, pk: str | None = None) -> Response:
        body = ReportReadySerializer(data=request.data)
        body.is_valid(raise_exception=True)
        audit = services.audit_report_ready(actor=acting_user(request), audit=self.get_object(), **body.validated_data)
        return self._respond(audit)

    @extend_schema(request=CloseSerializer, responses=AuditSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request: Request, pk: str | None = None) -> Response:
        body = CloseSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        audit = services.audit_close(
            actor=acting_user(request),
            audit=self.get_object(),
            ip=request.META.get("REMOTE_ADDR"),
            **body.validated_data,
        )
        return self._respond(audit)

    @extend_schema(request=CancelSerializer, responses=AuditSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str | None = None) -> Response:
        body = CancelSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        audit = services.audit_cancel(actor=acting_user(request), audit=self.get_object(), **body.validated_data)
        return self._respond(audit)

    @extend_schema(request=FindingSerializer, responses={200: FindingSerializer(many=True), 201: FindingSerializer})
    @action(detail=True, methods=["get", "post"], pagination_class=None)
    def findings(self, request: Request, pk: str | None = None) -> Response:
        audit = self.get_object()
        if request.method == "GET":
            findings = audit.findings.select_related("clause", "audit")
            return Response(FindingSerializer(findings, many=True).data)
        body = FindingSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        finding = services.finding_create(actor=acting_user(request), audit=audit, **body.validated_data)
        return Response(FindingSerializer(finding).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses=ChecklistItemSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None)
    def checklist(self, request: Request, pk: str | None = None) -> Response:
        items = self.get_object().checklist_items.select_related("clause")
        return Response(ChecklistItemSerializer(items, many=True).data)


class ChecklistItemViewSet(mixins.UpdateModelMixin, viewsets.GenericViewSet):
    """Answer a checklist question: `PATCH {result, notes}`."""

    serializer_class = ChecklistItemSerializer
    queryset = ChecklistItem.objects.none()
    http_method_names = ["patch", "options"]

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return ChecklistItem.objects.none()
        audits = Audit.objects.visible_to(acting_user(self.request))
        return ChecklistItem.objects.filter(audit__in=audits).select_related("audit", "clause")

    def perform_update(self, serializer: Any) -> None:
        serializer.instance = services.checklist_answer(
            actor=acting_user(self.request), item=serializer.instance, **serializer.validated_data
        )


class FindingViewSet(viewsets.ReadOnlyModelViewSet):
    """The findings register across audits."""

    serializer_class = FindingSerializer
    queryset = Finding.objects.none()
    filterset_fields = ["type", "audit", "department"]
    search_fields = ["reference", "statement"]

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return Finding.objects.none()
        audits = Audit.objects.visible_to(acting_user(self.request))
        return (
            Finding.objects.filter(audit__in=audits)
            .select_related("clause", "audit")
            .prefetch_related(*_reverse_link_prefetches())
        )


def _first_linked(finding: Finding, relation: str) -> int | None:
    """The oldest record linked through a reverse relation (from the prefetch when there is one)."""
    manager = getattr(finding, relation, None)
    if manager is None:
        return None
    return min((linked.pk for linked in manager.all()), default=None)


def _reverse_link_prefetches() -> list[Prefetch]:
    """CAPA and ideas link to findings from higher floors; prefetch those links when the modules are installed."""
    return [Prefetch(name) for name in ("capas", "ideas") if hasattr(Finding, name)]
