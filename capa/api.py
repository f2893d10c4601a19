"""REST API v1 for nonconformity and corrective action (spec/api.md, "CAPA"): the nonconformity log, CAPAs with their
root-cause analysis, their actions with evidence, and the signed effectiveness check.

Every fetch goes through `visible_to` (what a user may not see is a 404); every write goes through `capa.services`,
whose refusals the API's exception handler turns into 400 (with the field), 403 and 409. The state machine and the
closing rule are asked of `Capa.blockers_for`, never restated here.
"""

from __future__ import annotations

from pathlib import PurePath
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import FileResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from audits.models import Audit, Finding
from capa import services
from capa.models import ActionEvidenceFile, Capa, CapaAction, EffectivenessCheck, Nonconformity
from documents.models import Document
from qms.api.filters import BooleanFilter, FilterSet
from qms.api.history import HistoryMixin
from qms.api.versions import VersionedUpdateMixin
from qms.models import Clause, Department, User
from qms.permissions import STAFF_ROLES, acting_user
from qms.roles import Role
from qms.uploads import UploadError, content_disposition, digest_header
from qms.web import client_ip

OPENERS = (Role.QUALITY_MANAGER, Role.AUDITOR)
QM_ONLY = (Role.QUALITY_MANAGER,)

# What a new CAPA takes, and what `services.capa_update` changes afterwards; the rest is fixed when it is opened.
CREATE_FIELDS = frozenset(
    {
        "title",
        "kind",
        "source",
        "severity",
        "problem",
        "containment",
        "owner",
        "department",
        "clause",
        "due_date",
        "findings",
        "nonconformities",
    }
)
UPDATE_FIELDS = frozenset(services.EDITABLE_FIELDS) | frozenset(services.ANALYSIS_FIELDS)
# Where `advance` moves a CAPA; named in the schema by settings.SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"].
ADVANCE_STEPS = [(step.value, step.label) for step in Capa.NEXT_STEP.values()]


def _request_user(serializer: serializers.Serializer) -> Any:
    request = serializer.context.get("request")
    return request.user if request is not None and request.user.is_authenticated else None


# --- Querysets ------------------------------------------------------------------------------------------------------
# The lists prefetch everything their serializers read, so the number of queries does not grow with the page.


def _actions_queryset() -> QuerySet[CapaAction]:
    return CapaAction.objects.select_related("capa", "owner").prefetch_related("evidence_files")


def capas_for(user: Any) -> QuerySet[Capa]:
    """The CAPAs `user` may see, with their links, actions (and evidence) and effectiveness checks."""
    return (
        Capa.objects.visible_to(user)
        .select_related("owner", "clause")
        .prefetch_related(
            # Links show only what the user may open; a link to a hidden record would still tell that it exists.
            Prefetch("findings", queryset=Finding.objects.filter(audit__in=Audit.objects.visible_to(user))),
            Prefetch("nonconformities", queryset=Nonconformity.objects.visible_to(user)),
            # No select_related("capa") here: the prefetch points each action back at its CAPA.
            Prefetch("actions", queryset=CapaAction.objects.select_related("owner").prefetch_related("evidence_files")),
            "effectiveness_checks",
        )
    )


def actions_for(user: Any) -> QuerySet[CapaAction]:
    """The actions of the CAPAs `user` may see."""
    return _actions_queryset().filter(capa__in=Capa.objects.visible_to(user))


def nonconformities_for(user: Any) -> QuerySet[Nonconformity]:
    """The log entries `user` may see, with the CAPAs they were escalated to (those the user may see)."""
    return (
        Nonconformity.objects.visible_to(user)
        .select_related("clause", "reported_by")
        .prefetch_related(Prefetch("capas", queryset=Capa.objects.visible_to(user)))
    )


# --- Serializers ----------------------------------------------------------------------------------------------------


class ActionEvidenceFileSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="original_filename", read_only=True)
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = ActionEvidenceFile
        fields = ["id", "name", "size", "sha256", "content_type", "uploaded_by", "uploaded_at", "download_url"]
        read_only_fields = fields

    def get_download_url(self, evidence: ActionEvidenceFile) -> str:
        return reverse("api:capa-action-file", args=[evidence.action_id, evidence.pk])


class CapaActionSerializer(serializers.ModelSerializer):
    capa: serializers.PrimaryKeyRelatedField[Capa] = serializers.PrimaryKeyRelatedField(read_only=True)
    # DRF's Field has a `label` attribute; the metaclass moves this declared field out of its way at runtime, but the
    # type checker sees the clash.
    label = serializers.CharField(  # type: ignore[assignment]
        read_only=True, help_text="CAPA reference and action number: CAPA-0012/A2."
    )
    owner = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True))
    owner_name = serializers.CharField(source="owner.display_name", read_only=True)
    document = serializers.PrimaryKeyRelatedField(
        queryset=Document.objects.none(),
        allow_null=True,
        required=False,
        help_text="A controlled document this action changes: a change request is opened on it, and the action is "
        "done when the new revision becomes effective.",
    )
    is_overdue = serializers.BooleanField(read_only=True)
    evidence_files = ActionEvidenceFileSerializer(many=True, read_only=True)

    class Meta:
        model = CapaAction
        fields = [
            "id",
            "capa",
            "number",
            "label",
            "description",
            "owner",
            "owner_name",
            "due_date",
            "status",
            "is_overdue",
            "document",
            "change_request",
            "evidence",
            "evidence_files",
            "completed_at",
            "completed_by",
            "cancel_reason",
            "created_by",
            "created_at",
        ]
        read_only_fields = [
            "number",
            "status",
            "change_request",
            "evidence",
            "completed_at",
            "completed_by",
            "cancel_reason",
            "created_by",
            "created_at",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        user = _request_user(self)
        if user is not None:
            # An action may only change a document its planner can see.
            self.fields["document"].queryset = Document.objects.visible_to(user)  # type: ignore[attr-defined]


class EffectivenessCheckSerializer(serializers.ModelSerializer):
    # Declared for `allow_blank`: DRF drops it from read-only model fields, and the schema would then leave out the
    # blank answer of a check not yet verified.
    result = serializers.ChoiceField(choices=EffectivenessCheck.Result.choices, allow_blank=True, read_only=True)

    class Meta:
        model = EffectivenessCheck
        fields = ["id", "planned_date", "criteria", "result", "comment", "verified_by", "verified_at"]
        read_only_fields = fields


class MissingSerializer(serializers.Serializer):
    """What still stands in the way, in words a user can act on (from `Capa.blockers_for`)."""

    next_step = serializers.CharField(
        allow_null=True, help_text="Where `advance` would move the CAPA; null from verifying on (verify closes it)."
    )
    for_next_step = serializers.ListField(child=serializers.CharField())
    for_closing = serializers.ListField(
        child=serializers.CharField(), help_text="Empty once the CAPA is closed or cancelled."
    )


class CapaSerializer(serializers.ModelSerializer):
    owner = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True))
    owner_name = serializers.CharField(source="owner.display_name", read_only=True)
    department = serializers.PrimaryKeyRelatedField(
        queryset=Department.objects.filter(is_active=True), allow_null=True, required=False
    )
    clause = serializers.SlugRelatedField(
        slug_field="number", queryset=Clause.objects.all(), allow_null=True, required=False
    )
    findings = serializers.PrimaryKeyRelatedField(queryset=Finding.objects.none(), many=True, required=False)
    nonconformities = serializers.PrimaryKeyRelatedField(
        queryset=Nonconformity.objects.none(), many=True, required=False
    )
    root_cause_analysis = serializers.JSONField(
        required=False,
        help_text='5 Whys: [{"why": "…", "because": "…"}, …] in order. Fishbone: {"people": ["cause", …], "method": '
        "[…], …} under the 6M categories (people, method, machine, material, measurement, environment).",
    )
    actions = CapaActionSerializer(many=True, read_only=True)
    effectiveness_checks = EffectivenessCheckSerializer(many=True, read_only=True)
    days_open = serializers.IntegerField(read_only=True)
    is_overdue = serializers.BooleanField(read_only=True)
    missing = serializers.SerializerMethodField()

    imported_reference = serializers.CharField(
        read_only=True, help_text="The reference it had in the earlier system it was imported from; empty if made here."
    )

    class Meta:
        model = Capa
        fields = [
            "imported_reference",
            "id",
            "reference",
            "title",
            "kind",
            "source",
            "severity",
            "problem",
            "containment",
            "owner",
            "owner_name",
            "department",
            "clause",
            "due_date",
            "status",
            "findings",
            "nonconformities",
            "root_cause_method",
            "root_cause_analysis",
            "root_cause",
            "cause_category",
            "actions",
            "effectiveness_checks",
            "missing",
            "days_open",
            "is_overdue",
            "closed_at",
            "cancel_reason",
            "created_by",
            "created_at",
        ]
        read_only_fields = ["reference", "status", "closed_at", "cancel_reason", "created_by", "created_at"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        user = _request_user(self)
        if user is not None:
            # Only findings of audits, and log entries, that the user can see may be linked.
            findings = Finding.objects.filter(audit__in=Audit.objects.visible_to(user))
            self.fields["findings"].child_relation.queryset = findings  # type: ignore[attr-defined]
            entries = Nonconformity.objects.visible_to(user)
            self.fields["nonconformities"].child_relation.queryset = entries  # type: ignore[attr-defined]

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if self.instance is None:
            refused = {
                name: ["Write the root-cause analysis once the CAPA is open (PATCH)."]
                for name in attrs
                if name not in CREATE_FIELDS
            }
        else:
            refused = {name: ["This is fixed when the CAPA is opened."] for name in attrs if name not in UPDATE_FIELDS}
        if refused:
            raise serializers.ValidationError(refused)
        return attrs

    @extend_schema_field(MissingSerializer)
    def get_missing(self, capa: Capa) -> dict[str, Any]:
        # The prefetched actions and checks: listing CAPAs asks no query per CAPA for this.
        actions, checks = list(capa.actions.all()), list(capa.effectiveness_checks.all())
        step = capa.next_step
        return {
            "next_step": step,
            "for_next_step": capa.blockers_for(step, actions, checks) if step else [],
            "for_closing": capa.closing_gaps(actions, checks),
        }


class OwnerDueSerializer(serializers.Serializer):
    owner = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True))
    due_date = serializers.DateField()


class RaiseCapaSerializer(OwnerDueSerializer):
    """Who owns the CAPA raised from a finding, and by when it is due."""


class EscalateSerializer(OwnerDueSerializer):
    kind = serializers.ChoiceField(choices=Capa.Kind.choices, default=Capa.Kind.CORRECTIVE)


class AdvanceSerializer(serializers.Serializer):
    to = serializers.ChoiceField(
        choices=ADVANCE_STEPS,
        error_messages={"invalid_choice": "Move a CAPA to investigating, implementing or verifying; verify closes it."},
    )
    planned_date = serializers.DateField(
        required=False,
        allow_null=True,
        help_text="Moving to verifying: when the effectiveness check is due (default: 90 days after the last action "
        "was done).",
    )
    criteria = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=5000,
        help_text="Moving to verifying: what will show the cause is gone.",
    )


class VerifySerializer(serializers.Serializer):
    effective = serializers.BooleanField()
    password = serializers.CharField(style={"input_type": "password"}, trim_whitespace=False)
    comment = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=5000,
        help_text="Required when not effective: what showed the actions did not work.",
    )


class CapaReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=5000)


class EvidenceSerializer(serializers.Serializer):
    evidence = serializers.CharField(max_length=10000, help_text="What was done, and where it shows.")


class EvidenceWithFilesSerializer(EvidenceSerializer):
    files = serializers.ListField(
        child=serializers.FileField(), required=False, default=list, help_text="Photos, records, training lists …"
    )


class NonconformitySerializer(serializers.ModelSerializer):
    # Declared for `allow_blank` (see EffectivenessCheckSerializer): blank until the nonconformity is closed.
    disposition = serializers.ChoiceField(choices=Nonconformity.Disposition.choices, allow_blank=True, read_only=True)

    department = serializers.PrimaryKeyRelatedField(
        queryset=Department.objects.filter(is_active=True),
        allow_null=True,
        required=False,
        help_text="Default: the reporter's department.",
    )
    clause = serializers.SlugRelatedField(
        slug_field="number", queryset=Clause.objects.all(), allow_null=True, required=False
    )
    finding = serializers.PrimaryKeyRelatedField(
        queryset=Finding.objects.none(),
        allow_null=True,
        required=False,
        help_text="Only for the source audit_finding.",
    )
    reported_by_name = serializers.CharField(source="reported_by.display_name", read_only=True)
    reply_overdue = serializers.BooleanField(read_only=True)
    capas: serializers.PrimaryKeyRelatedField[Capa] = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = Nonconformity
        fields = [
            "id",
            "reference",
            "title",
            "description",
            "location",
            "source",
            "severity",
            "containment",
            "department",
            "clause",
            "finding",
            "customer",
            "customer_reference",
            "reply_due",
            "reply_overdue",
            "status",
            "disposition",
            "disposition_note",
            "triaged_by",
            "triaged_at",
            "reported_by",
            "reported_by_name",
            "reported_at",
            "capas",
        ]
        read_only_fields = [
            "reference",
            "status",
            "disposition",
            "disposition_note",
            "triaged_by",
            "triaged_at",
            "reported_by",
            "reported_at",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        user = _request_user(self)
        if user is not None:
            visible = Finding.objects.filter(audit__in=Audit.objects.visible_to(user))
            self.fields["finding"].queryset = visible  # type: ignore[attr-defined]


class CloseNonconformitySerializer(serializers.Serializer):
    disposition = serializers.ChoiceField(choices=Nonconformity.Disposition.choices)
    note = serializers.CharField(max_length=5000, help_text="Why no corrective action is needed.")


# --- CAPAs ----------------------------------------------------------------------------------------------------------


class CapaViewSet(HistoryMixin, mixins.CreateModelMixin, VersionedUpdateMixin, viewsets.ReadOnlyModelViewSet):
    """CAPAs: quality managers and auditors open them; the owner and quality managers analyse them, plan actions and
    move them on; a quality manager signs the effectiveness check. Who sees which follows `Capa.objects.visible_to`."""

    serializer_class = CapaSerializer
    queryset = Capa.objects.none()
    filterset_fields = ["status", "kind", "source", "severity", "owner", "department", "cause_category"]
    search_fields = ["reference", "imported_reference", "title", "problem", "root_cause"]
    ordering_fields = ["created_at", "due_date", "reference", "status"]
    http_method_names = ["get", "post", "patch", "head", "options"]
    roles_by_action = {
        "create": OPENERS,
        "partial_update": STAFF_ROLES,
        "add_action": STAFF_ROLES,
        "advance": STAFF_ROLES,
        "verify": QM_ONLY,
        "cancel": QM_ONLY,
    }

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return Capa.objects.none()
        return capas_for(acting_user(self.request))

    def _respond(self, capa: Capa, *, status_code: int = status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=capa.pk)
        return Response(self.get_serializer(fresh).data, status=status_code)

    def perform_create(self, serializer: Any) -> None:
        capa = services.capa_create(actor=acting_user(self.request), **serializer.validated_data)
        serializer.instance = self.get_queryset().get(pk=capa.pk)

    def perform_update(self, serializer: Any) -> None:
        capa = services.capa_update(
            actor=acting_user(self.request),
            capa=serializer.instance,
            reason=self.request.headers.get("X-Change-Reason", ""),
            **serializer.validated_data,
        )
        serializer.instance = self.get_queryset().get(pk=capa.pk)

    def history_records(self, capa: Capa) -> list[Any]:
        return [capa, *capa.actions.all(), *capa.effectiveness_checks.all()]

    @extend_schema(responses=CapaActionSerializer(many=True))
    @action(
        detail=True,
        methods=["get"],
        url_path="actions",
        url_name="actions",
        pagination_class=None,
        filter_backends=[],
    )
    def capa_actions(self, request: Request, pk: str | None = None) -> Response:
        actions = self.get_object().actions.all()
        return Response(CapaActionSerializer(actions, many=True, context=self.get_serializer_context()).data)

    @extend_schema(request=CapaActionSerializer, responses={201: CapaActionSerializer})
    @capa_actions.mapping.post
    def add_action(self, request: Request, pk: str | None = None) -> Response:
        capa = self.get_object()
        body = CapaActionSerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        planned = services.action_create(actor=acting_user(request), capa=capa, **body.validated_data)
        fresh = _actions_queryset().get(pk=planned.pk)
        return Response(
            CapaActionSerializer(fresh, context=self.get_serializer_context()).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(request=AdvanceSerializer, responses=CapaSerializer)
    @action(detail=True, methods=["post"])
    def advance(self, request: Request, pk: str | None = None) -> Response:
        body = AdvanceSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        capa = services.capa_advance(actor=acting_user(request), capa=self.get_object(), **body.validated_data)
        return self._respond(capa)

    @extend_schema(request=VerifySerializer, responses=CapaSerializer)
    @action(detail=True, methods=["post"])
    def verify(self, request: Request, pk: str | None = None) -> Response:
        body = VerifySerializer(data=request.data)
        body.is_valid(raise_exception=True)
        capa = services.capa_verify(
            actor=acting_user(request), capa=self.get_object(), ip=client_ip(request), **body.validated_data
        )
        return self._respond(capa)

    @extend_schema(request=CapaReasonSerializer, responses=CapaSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str | None = None) -> Response:
        body = CapaReasonSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        capa = services.capa_cancel(actor=acting_user(request), capa=self.get_object(), **body.validated_data)
        return self._respond(capa)


class RaiseCapaView(APIView):
    """`POST /api/v1/findings/{id}/raise-capa/ {owner, due_date}`: a new CAPA filled in from the finding."""

    required_roles = OPENERS

    @extend_schema(request=RaiseCapaSerializer, responses={201: CapaSerializer})
    def post(self, request: Request, pk: int) -> Response:
        user = acting_user(request)
        finding = get_object_or_404(
            Finding.objects.filter(audit__in=Audit.objects.visible_to(user)).select_related("audit", "clause"), pk=pk
        )
        body = RaiseCapaSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        capa = services.capa_raise_from_finding(actor=user, finding=finding, **body.validated_data)
        data = CapaSerializer(capas_for(user).get(pk=capa.pk), context={"request": request}).data
        return Response(data, status=status.HTTP_201_CREATED)


# --- Actions --------------------------------------------------------------------------------------------------------


class CapaActionFilter(FilterSet):
    # A plain number, not a choice of every CAPA: a filter must not tell which CAPAs exist beyond those visible.
    capa = filters.NumberFilter(field_name="capa")
    mine = BooleanFilter(method="filter_mine", help_text="Only the actions the signed-in user owns.")

    class Meta:
        model = CapaAction
        fields = ["status", "owner", "capa", "mine"]

    def filter_mine(self, queryset: QuerySet[CapaAction], name: str, value: bool) -> QuerySet[CapaAction]:
        return queryset.filter(owner=self.request.user) if value else queryset


class CapaActionViewSet(viewsets.ReadOnlyModelViewSet):
    """Actions across the CAPAs the user may see: their owner completes them with evidence (text and files); the
    CAPA's owner or a quality manager cancels them with a reason. Actions are planned on their CAPA."""

    serializer_class = CapaActionSerializer
    queryset = CapaAction.objects.none()
    filterset_class = CapaActionFilter
    search_fields = ["description", "capa__reference"]
    ordering_fields = ["due_date", "status", "created_at"]
    roles_by_action = {"complete": STAFF_ROLES, "cancel": STAFF_ROLES}

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return CapaAction.objects.none()
        return actions_for(acting_user(self.request))

    def _respond(self, capa_action: CapaAction) -> Response:
        return Response(self.get_serializer(self.get_queryset().get(pk=capa_action.pk)).data)

    @extend_schema(
        request={"application/json": EvidenceSerializer, "multipart/form-data": EvidenceWithFilesSerializer},
        responses=CapaActionSerializer,
    )
    @action(detail=True, methods=["post"], parser_classes=[JSONParser, MultiPartParser, FormParser])
    def complete(self, request: Request, pk: str | None = None) -> Response:
        body = EvidenceWithFilesSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            done = services.action_complete(
                actor=acting_user(request),
                action=self.get_object(),
                evidence=body.validated_data["evidence"],
                files=body.validated_data["files"],
            )
        except UploadError as refusal:
            # The uploads module names its one file "file"; here the files come as "files".
            raise serializers.ValidationError({"files": [refusal.message]}) from refusal
        return self._respond(done)

    @extend_schema(request=CapaReasonSerializer, responses=CapaActionSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str | None = None) -> Response:
        body = CapaReasonSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        cancelled = services.action_cancel(actor=acting_user(request), action=self.get_object(), **body.validated_data)
        return self._respond(cancelled)

    @extend_schema(
        parameters=[OpenApiParameter("file_id", OpenApiTypes.INT, OpenApiParameter.PATH)],
        responses={
            (200, "*/*"): OpenApiResponse(bytes, description="The file in its own content type, with a Digest header."),
            404: OpenApiResponse(description="No such file on this action, or the action is not visible to you."),
        },
    )
    @action(
        detail=True,
        methods=["get"],
        url_path=r"files/(?P<file_id>[0-9]+)",
        url_name="file",
        pagination_class=None,
        filter_backends=[],
    )
    def file(self, request: Request, pk: str | None = None, file_id: str | None = None) -> FileResponse:
        files = ActionEvidenceFile.objects.filter(action=self.get_object()).select_related("action__capa")
        evidence = get_object_or_404(files, pk=file_id)
        return evidence_file_response(evidence)


def evidence_file_response(evidence: ActionEvidenceFile) -> FileResponse:
    """Stream an evidence file with its digest, named after its action; the browser's download uses it too."""
    response = FileResponse(evidence.file.open("rb"), content_type=evidence.content_type)
    # The extension is the one of the checked content, whatever the uploader called the file.
    stem = PurePath(evidence.original_filename).stem
    extension = PurePath(evidence.file.name).suffix
    capa_action = evidence.action
    response["Content-Disposition"] = content_disposition(
        f"{capa_action.capa.reference}-A{capa_action.number}-{stem}{extension}"
    )
    response["Digest"] = digest_header(evidence.sha256)
    response["Content-Length"] = str(evidence.size)
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- Nonconformity log ----------------------------------------------------------------------------------------------


class NonconformityViewSet(HistoryMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """The nonconformity log: any employee, auditor or quality manager reports; a quality manager triages, closing an
    entry with a disposition or escalating it to a CAPA."""

    serializer_class = NonconformitySerializer
    queryset = Nonconformity.objects.none()
    filterset_fields = ["status", "source", "severity", "department"]
    search_fields = ["reference", "title", "description", "customer"]
    ordering_fields = ["reported_at", "reference", "status", "reply_due"]
    roles_by_action = {"create": STAFF_ROLES, "close": QM_ONLY, "escalate": QM_ONLY}

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return Nonconformity.objects.none()
        return nonconformities_for(acting_user(self.request))

    def perform_create(self, serializer: Any) -> None:
        entry = services.nonconformity_report(actor=acting_user(self.request), **serializer.validated_data)
        serializer.instance = self.get_queryset().get(pk=entry.pk)

    @extend_schema(request=CloseNonconformitySerializer, responses=NonconformitySerializer)
    @action(detail=True, methods=["post"])
    def close(self, request: Request, pk: str | None = None) -> Response:
        body = CloseNonconformitySerializer(data=request.data)
        body.is_valid(raise_exception=True)
        entry = services.nonconformity_close(
            actor=acting_user(request), nonconformity=self.get_object(), **body.validated_data
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=entry.pk)).data)

    @extend_schema(request=EscalateSerializer, responses={201: CapaSerializer})
    @action(detail=True, methods=["post"])
    def escalate(self, request: Request, pk: str | None = None) -> Response:
        body = EscalateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        user = acting_user(request)
        capa = services.nonconformity_escalate(actor=user, nonconformity=self.get_object(), **body.validated_data)
        data = CapaSerializer(capas_for(user).get(pk=capa.pk), context=self.get_serializer_context()).data
        return Response(data, status=status.HTTP_201_CREATED)
