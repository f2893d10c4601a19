"""The evidence pack endpoints: ask for a pack (202 with its job), follow it, download it (recorded in history)."""

from __future__ import annotations

from typing import Any

from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from qms.api.serializers import JobSerializer
from qms.evidence import services
from qms.evidence.models import PACK_ROLES, EvidencePack
from qms.models import Job
from qms.permissions import acting_user
from qms.uploads import content_disposition, digest_header


class EvidencePackRequestSerializer(serializers.Serializer):
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    clauses = serializers.ListField(
        child=serializers.CharField(max_length=10),
        required=False,
        help_text='Clause numbers, e.g. ["9.2"]; every clause from 4 to 10 when left out.',
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs["period_start"] > attrs["period_end"]:
            raise serializers.ValidationError({"period_end": ["The period must end on or after its start."]})
        return attrs


class EvidencePackJobSerializer(JobSerializer):
    """The 202 answer: the job, and the pack it builds.

    `url` and `download_url` lead to the pack rather than to the bare job: the pack's endpoint shows the same status
    and progress (spec/api.md), and its download is the ZIP, recorded in the pack's history and refused once expired.
    The job's own file is only the pack's manifest.
    """

    # A plain string here: a second enum of the job's statuses collides with JobSerializer's in the schema, and the
    # enum names are settled in the settings, which this module leaves alone.
    status = serializers.CharField(read_only=True, help_text="pending, running, done or failed.")
    evidence_pack = serializers.SerializerMethodField(help_text="Where to follow the pack and, once done, fetch it.")

    class Meta(JobSerializer.Meta):
        fields = [*JobSerializer.Meta.fields, "evidence_pack"]
        read_only_fields = fields

    def get_evidence_pack(self, job: Job) -> str:
        return reverse("api:evidence-pack-detail", args=[self.context["pack"].pk])

    def get_url(self, job: Job) -> str:
        return self.get_evidence_pack(job)

    def get_download_url(self, job: Job) -> str | None:
        pack: EvidencePack = self.context["pack"]
        return reverse("api:evidence-pack-download", args=[pack.pk]) if pack.ready else None


class EvidencePackSerializer(serializers.ModelSerializer):
    status = serializers.SerializerMethodField(help_text="The job's status: pending, running, done or failed.")
    progress = serializers.SerializerMethodField(help_text="Percent done, 0 to 100.")
    error = serializers.SerializerMethodField()
    download_url = serializers.SerializerMethodField(help_text="Where to fetch the ZIP, once done and not expired.")
    job: serializers.PrimaryKeyRelatedField[Job] = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)

    class Meta:
        model = EvidencePack
        fields = [
            "id",
            "status",
            "progress",
            "error",
            "download_url",
            "sha256",
            "size",
            "manifest_sha256",
            "period_start",
            "period_end",
            "clauses",
            "expires_at",
            "created_at",
            "downloads",
            "job",
        ]
        read_only_fields = fields

    def get_status(self, pack: EvidencePack) -> str:
        return pack.job.status if pack.job else Job.Status.PENDING

    def get_progress(self, pack: EvidencePack) -> int:
        return pack.job.progress if pack.job else 0

    def get_error(self, pack: EvidencePack) -> str:
        return pack.job.error if pack.job else ""

    def get_download_url(self, pack: EvidencePack) -> str | None:
        return reverse("api:evidence-pack-download", args=[pack.pk]) if pack.ready else None


class EvidencePackViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Evidence packs for auditors: quality managers, auditors and external auditors ask for them and read their
    own (quality managers all). Each pack holds only what its creator may see."""

    serializer_class = EvidencePackSerializer
    required_roles = PACK_ROLES
    queryset = EvidencePack.objects.none()  # the schema generator reads the model from here
    lookup_value_regex = r"[0-9]+"
    filter_backends: list[Any] = []

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        return EvidencePack.objects.visible_to(acting_user(self.request)).select_related("job")

    def get_object(self) -> EvidencePack:
        pack: EvidencePack = get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])
        self.check_object_permissions(self.request, pack)
        return pack

    @extend_schema(request=EvidencePackRequestSerializer, responses={202: EvidencePackJobSerializer})
    def create(self, request: Request) -> Response:
        body = EvidencePackRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        pack, job = services.evidence_pack_request(actor=acting_user(request), **body.validated_data)
        data = EvidencePackJobSerializer(job, context={"pack": pack}).data
        location = request.build_absolute_uri(data["evidence_pack"])
        return Response(data, status=status.HTTP_202_ACCEPTED, headers={"Location": location})

    @extend_schema(
        responses={
            (200, "application/zip"): OpenApiResponse(bytes, description="The ZIP, with a Digest header."),
            400: OpenApiResponse(description="The pack is not ready or has expired."),
            404: OpenApiResponse(description="No such pack, or not yours."),
        }
    )
    @action(detail=True, methods=["get"])
    def download(self, request: Request, pk: str | None = None) -> FileResponse:
        pack = services.evidence_pack_record_download(actor=acting_user(request), pack=self.get_object())
        if not pack.file:
            raise Http404("The pack has no file.")
        response = FileResponse(pack.file.open("rb"), content_type="application/zip")
        response["Content-Disposition"] = content_disposition(
            f"evidence-pack-{pack.pk}-{pack.period_start:%Y%m%d}-{pack.period_end:%Y%m%d}.zip"
        )
        response["Digest"] = digest_header(pack.sha256)
        response["Content-Length"] = str(pack.size)
        response["X-Content-Type-Options"] = "nosniff"
        return response


router = SimpleRouter()
router.register("evidence-packs", EvidencePackViewSet, basename="evidence-pack")
urlpatterns = router.urls
