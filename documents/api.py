"""REST API v1 for controlled documents (spec/api.md, "Documents"). Every fetch goes through `visible_to`; every write
through `documents.services`."""

from __future__ import annotations

from pathlib import PurePath
from typing import Any

from django.contrib.auth.models import Group
from django.db.models import Prefetch
from django.http import FileResponse
from django.shortcuts import get_object_or_404
from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from documents import selectors, services
from documents.models import (
    HEAVY_DOCUMENT_FIELDS,
    Approval,
    ChangeRequest,
    Document,
    DocumentType,
    Revision,
    heavy_fields_through,
)
from documents.search import search_documents
from qms.api.filters import FilterSet
from qms.api.history import HistoryMixin
from qms.api.schema import CONFLICT
from qms.api.versions import VersionedUpdateMixin
from qms.models import Clause, Department, Signature, User
from qms.permissions import acting_user
from qms.roles import Role
from qms.uploads import content_disposition, digest_header

QM_ONLY = (Role.QUALITY_MANAGER,)


class SignatureSerializer(serializers.ModelSerializer):
    class Meta:
        model = Signature
        fields = ["signer_name", "meaning", "signed_at", "content_sha256", "comment"]


class ApprovalSerializer(serializers.ModelSerializer):
    approver_name = serializers.CharField(source="approver.display_name", read_only=True)
    signature = SignatureSerializer(read_only=True)

    class Meta:
        model = Approval
        fields = ["id", "round", "approver", "approver_name", "decision", "comment", "decided_at", "signature"]


class RevisionSerializer(serializers.ModelSerializer):
    document: serializers.PrimaryKeyRelatedField[Document] = serializers.PrimaryKeyRelatedField(read_only=True)
    document_number = serializers.CharField(source="document.number", read_only=True)
    author_name = serializers.CharField(source="author.display_name", read_only=True)
    approvals = ApprovalSerializer(many=True, read_only=True)
    file_url = serializers.SerializerMethodField()

    class Meta:
        model = Revision
        fields = [
            "id",
            "document",
            "document_number",
            "revision",
            "status",
            "change_summary",
            "original_filename",
            "sha256",
            "size",
            "content_type",
            "file_url",
            "author",
            "author_name",
            "review_round",
            "effective_date",
            "created_at",
            "submitted_at",
            "approved_at",
            "effective_at",
            "ended_at",
            "imported_from",
            "approved_outside_by",
            "end_reason",
            "approvals",
        ]
        read_only_fields = fields

    def get_file_url(self, revision: Revision) -> str:
        return f"/api/v1/revisions/{revision.pk}/file/"


class RevisionUploadSerializer(serializers.Serializer):
    file = serializers.FileField()
    change_summary = serializers.CharField(max_length=5000)


class RevisionSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = Revision
        fields = ["id", "revision", "status", "effective_date", "sha256"]


@extend_schema_field(RevisionSummarySerializer(allow_null=True))
class EffectiveRevisionField(serializers.Field):
    """A document's revision in force, summarised. One summary serializer serves every row: a serializer built per
    row (as a method field would) rebuilds its fields each time, which was a third of a list's time."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(source="*", read_only=True, **kwargs)
        self.summary = RevisionSummarySerializer()

    def to_representation(self, document: Document) -> dict[str, Any] | None:
        revision = selectors.effective_revision(document)
        return self.summary.to_representation(revision) if revision is not None else None


class DocumentSerializer(serializers.ModelSerializer):
    document_type = serializers.SlugRelatedField(
        slug_field="code", queryset=DocumentType.objects.filter(is_active=True)
    )
    owner = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True))
    department = serializers.PrimaryKeyRelatedField(
        queryset=Department.objects.filter(is_active=True), allow_null=True, required=False
    )
    clauses = serializers.SlugRelatedField(
        slug_field="number", queryset=Clause.objects.all(), many=True, required=False
    )
    distribution_departments = serializers.PrimaryKeyRelatedField(
        queryset=Department.objects.filter(is_active=True), many=True, required=False
    )
    distribution_roles = serializers.SlugRelatedField(
        slug_field="name", queryset=Group.objects.filter(name__in=Role.values), many=True, required=False
    )
    current_revision = EffectiveRevisionField()
    review_period_months = serializers.IntegerField(min_value=1, max_value=120, required=False)

    class Meta:
        model = Document
        fields = [
            "id",
            "number",
            "title",
            "document_type",
            "status",
            "owner",
            "department",
            "clauses",
            "distribution_departments",
            "distribution_roles",
            "restricted",
            "review_period_months",
            "next_review_due",
            "current_revision",
            "created_at",
        ]
        read_only_fields = ["number", "status", "next_review_due", "created_at"]

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if (
            self.instance is not None
            and "document_type" in attrs
            and attrs["document_type"] != self.instance.document_type
        ):
            raise serializers.ValidationError({"document_type": ["A document keeps its type (and number) for life."]})
        return attrs


class SignedActionSerializer(serializers.Serializer):
    password = serializers.CharField(style={"input_type": "password"}, trim_whitespace=False)
    comment = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)


class ApproveSerializer(SignedActionSerializer):
    effective_date = serializers.DateField(required=False, allow_null=True)


class RejectSerializer(SignedActionSerializer):
    comment = serializers.CharField(max_length=5000)


class SubmitSerializer(serializers.Serializer):
    approvers = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True), many=True)
    effective_date = serializers.DateField(required=False, allow_null=True)


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=5000)


class AcknowledgementSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    revision = serializers.IntegerField(source="revision_id")
    user = serializers.IntegerField(source="user_id")
    acknowledged_at = serializers.DateTimeField()


class ChangeRequestSerializer(serializers.ModelSerializer):
    document: serializers.PrimaryKeyRelatedField[Document] = serializers.PrimaryKeyRelatedField(
        queryset=Document.objects.none()
    )
    reference = serializers.SerializerMethodField()

    class Meta:
        model = ChangeRequest
        fields = [
            "id",
            "reference",
            "document",
            "reason",
            "status",
            "requested_by",
            "created_at",
            "decided_by",
            "decided_at",
            "decision_reason",
            "revision",
        ]
        read_only_fields = [
            "status",
            "requested_by",
            "created_at",
            "decided_by",
            "decided_at",
            "decision_reason",
            "revision",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None and request.user.is_authenticated:
            # A change can only be asked for on a document the user can see.
            self.fields["document"].queryset = Document.objects.visible_to(request.user)  # type: ignore[attr-defined]

    def get_reference(self, change_request: ChangeRequest) -> str:
        return f"CR-{change_request.pk:04d}"


class DocumentTypeSerializer(serializers.ModelSerializer):
    class Meta:
        model = DocumentType
        fields = ["id", "code", "name", "default_review_period_months", "is_active"]


# --- Views -------------------------------------------------------------------------------------------------------


class DocumentFilter(FilterSet):
    document_type = filters.CharFilter(field_name="document_type__code")
    clause = filters.CharFilter(field_name="clauses__number", distinct=True)
    review_due_before = filters.DateFilter(field_name="next_review_due", lookup_expr="lte")

    class Meta:
        model = Document
        fields = ["status", "department", "owner", "document_type", "clause", "restricted"]


class DocumentViewSet(HistoryMixin, mixins.CreateModelMixin, VersionedUpdateMixin, viewsets.ReadOnlyModelViewSet):
    """Controlled documents. Quality managers register them; owners and quality managers maintain them."""

    serializer_class = DocumentSerializer
    queryset = Document.objects.none()
    filterset_class = DocumentFilter
    ordering_fields = ["number", "title", "status", "next_review_due", "created_at"]
    http_method_names = ["get", "post", "patch", "head", "options"]
    roles_by_action = {"create": QM_ONLY, "obsolete": QM_ONLY}

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return Document.objects.none()
        documents = selectors.documents_for_list(acting_user(self.request))
        query = self.request.query_params.get("search", "").strip()
        return search_documents(documents, query) if query and self.action == "list" else documents

    def perform_create(self, serializer: Any) -> None:
        data = serializer.validated_data
        serializer.instance = services.document_create(actor=acting_user(self.request), **data)

    def perform_update(self, serializer: Any) -> None:
        data = dict(serializer.validated_data)
        links = {
            key: data.pop(key) for key in ("clauses", "distribution_departments", "distribution_roles") if key in data
        }
        serializer.instance = services.document_update(
            actor=acting_user(self.request),
            document=serializer.instance,
            reason=self.request.headers.get("X-Change-Reason", "Changed through the API"),
            **links,
            **data,
        )

    def history_records(self, document: Document) -> list[Any]:
        return selectors.document_history_records(document, acting_user(self.request))

    @extend_schema(request=RevisionUploadSerializer, responses={201: RevisionSerializer}, methods=["POST"])
    @extend_schema(responses=RevisionSerializer(many=True), methods=["GET"])
    @action(detail=True, methods=["get", "post"], parser_classes=[MultiPartParser, FormParser], pagination_class=None)
    def revisions(self, request: Request, pk: str | None = None) -> Response:
        document = self.get_object()
        user = acting_user(request)
        if request.method == "GET":
            revisions = selectors.revisions_for_document(document, user)
            return Response(RevisionSerializer(revisions, many=True).data)
        upload = RevisionUploadSerializer(data=request.data)
        upload.is_valid(raise_exception=True)
        revision = services.revision_create(actor=user, document=document, **upload.validated_data)
        return Response(RevisionSerializer(revision).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={201: AcknowledgementSerializer})
    @action(detail=True, methods=["post"])
    def acknowledge(self, request: Request, pk: str | None = None) -> Response:
        acknowledgement = services.document_acknowledge(actor=acting_user(request), document=self.get_object())
        return Response(AcknowledgementSerializer(acknowledgement).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=RejectSerializer, responses=DocumentSerializer)
    @action(detail=True, methods=["post"], parser_classes=[JSONParser, FormParser])
    def obsolete(self, request: Request, pk: str | None = None) -> Response:
        body = RejectSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        document = services.document_retire(
            actor=acting_user(request), document=self.get_object(), ip=_client_ip(request), **body.validated_data
        )
        return Response(
            self.get_serializer(selectors.documents_for_list(acting_user(request)).get(pk=document.pk)).data
        )

    @extend_schema(request=SignedActionSerializer, responses=DocumentSerializer)
    @action(detail=True, methods=["post"], url_path="confirm-review", parser_classes=[JSONParser, FormParser])
    def confirm_review(self, request: Request, pk: str | None = None) -> Response:
        body = SignedActionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        document = self.get_object()
        services.document_confirm_review(
            actor=acting_user(request), document=document, ip=_client_ip(request), **body.validated_data
        )
        return Response(
            self.get_serializer(selectors.documents_for_list(acting_user(request)).get(pk=document.pk)).data
        )


class RevisionViewSet(viewsets.ReadOnlyModelViewSet):
    """Revisions, and their workflow: submit, approve, reject (signed), withdraw; the file with its digest."""

    serializer_class = RevisionSerializer
    queryset = Revision.objects.none()
    filterset_fields = ["status", "document"]
    parser_classes = [JSONParser, FormParser]

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return Revision.objects.none()
        return (
            Revision.objects.visible_to(acting_user(self.request))
            .select_related("document", "author")
            .defer(*heavy_fields_through("document", HEAVY_DOCUMENT_FIELDS))
            .prefetch_related(Prefetch("approvals", queryset=Approval.objects.select_related("approver", "signature")))
        )

    def _respond(self, revision: Revision) -> Response:
        return Response(self.get_serializer(self.get_queryset().get(pk=revision.pk)).data)

    @extend_schema(request=SubmitSerializer, responses=RevisionSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk: str | None = None) -> Response:
        body = SubmitSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        revision = services.revision_submit(
            actor=acting_user(request), revision=self.get_object(), **body.validated_data
        )
        return self._respond(revision)

    # The last approval makes the revision effective; a concurrent promotion of another revision answers 409.
    @extend_schema(request=ApproveSerializer, responses={200: RevisionSerializer, 409: CONFLICT})
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: str | None = None) -> Response:
        body = ApproveSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        revision = services.revision_approve(
            actor=acting_user(request), revision=self.get_object(), ip=_client_ip(request), **body.validated_data
        )
        return self._respond(revision)

    @extend_schema(request=RejectSerializer, responses=RevisionSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request: Request, pk: str | None = None) -> Response:
        body = RejectSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        revision = services.revision_reject(
            actor=acting_user(request), revision=self.get_object(), ip=_client_ip(request), **body.validated_data
        )
        return self._respond(revision)

    @extend_schema(request=ReasonSerializer, responses=RevisionSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request: Request, pk: str | None = None) -> Response:
        body = ReasonSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        revision = services.revision_withdraw(
            actor=acting_user(request), revision=self.get_object(), reason=body.validated_data["reason"]
        )
        return self._respond(revision)

    @extend_schema(
        responses={
            (200, "*/*"): OpenApiResponse(bytes, description="The file in its own content type, with a Digest header.")
        }
    )
    @action(detail=True, methods=["get"])
    def file(self, request: Request, pk: str | None = None) -> FileResponse:
        return revision_file_response(self.get_object())


def revision_file_response(revision: Revision, *, inline: bool = False) -> FileResponse:
    """Stream a revision's file with its digest; the name is made safe whatever the uploader called it."""
    response = FileResponse(revision.file.open("rb"), content_type=revision.content_type)
    # The extension is the one of the checked content (a PDF uploaded as "x.docx" downloads as .pdf).
    stem = PurePath(revision.original_filename).stem
    extension = PurePath(revision.file.name).suffix
    response["Content-Disposition"] = content_disposition(
        f"{revision.document.number}-rev{revision.revision}-{stem}{extension}", inline=inline
    )
    response["Digest"] = digest_header(revision.sha256)
    response["Content-Length"] = str(revision.size)
    response["X-Content-Type-Options"] = "nosniff"
    return response


class ChangeRequestViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Requests to change a document; the owner or a quality manager accepts (a draft opens) or declines them."""

    serializer_class = ChangeRequestSerializer
    queryset = ChangeRequest.objects.none()
    filterset_fields = ["status", "document"]

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return ChangeRequest.objects.none()
        visible = Document.objects.visible_to(acting_user(self.request))
        return ChangeRequest.objects.filter(document__in=visible).select_related("document")

    def perform_create(self, serializer: Any) -> None:
        serializer.instance = services.change_request_create(
            actor=acting_user(self.request), **serializer.validated_data
        )

    @extend_schema(
        request=inline_serializer("AcceptChange", fields={"comment": serializers.CharField(required=False)}),
        responses=ChangeRequestSerializer,
    )
    @action(detail=True, methods=["post"])
    def accept(self, request: Request, pk: str | None = None) -> Response:
        change_request = services.change_request_accept(
            actor=acting_user(request), change_request=self.get_object(), comment=str(request.data.get("comment", ""))
        )
        return Response(self.get_serializer(change_request).data)

    @extend_schema(request=ReasonSerializer, responses=ChangeRequestSerializer)
    @action(detail=True, methods=["post"])
    def decline(self, request: Request, pk: str | None = None) -> Response:
        body = ReasonSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        change_request = services.change_request_decline(
            actor=acting_user(request), change_request=self.get_object(), reason=body.validated_data["reason"]
        )
        return Response(self.get_serializer(change_request).data)


class DocumentTypeViewSet(mixins.CreateModelMixin, VersionedUpdateMixin, viewsets.ReadOnlyModelViewSet):
    """Document types and their number prefixes: everyone reads them, quality managers maintain them."""

    serializer_class = DocumentTypeSerializer
    queryset = DocumentType.objects.all()
    roles_by_action = {"create": QM_ONLY, "update": QM_ONLY, "partial_update": QM_ONLY}
    http_method_names = ["get", "post", "patch", "head", "options"]
    pagination_class = None

    def perform_create(self, serializer: Any) -> None:
        serializer.instance = services.document_type_save(
            actor=acting_user(self.request),
            document_type=DocumentType(**serializer.validated_data),
            reason="Type created",
        )

    def perform_update(self, serializer: Any) -> None:
        document_type = get_object_or_404(DocumentType, pk=serializer.instance.pk)
        if "code" in serializer.validated_data and serializer.validated_data["code"] != document_type.code:
            raise serializers.ValidationError({"code": ["The prefix is part of existing numbers and cannot change."]})
        for name, value in serializer.validated_data.items():
            setattr(document_type, name, value)
        serializer.instance = services.document_type_save(
            actor=acting_user(self.request), document_type=document_type, reason="Type changed"
        )


def _client_ip(request: Request) -> str | None:
    return request.META.get("REMOTE_ADDR")
