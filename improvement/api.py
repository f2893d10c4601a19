"""REST API v1 for improvement ideas (spec/api.md, "Improvement ideas"): submit (by name or anonymously, with photos or
files), vote, comment in Markdown, watch, write the PDCA notes, move through Plan-Do-Check-Act, standardise through a
document change; and the one-step ideas from an audit finding or a CAPA.

Every fetch goes through `Idea.objects.visible_to` (what a user may not see is a 404); every write goes through
`improvement.services`, whose refusals the API's exception handler turns into 400 (with the field) and 403. The PDCA
rules are asked of `Idea.blockers_for` and `Idea.may_move`, never restated here.

An anonymous idea stores no submitter, so nothing here can name one: `submitter` is null, and the history rows of the
submission carry no user (the services stamp them so).
"""

from __future__ import annotations

from pathlib import PurePath
from typing import Any

from django.db.models import Exists, OuterRef, QuerySet
from django.http import FileResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.filters import OrderingFilter, SearchFilter
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from audits.models import Audit, Finding
from capa.models import Capa
from documents.models import (
    HEAVY_DOCUMENT_FIELDS,
    HEAVY_REVISION_FIELDS,
    ChangeRequest,
    Document,
    Revision,
    heavy_fields_through,
)
from improvement import services
from improvement.models import Attachment, Comment, Idea, Vote, Watch
from qms.api.filters import FilterBackend
from qms.api.history import HistoryMixin
from qms.api.versions import VersionedUpdateMixin
from qms.markdown import render_markdown
from qms.models import Department, User
from qms.permissions import STAFF_ROLES, acting_user
from qms.roles import Role
from qms.selectors import count_per_row
from qms.uploads import UploadError, content_disposition, digest_header

FINDING_RAISERS = (Role.QUALITY_MANAGER, Role.AUDITOR)
# The notes `PATCH` writes; which of them the idea's current stage accepts is `services.STAGE_FIELDS`' business.
NOTE_FIELDS = tuple(dict.fromkeys(name for names in services.STAGE_FIELDS.values() for name in names))


def _request_user(serializer: serializers.Serializer) -> Any:
    request = serializer.context.get("request")
    return request.user if request is not None and request.user.is_authenticated else None


def ideas_for(user: Any) -> QuerySet[Idea]:
    """The ideas `user` may see, with everything the serializer reads, so a list asks the same number of queries
    whatever its length."""
    return (
        Idea.objects.visible_to(user)
        .select_related("department", "submitter", "champion", "change_request__document", "change_request__revision")
        .defer(
            *heavy_fields_through("change_request__document", HEAVY_DOCUMENT_FIELDS),
            *heavy_fields_through("change_request__revision", HEAVY_REVISION_FIELDS),
        )
        .prefetch_related("attachments")
        .annotate(
            vote_count=count_per_row(Vote.objects.all(), "idea"),
            comment_count=count_per_row(Comment.objects.all(), "idea"),
            voted=Exists(Vote.objects.filter(idea=OuterRef("pk"), voter=user.pk)),
            watching=Exists(Watch.objects.filter(idea=OuterRef("pk"), user=user.pk)),
            # A change request shows only when its document is one the user may open: a link to a hidden record
            # would still tell that it exists.
            change_visible=Exists(Document.objects.visible_to(user).filter(pk=OuterRef("change_request__document_id"))),
        )
    )


# --- Serializers ----------------------------------------------------------------------------------------------------


class IdeaAttachmentSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="original_filename", read_only=True)
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = Attachment
        fields = ["id", "name", "size", "sha256", "content_type", "uploaded_at", "download_url"]
        read_only_fields = fields

    def get_download_url(self, attachment: Attachment) -> str:
        return reverse("api:idea-attachment", args=[attachment.idea_id, attachment.pk])


class IdeaChangeRequestSerializer(serializers.ModelSerializer):
    """The change request through which the idea is standardised, and how far its new revision got."""

    document: serializers.PrimaryKeyRelatedField[Document] = serializers.PrimaryKeyRelatedField(read_only=True)
    document_number = serializers.CharField(source="document.number", read_only=True)
    revision: serializers.PrimaryKeyRelatedField[Revision] = serializers.PrimaryKeyRelatedField(
        read_only=True, allow_null=True
    )
    revision_status = serializers.ChoiceField(
        source="revision.status",
        choices=Revision.Status.choices,
        read_only=True,
        allow_null=True,
        help_text="Null until the request is accepted and a new revision opens; the idea is standardized once it is "
        "effective.",
    )

    class Meta:
        model = ChangeRequest
        fields = ["id", "document", "document_number", "status", "revision", "revision_status"]
        read_only_fields = fields


class IdeaSerializer(serializers.ModelSerializer):
    """An idea as the API shows it. Only the PDCA notes are written here (PATCH); everything else is set when the idea
    is submitted or by its moves."""

    submitter_name = serializers.SerializerMethodField()
    champion_name = serializers.CharField(source="champion.display_name", read_only=True, allow_null=True)
    change_request = serializers.SerializerMethodField()
    votes = serializers.IntegerField(source="vote_count", read_only=True)
    voted = serializers.BooleanField(read_only=True, help_text="Whether the signed-in user voted for it.")
    watching = serializers.BooleanField(read_only=True, help_text="Whether the signed-in user is told of its moves.")
    comments_count = serializers.IntegerField(source="comment_count", read_only=True)
    attachments = IdeaAttachmentSerializer(many=True, read_only=True)
    missing = serializers.SerializerMethodField()

    imported_reference = serializers.CharField(
        read_only=True, help_text="The reference it had in the earlier system it was imported from; empty if made here."
    )

    class Meta:
        model = Idea
        fields = [
            "imported_reference",
            "id",
            "reference",
            "title",
            "problem",
            "proposal",
            "expected_benefit",
            "category",
            "department",
            "anonymous",
            "submitter",
            "submitter_name",
            "source",
            "finding",
            "capa",
            "stage",
            "champion",
            "champion_name",
            "cycle",
            *NOTE_FIELDS,
            "change_request",
            "decision_reason",
            "votes",
            "voted",
            "watching",
            "comments_count",
            "attachments",
            "missing",
            "created_at",
            "stage_changed_at",
        ]
        read_only_fields = [name for name in fields if name not in NOTE_FIELDS]

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        # Read-only fields would be dropped without a word; say instead where they change.
        refused = {
            name: ["Only the PDCA notes change here; an idea moves through advance."]
            for name in getattr(self, "initial_data", {})
            if name not in NOTE_FIELDS
        }
        if refused:
            raise serializers.ValidationError(refused)
        return attrs

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_submitter_name(self, idea: Idea) -> str | None:
        return idea.submitter.display_name if idea.submitter is not None else None

    @extend_schema_field(IdeaChangeRequestSerializer(allow_null=True))
    def get_change_request(self, idea: Idea) -> dict[str, Any] | None:
        if idea.change_request is None or not getattr(idea, "change_visible", False):
            return None
        return IdeaChangeRequestSerializer(idea.change_request, context=self.context).data

    @extend_schema_field(
        serializers.DictField(
            child=serializers.ListField(child=serializers.CharField()),
            help_text="For each stage the idea may move to next, what still stands in the way (empty when nothing).",
        )
    )
    def get_missing(self, idea: Idea) -> dict[str, list[str]]:
        return {stage: idea.blockers_for(stage) for stage in Idea.MOVES[idea.stage]}


class IdeaSubmitSerializer(serializers.ModelSerializer):
    """What a person writes to submit an idea."""

    department = serializers.PrimaryKeyRelatedField(
        queryset=Department.objects.filter(is_active=True),
        allow_null=True,
        required=False,
        help_text="Default: the submitter's department (none when anonymous).",
    )
    anonymous = serializers.BooleanField(
        default=False, help_text="Store no submitter at all: nobody, not even a quality manager, can tell who it was."
    )

    class Meta:
        model = Idea
        fields = ["title", "problem", "proposal", "expected_benefit", "category", "department", "anonymous"]


class IdeaSubmitWithFilesSerializer(IdeaSubmitSerializer):
    files = serializers.ListField(
        child=serializers.FileField(), required=False, default=list, help_text="Photos or files that show it."
    )

    class Meta(IdeaSubmitSerializer.Meta):
        fields = [*IdeaSubmitSerializer.Meta.fields, "files"]


class IdeaVotesSerializer(serializers.Serializer):
    votes = serializers.IntegerField()


class IdeaWatchingSerializer(serializers.Serializer):
    watching = serializers.BooleanField()


class IdeaAdvanceSerializer(serializers.Serializer):
    to = serializers.ChoiceField(choices=Idea.Stage.choices)
    note = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=5000,
        help_text="Required to reject or park: the submitter reads it.",
    )
    champion = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True),
        required=False,
        allow_null=True,
        help_text="Accepting: who runs the idea through PDCA (default: the acting user).",
    )


class IdeaCommentSerializer(serializers.ModelSerializer):
    author_name = serializers.CharField(source="author.display_name", read_only=True)
    html = serializers.SerializerMethodField(help_text="The body rendered from Markdown and sanitised.")

    class Meta:
        model = Comment
        fields = ["id", "body", "html", "author", "author_name", "at"]
        read_only_fields = ["author", "at"]
        extra_kwargs = {"body": {"help_text": "Markdown; @username mentions notify that person."}}

    def get_html(self, comment: Comment) -> str:
        return str(render_markdown(comment.body))


class IdeaRequestChangeSerializer(serializers.Serializer):
    document = serializers.PrimaryKeyRelatedField(queryset=Document.objects.none())
    reason = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=5000, help_text="Default: the idea's proposal."
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        user = _request_user(self)
        if user is not None:
            # A change may only be asked of a document its requester can see.
            self.fields["document"].queryset = Document.objects.visible_to(user)  # type: ignore[attr-defined]


class IdeaFromCapaSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    proposal = serializers.CharField(max_length=10000, help_text="Where else the same cause could strike, and how.")


# --- Ideas ----------------------------------------------------------------------------------------------------------


class IdeaOrdering(OrderingFilter):
    """`?ordering=votes` sorts by the annotated count (`votes` is the reverse relation's name on Idea, which an
    annotation may not take); ties keep the newest first, so pages do not shuffle."""

    def filter_queryset(self, request: Request, queryset: QuerySet[Any], view: Any) -> QuerySet[Any]:
        ordering = self.get_ordering(request, queryset, view)
        if not ordering:
            return queryset
        return queryset.order_by(*(term.replace("votes", "vote_count") for term in ordering), "-id")


class IdeaViewSet(HistoryMixin, mixins.CreateModelMixin, VersionedUpdateMixin, viewsets.ReadOnlyModelViewSet):
    """Ideas: employees, auditors and quality managers submit, vote, comment and watch; quality managers accept,
    reject and park; the champion and quality managers write the PDCA notes and move the idea on. External auditors
    read the ideas that reached a decision."""

    serializer_class = IdeaSerializer
    queryset = Idea.objects.none()
    filter_backends = [FilterBackend, SearchFilter, IdeaOrdering]
    filterset_fields = ["stage", "category", "department", "source", "champion"]
    search_fields = ["reference", "imported_reference", "title", "problem", "proposal"]
    ordering_fields = ["created_at", "votes"]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    roles_by_action = {
        "create": STAFF_ROLES,
        "partial_update": STAFF_ROLES,
        "vote": STAFF_ROLES,
        "unvote": STAFF_ROLES,
        "advance": STAFF_ROLES,
        "add_comment": STAFF_ROLES,
        "watch": STAFF_ROLES,
        "unwatch": STAFF_ROLES,
        "request_change": STAFF_ROLES,
    }

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return Idea.objects.none()
        return ideas_for(acting_user(self.request))

    def _respond(self, idea: Idea, *, status_code: int = status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=idea.pk)
        return Response(self.get_serializer(fresh).data, status=status_code)

    @extend_schema(
        request={"application/json": IdeaSubmitSerializer, "multipart/form-data": IdeaSubmitWithFilesSerializer},
        responses={201: IdeaSerializer},
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        body = IdeaSubmitWithFilesSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            idea = services.idea_submit(actor=acting_user(request), **body.validated_data)
        except UploadError as refusal:
            # The uploads module names its one file "file"; here the files come as "files".
            raise serializers.ValidationError({"files": [refusal.message]}) from refusal
        return self._respond(idea, status_code=status.HTTP_201_CREATED)

    def perform_update(self, serializer: Any) -> None:
        idea = services.idea_update_notes(
            actor=acting_user(self.request), idea=serializer.instance, **serializer.validated_data
        )
        serializer.instance = self.get_queryset().get(pk=idea.pk)

    def history_records(self, idea: Idea) -> list[Any]:
        return [idea, *idea.stage_changes.all(), *idea.attachments.all()]

    @extend_schema(request=None, responses=IdeaVotesSerializer)
    @action(detail=True, methods=["post"])
    def vote(self, request: Request, pk: str | None = None) -> Response:
        votes = services.idea_vote(actor=acting_user(request), idea=self.get_object())
        return Response({"votes": votes})

    # A DELETE that answers 200 with the new count, not drf-spectacular's default of 204 and no body.
    @extend_schema(request=None, responses={200: IdeaVotesSerializer})
    @vote.mapping.delete
    def unvote(self, request: Request, pk: str | None = None) -> Response:
        votes = services.idea_unvote(actor=acting_user(request), idea=self.get_object())
        return Response({"votes": votes})

    @extend_schema(request=None, responses=IdeaWatchingSerializer)
    @action(detail=True, methods=["post"])
    def watch(self, request: Request, pk: str | None = None) -> Response:
        watching = services.idea_watch(actor=acting_user(request), idea=self.get_object(), watching=True)
        return Response({"watching": watching})

    @extend_schema(request=None, responses={200: IdeaWatchingSerializer})
    @watch.mapping.delete
    def unwatch(self, request: Request, pk: str | None = None) -> Response:
        watching = services.idea_watch(actor=acting_user(request), idea=self.get_object(), watching=False)
        return Response({"watching": watching})

    @extend_schema(request=IdeaAdvanceSerializer, responses=IdeaSerializer)
    @action(detail=True, methods=["post"])
    def advance(self, request: Request, pk: str | None = None) -> Response:
        body = IdeaAdvanceSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        idea = services.idea_advance(actor=acting_user(request), idea=self.get_object(), **body.validated_data)
        return self._respond(idea)

    @extend_schema(request=IdeaRequestChangeSerializer, responses=IdeaSerializer)
    @action(detail=True, methods=["post"], url_path="request-change")
    def request_change(self, request: Request, pk: str | None = None) -> Response:
        body = IdeaRequestChangeSerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        idea = services.idea_request_document_change(
            actor=acting_user(request), idea=self.get_object(), **body.validated_data
        )
        return self._respond(idea)

    @extend_schema(responses=IdeaCommentSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def comments(self, request: Request, pk: str | None = None) -> Response:
        comments = self.get_object().comments.select_related("author")
        return Response(IdeaCommentSerializer(comments, many=True).data)

    @extend_schema(request=IdeaCommentSerializer, responses={201: IdeaCommentSerializer})
    @comments.mapping.post
    def add_comment(self, request: Request, pk: str | None = None) -> Response:
        idea = self.get_object()
        body = IdeaCommentSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        comment = services.comment_add(actor=acting_user(request), idea=idea, body=body.validated_data["body"])
        return Response(IdeaCommentSerializer(comment).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        parameters=[OpenApiParameter("file_id", OpenApiTypes.INT, OpenApiParameter.PATH)],
        responses={
            (200, "*/*"): OpenApiResponse(bytes, description="The file in its own content type, with a Digest header."),
            404: OpenApiResponse(description="No such file on this idea, or the idea is not visible to you."),
        },
    )
    @action(
        detail=True,
        methods=["get"],
        url_path=r"attachments/(?P<file_id>[0-9]+)",
        url_name="attachment",
        pagination_class=None,
        filter_backends=[],
    )
    def attachment(self, request: Request, pk: str | None = None, file_id: str | None = None) -> FileResponse:
        idea = self.get_object()
        return attachment_response(get_object_or_404(idea.attachments.all(), pk=file_id), idea)


def attachment_response(attachment: Attachment, idea: Idea) -> FileResponse:
    """Stream an idea's file with its digest, named after the idea; a browser download can use it too."""
    response = FileResponse(attachment.file.open("rb"), content_type=attachment.content_type)
    # The extension is the one of the checked content, whatever the uploader called the file.
    stem = PurePath(attachment.original_filename).stem
    extension = PurePath(attachment.file.name).suffix
    response["Content-Disposition"] = content_disposition(f"{idea.reference}-{stem}{extension}")
    response["Digest"] = digest_header(attachment.sha256)
    response["Content-Length"] = str(attachment.size)
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- Ideas from audits and CAPAs ------------------------------------------------------------------------------------


def _created(idea: Idea, request: Request) -> Response:
    fresh = ideas_for(acting_user(request)).get(pk=idea.pk)
    return Response(IdeaSerializer(fresh, context={"request": request}).data, status=status.HTTP_201_CREATED)


class IdeaFromFindingView(APIView):
    """`POST /api/v1/findings/{id}/raise-idea/`: an audit's opportunity for improvement or observation becomes an idea
    in one step, linked to the finding (a nonconformity needs a CAPA instead: 400)."""

    required_roles = FINDING_RAISERS

    @extend_schema(request=None, responses={201: IdeaSerializer})
    def post(self, request: Request, pk: int) -> Response:
        user = acting_user(request)
        findings = Finding.objects.filter(audit__in=Audit.objects.visible_to(user)).select_related("audit")
        idea = services.idea_from_finding(actor=user, finding=get_object_or_404(findings, pk=pk))
        return _created(idea, request)


class IdeaFromCapaView(APIView):
    """`POST /api/v1/capas/{id}/raise-idea/ {title, proposal}`: a CAPA spawns a preventive idea, linked to it."""

    required_roles = STAFF_ROLES

    @extend_schema(request=IdeaFromCapaSerializer, responses={201: IdeaSerializer})
    def post(self, request: Request, pk: int) -> Response:
        user = acting_user(request)
        capa = get_object_or_404(Capa.objects.visible_to(user), pk=pk)
        body = IdeaFromCapaSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        idea = services.idea_from_capa(actor=user, capa=capa, **body.validated_data)
        return _created(idea, request)
