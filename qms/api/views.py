"""API endpoints of the shared records: sign-in token, users, departments, clauses, notifications, jobs."""

from __future__ import annotations

import logging
from typing import Any

from django.contrib.auth import authenticate
from django.http import FileResponse, Http404
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from redis.exceptions import RedisError
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.authtoken.models import Token
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from qms import selectors, services, two_factor
from qms.api.history import HistoryMixin
from qms.api.serializers import (
    ClauseSerializer,
    DepartmentSerializer,
    JobSerializer,
    MarkReadSerializer,
    NotificationSerializer,
    TokenRequestSerializer,
    TokenSerializer,
    UserSerializer,
)
from qms.api.versions import VersionedUpdateMixin
from qms.jobs import get_job_for_user
from qms.models import Clause, Department, Job, Notification
from qms.permissions import ALL_ROLES, acting_user
from qms.roles import Role
from qms.uploads import content_disposition, digest_header

QM_ONLY = (Role.QUALITY_MANAGER,)
logger = logging.getLogger(__name__)


class TokenThrottle(ScopedRateThrottle):
    """The token endpoint's rate limit, counted in the cache. When the cache (Redis) is down the request is let through
    and the outage logged: the sign-in lockout (django-axes, in the database) still stops password guessing, and
    refusing every token would lock every integration out for an outage of the cache alone."""

    def allow_request(self, request: Request, view: APIView) -> bool:
        try:
            return super().allow_request(request, view)
        except RedisError:
            logger.warning("The cache is unreachable; the token endpoint's rate limit is not applied", exc_info=True)
            return True


class TokenView(APIView):
    """Exchange a username and password for an API token. Failures count towards the login lockout."""

    permission_classes = [AllowAny]
    authentication_classes: list[Any] = []
    throttle_classes = [TokenThrottle]
    throttle_scope = "token"

    @extend_schema(request=TokenRequestSerializer, responses={200: TokenSerializer}, auth=[])
    def post(self, request: Request) -> Response:
        serializer = TokenRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        # The Django request, not DRF's wrapper, so that django-axes can count failures per username and address.
        django_request = request._request
        credentials = dict(serializer.validated_data)
        otp = credentials.pop("otp", "")
        user = authenticate(django_request, **credentials)
        if getattr(django_request, "axes_locked_out", False):
            return Response(
                {"detail": "Too many failed sign-in attempts. Try again later."},
                status=status.HTTP_429_TOO_MANY_REQUESTS,
            )
        if user is None:
            return Response(
                {"non_field_errors": ["Unable to sign in with the username and password given."]},
                status=status.HTTP_400_BAD_REQUEST,
            )
        refused = _second_factor_refusal(user, otp)
        if refused:
            return Response({"otp": [refused]}, status=status.HTTP_400_BAD_REQUEST)
        token, _ = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})


def _second_factor_refusal(user: Any, otp: str) -> str | None:
    """Why a token is not given yet to someone whose sign-in has a second step, or None."""
    device = two_factor.confirmed_device(user)
    if device is None:
        if two_factor.required_for(user):
            return "Your role requires two-factor sign-in: set up an authenticator app in the browser first."
        return None
    if not otp:
        return "Two-factor sign-in is on for this account: give the current code of your authenticator app."
    return two_factor.check_code(device, otp, user=user)


class UserViewSet(HistoryMixin, mixins.CreateModelMixin, VersionedUpdateMixin, viewsets.ReadOnlyModelViewSet):
    """Accounts. Everyone reads their own (`me`); quality managers list, create and change them."""

    serializer_class = UserSerializer
    required_roles = QM_ONLY
    roles_by_action = {"me": ALL_ROLES}
    filterset_fields = ["department", "is_active"]
    search_fields = ["username", "first_name", "last_name", "email"]
    ordering_fields = ["username", "last_name", "date_joined"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> Any:
        return selectors.users_with_roles()

    @action(detail=False, methods=["get"], pagination_class=None, filter_backends=[])
    def me(self, request: Request) -> Response:
        return Response(self.get_serializer(request.user).data)


class DepartmentViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Departments: everyone reads them (they name who owns what); quality managers add them."""

    queryset = Department.objects.all()
    serializer_class = DepartmentSerializer
    roles_by_action = {"create": QM_ONLY}
    search_fields = ["name", "code"]

    def perform_create(self, serializer: Any) -> None:
        serializer.instance = services.department_save(
            actor=acting_user(self.request),
            department=Department(**serializer.validated_data),
            reason="Department created",
        )


class ClauseViewSet(viewsets.ReadOnlyModelViewSet):
    """The ISO 9001:2015 clause catalogue, looked up by number (`/clauses/7.5.3/`)."""

    queryset = Clause.objects.select_related("parent")
    serializer_class = ClauseSerializer
    lookup_field = "number"
    lookup_value_regex = r"[0-9.]+"
    search_fields = ["number", "title"]
    pagination_class = None


class NotificationViewSet(viewsets.ReadOnlyModelViewSet):
    """The signed-in user's own notifications."""

    serializer_class = NotificationSerializer
    queryset = Notification.objects.none()  # the schema generator reads the model from here
    filterset_fields = {"read_at": ["isnull"]}

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        return Notification.objects.filter(recipient=acting_user(self.request))

    @extend_schema(
        request=MarkReadSerializer,
        responses={200: inline_serializer("MarkedRead", fields={"marked": serializers.IntegerField()})},
    )
    @action(detail=False, methods=["post"], url_path="mark-read")
    def mark_read(self, request: Request) -> Response:
        serializer = MarkReadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        count = services.notification_mark_read(
            user=acting_user(request), notification_ids=serializer.validated_data.get("ids")
        )
        return Response({"marked": count})


class JobViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Background jobs (reports, evidence packs): poll one, then download its file. Users see their own jobs;
    quality managers see all. Jobs are created by the endpoints of the work they do, which answer 202."""

    serializer_class = JobSerializer
    queryset = Job.objects.none()  # the schema generator reads the model from here
    lookup_value_regex = r"[0-9]+"
    filter_backends: list[Any] = []
    pagination_class = None

    def get_object(self) -> Job:
        job = get_job_for_user(acting_user(self.request), self.kwargs["pk"])
        self.check_object_permissions(self.request, job)
        return job

    @extend_schema(
        responses={
            (200, "*/*"): OpenApiResponse(bytes, description="The file in its own content type, with a Digest header."),
            404: OpenApiResponse(description="No such job, not yours, or not done yet."),
        }
    )
    @action(detail=True, methods=["get"])
    def download(self, request: Request, pk: str | None = None) -> FileResponse:
        return job_file_response(self.get_object())


def job_file_response(job: Job) -> FileResponse:
    """Stream a done job's file with its digest; 404 while it is not done. The browser's download uses it too."""
    if job.status != Job.Status.DONE or not job.result_file:
        raise Http404("The job has no file yet.")
    response = FileResponse(job.result_file.open("rb"), content_type=job.result_content_type)
    response["Content-Disposition"] = content_disposition(job.result_name or "download")
    response["Digest"] = digest_header(job.result_sha256)
    response["Content-Length"] = str(job.result_size)
    response["X-Content-Type-Options"] = "nosniff"
    return response


def accepted(job: Job, request: Request) -> Response:
    """The 202 answer of an endpoint that started long work: the job record, and its URL in `Location`."""
    data = JobSerializer(job).data
    location = request.build_absolute_uri(data["url"])
    return Response(data, status=status.HTTP_202_ACCEPTED, headers={"Location": location})
