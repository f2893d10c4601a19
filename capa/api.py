"""REST API v1 for CAPA (spec/api.md, "CAPA"): this first part lists, opens and shows CAPAs, and raises one from an
audit finding."""

from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from audits.models import Audit, Finding
from capa import services
from capa.models import Capa
from qms.api.history import HistoryMixin
from qms.models import Department, User
from qms.permissions import acting_user
from qms.roles import Role

OPENERS = (Role.QUALITY_MANAGER, Role.AUDITOR)


class CapaSerializer(serializers.ModelSerializer):
    owner = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True))
    department = serializers.PrimaryKeyRelatedField(
        queryset=Department.objects.filter(is_active=True), allow_null=True, required=False
    )
    findings = serializers.PrimaryKeyRelatedField(queryset=Finding.objects.none(), many=True, required=False)

    class Meta:
        model = Capa
        fields = [
            "id",
            "reference",
            "title",
            "kind",
            "source",
            "severity",
            "problem",
            "containment",
            "owner",
            "department",
            "due_date",
            "status",
            "findings",
            "created_by",
            "created_at",
        ]
        read_only_fields = ["reference", "status", "containment", "created_by", "created_at"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None and request.user.is_authenticated:
            # Only findings of audits the user can see may be linked.
            visible = Finding.objects.filter(audit__in=Audit.objects.visible_to(request.user))
            self.fields["findings"].child_relation.queryset = visible  # type: ignore[attr-defined]


class RaiseCapaSerializer(serializers.Serializer):
    owner = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True))
    due_date = serializers.DateField()


class CapaViewSet(HistoryMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """CAPAs: quality managers and auditors open them; who sees which follows `Capa.objects.visible_to`."""

    serializer_class = CapaSerializer
    queryset = Capa.objects.none()
    filterset_fields = ["status", "kind", "source", "severity", "owner", "department"]
    search_fields = ["reference", "title", "problem"]
    ordering_fields = ["created_at", "due_date", "reference", "status"]
    roles_by_action = {"create": OPENERS}

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return Capa.objects.none()
        return (
            Capa.objects.visible_to(acting_user(self.request))
            .select_related("owner", "department", "created_by")
            .prefetch_related("findings")
        )

    def perform_create(self, serializer: Any) -> None:
        serializer.instance = services.capa_create(actor=acting_user(self.request), **serializer.validated_data)


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
        return Response(CapaSerializer(capa, context={"request": request}).data, status=status.HTTP_201_CREATED)
