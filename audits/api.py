"""REST API v1 for internal audits (spec/api.md, "Audits"). Fetches go through `visible_to`; writes through
`audits.services`."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch
from django.http import FileResponse
from django.urls import reverse
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from audits import services
from audits.models import Audit, AuditReport, ChecklistItem, EvidenceFile, Finding
from documents.models import Document
from qms.api.history import HistoryMixin
from qms.api.serializers import JobSerializer
from qms.api.versions import VersionedUpdateMixin
from qms.api.views import accepted
from qms.models import Clause, Department, User
from qms.permissions import acting_user
from qms.roles import Role
from qms.uploads import content_disposition, digest_header

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


class EvidenceFileSerializer(serializers.ModelSerializer):
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = EvidenceFile
        fields = [
            "id",
            "original_filename",
            "sha256",
            "size",
            "content_type",
            "uploaded_by",
            "uploaded_at",
            "download_url",
        ]
        read_only_fields = fields

    def get_download_url(self, evidence: EvidenceFile) -> str:
        return f"/api/v1/audit-evidence/{evidence.pk}/download/"


class EvidenceUploadSerializer(serializers.Serializer):
    file = serializers.FileField()


class ChecklistItemSerializer(serializers.ModelSerializer):
    clause: serializers.SlugRelatedField[Clause] = serializers.SlugRelatedField(
        slug_field="number", read_only=True, allow_null=True
    )

    class Meta:
        model = ChecklistItem
        fields = ["id", "audit", "clause", "order", "question", "result", "notes", "evidence_files"]
        read_only_fields = ["audit", "clause", "order", "question", "evidence_files"]

    evidence_files = EvidenceFileSerializer(many=True, read_only=True)


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

    imported_reference = serializers.CharField(
        read_only=True, help_text="The reference it had in the earlier system it was imported from; empty if made here."
    )

    class Meta:
        model = Audit
        fields = [
            "imported_reference",
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


class ReportRequestSerializer(serializers.Serializer):
    final = serializers.BooleanField(
        required=False, default=False, help_text="The final report of a closed audit; a draft otherwise."
    )


class AuditReportSerializer(serializers.ModelSerializer):
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = AuditReport
        fields = ["id", "version", "final", "sha256", "size", "generated_at", "generated_by", "download_url"]
        read_only_fields = fields

    def get_download_url(self, report: AuditReport) -> str:
        return reverse("api:audit-report-download", args=[report.pk])


class AuditViewSet(HistoryMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Internal audits and their state machine: start, report-ready, close (signed), cancel."""

    serializer_class = AuditSerializer
    queryset = Audit.objects.none()
    filterset_fields = ["status", "department", "lead_auditor"]
    search_fields = ["reference", "imported_reference", "title", "scope"]
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
        services.audit_report_after_close(actor=acting_user(request), audit=audit)
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

    @extend_schema(
        request=ReportRequestSerializer,
        responses={202: JobSerializer},
        description="Generate the audit report PDF in the background: a draft while the audit runs, the final report "
        "once it is closed (made by itself at closing). Poll the job; the report then appears in `reports`.",
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def report(self, request: Request, pk: str | None = None) -> Response:
        body = ReportRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        job = services.audit_report_request(actor=acting_user(request), audit=self.get_object(), **body.validated_data)
        return accepted(job, request)

    @extend_schema(
        responses=AuditReportSerializer(many=True),
        description="The audit's generated reports, newest first, each with its SHA-256 and where to download it.",
    )
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def reports(self, request: Request, pk: str | None = None) -> Response:
        reports = self.get_object().reports.select_related("audit", "generated_by")
        return Response(AuditReportSerializer(reports, many=True).data)


class ChecklistItemViewSet(VersionedUpdateMixin, viewsets.GenericViewSet):
    """Answer a checklist question (`PATCH {result, notes}`) and attach evidence files (`POST …/evidence/`)."""

    serializer_class = ChecklistItemSerializer
    queryset = ChecklistItem.objects.none()
    http_method_names = ["patch", "post", "options"]

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return ChecklistItem.objects.none()
        audits = Audit.objects.visible_to(acting_user(self.request))
        return (
            ChecklistItem.objects.filter(audit__in=audits)
            .select_related("audit", "clause")
            .prefetch_related("evidence_files")
        )

    def perform_update(self, serializer: Any) -> None:
        serializer.instance = services.checklist_answer(
            actor=acting_user(self.request), item=serializer.instance, **serializer.validated_data
        )

    @extend_schema(request=EvidenceUploadSerializer, responses={201: EvidenceFileSerializer})
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser, FormParser])
    def evidence(self, request: Request, pk: str | None = None) -> Response:
        body = EvidenceUploadSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        evidence = services.evidence_add(
            actor=acting_user(request), item=self.get_object(), file=body.validated_data["file"]
        )
        return Response(EvidenceFileSerializer(evidence).data, status=status.HTTP_201_CREATED)


class EvidenceFileViewSet(viewsets.GenericViewSet):
    """Evidence files of audit checklists, downloaded with their digest."""

    serializer_class = EvidenceFileSerializer
    queryset = EvidenceFile.objects.none()

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return EvidenceFile.objects.none()
        return evidence_visible_to(acting_user(self.request))

    @extend_schema(
        responses={
            (200, "*/*"): OpenApiResponse(bytes, description="The file in its own content type, with a Digest header.")
        }
    )
    @action(detail=True, methods=["get"])
    def download(self, request: Request, pk: str | None = None) -> FileResponse:
        return evidence_file_response(self.get_object())


def evidence_visible_to(user: Any) -> Any:
    """Evidence files of the audits the user may see."""
    return EvidenceFile.objects.filter(checklist_item__audit__in=Audit.objects.visible_to(user)).select_related(
        "checklist_item__audit"
    )


def evidence_file_response(evidence: EvidenceFile) -> FileResponse:
    response = FileResponse(evidence.file.open("rb"), content_type=evidence.content_type)
    response["Content-Disposition"] = content_disposition(evidence.original_filename)
    response["Digest"] = digest_header(evidence.sha256)
    response["X-Content-Type-Options"] = "nosniff"
    return response


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


class AuditReportViewSet(viewsets.GenericViewSet):
    """Generated audit reports: download one. Whoever sees the audit may download its reports."""

    serializer_class = AuditReportSerializer
    queryset = AuditReport.objects.none()
    lookup_value_regex = r"[0-9]+"
    filter_backends: list[Any] = []
    pagination_class = None

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return AuditReport.objects.none()
        return AuditReport.objects.visible_to(acting_user(self.request)).select_related("audit")

    @extend_schema(
        responses={
            (200, "application/pdf"): OpenApiResponse(bytes, description="The PDF, with a Digest header."),
            404: OpenApiResponse(description="No such report, or its audit is not visible to you."),
        }
    )
    @action(detail=True, methods=["get"])
    def download(self, request: Request, pk: str | None = None) -> FileResponse:
        return report_file_response(self.get_object())


def report_file_response(report: AuditReport) -> FileResponse:
    """Stream a kept report with its digest. The browser's download uses it too."""
    response = FileResponse(report.file.open("rb"), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition(report.download_name)
    response["Digest"] = digest_header(report.sha256)
    response["Content-Length"] = str(report.size)
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _first_linked(finding: Finding, relation: str) -> int | None:
    """The oldest record linked through a reverse relation (from the prefetch when there is one)."""
    manager = getattr(finding, relation, None)
    if manager is None:
        return None
    return min((linked.pk for linked in manager.all()), default=None)


def _reverse_link_prefetches() -> list[Prefetch]:
    """CAPA and ideas link to findings from higher floors; prefetch those links when the modules are installed."""
    return [Prefetch(name) for name in ("capas", "ideas") if hasattr(Finding, name)]
