from __future__ import annotations

from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import reverse
from rest_framework import serializers

from qms import services
from qms.models import Clause, Department, Job, Notification, User
from qms.roles import Role


class DepartmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Department
        fields = ["id", "name", "code", "is_active"]


class UserSerializer(serializers.ModelSerializer):
    """A user as the API contract shows it: `{id, username, email, roles, department}` and names."""

    roles = serializers.MultipleChoiceField(choices=Role.choices, required=False)
    department = serializers.PrimaryKeyRelatedField(
        queryset=Department.objects.filter(is_active=True), allow_null=True, required=False
    )
    password = serializers.CharField(
        write_only=True,
        required=False,
        style={"input_type": "password"},
        help_text="Leave out to email the user an invitation to choose one.",
    )
    full_name = serializers.CharField(source="display_name", read_only=True)

    class Meta:
        model = User
        fields = [
            "id",
            "username",
            "email",
            "first_name",
            "last_name",
            "full_name",
            "job_title",
            "roles",
            "department",
            "is_active",
            "password",
        ]
        read_only_fields = ["is_active"]

    def to_representation(self, instance: User) -> dict[str, Any]:
        data = super().to_representation(instance)
        data["roles"] = sorted(data["roles"])
        return data

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        password = attrs.get("password")
        if password:
            candidate = User(username=attrs.get("username", ""), email=attrs.get("email", ""))
            try:
                validate_password(password, candidate)
            except DjangoValidationError as error:
                raise serializers.ValidationError({"password": list(error.messages)}) from None
        return attrs

    def create(self, validated_data: dict[str, Any]) -> User:
        return services.user_create(
            actor=self.context["request"].user,
            username=validated_data["username"],
            email=validated_data.get("email", ""),
            password=validated_data.get("password"),
            roles=validated_data.get("roles", ()),
            department=validated_data.get("department"),
            first_name=validated_data.get("first_name", ""),
            last_name=validated_data.get("last_name", ""),
            job_title=validated_data.get("job_title", ""),
        )

    def update(self, instance: User, validated_data: dict[str, Any]) -> User:
        validated_data.pop("username", None)
        if validated_data.pop("password", None):
            raise serializers.ValidationError({"password": ["Passwords are changed by their owner or by a reset."]})
        roles = validated_data.pop("roles", None)
        return services.user_update(
            actor=self.context["request"].user,
            user=instance,
            roles=roles,
            reason=self.context.get("reason") or "Changed through the API",
            **validated_data,
        )


class ClauseSerializer(serializers.ModelSerializer):
    # DRF's Field has a `parent` attribute (the enclosing serializer); the metaclass moves this declared field out of
    # its way at runtime, but the type checker sees the clash.
    parent = serializers.SlugRelatedField(  # type: ignore[assignment,var-annotated]
        slug_field="number", read_only=True, allow_null=True, help_text="Null for a top-level clause."
    )

    class Meta:
        model = Clause
        fields = ["number", "title", "parent", "documented_information"]


class NotificationSerializer(serializers.ModelSerializer):
    is_read = serializers.BooleanField(read_only=True)

    class Meta:
        model = Notification
        fields = ["id", "kind", "subject", "body", "url", "created_at", "read_at", "is_read"]


class HistoryChangeSerializer(serializers.Serializer):
    field = serializers.CharField()
    old = serializers.CharField()
    new = serializers.CharField()


class HistoryUserSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()


class HistoryEntrySerializer(serializers.Serializer):
    """One entry of a record's audit trail: `{at, user, action, record, changes, reason}`."""

    at = serializers.DateTimeField()
    user = HistoryUserSerializer(allow_null=True)
    action = serializers.ChoiceField(choices=["created", "changed", "deleted"])
    record = serializers.CharField()
    changes = HistoryChangeSerializer(many=True)
    reason = serializers.CharField()


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField()
    password = serializers.CharField(style={"input_type": "password"}, trim_whitespace=False)
    otp = serializers.CharField(
        required=False,
        max_length=10,
        help_text="The current code of the account's authenticator app: needed when two-factor sign-in is on for "
        "the account or required by its role.",
    )


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField()


class MarkReadSerializer(serializers.Serializer):
    ids = serializers.ListField(child=serializers.IntegerField(), required=False, help_text="All unread when left out.")


class JobSerializer(serializers.ModelSerializer):
    """A background job as the API contract shows it; every endpoint that answers 202 answers with this."""

    url = serializers.SerializerMethodField(help_text="Where to poll the job.")
    download_url = serializers.SerializerMethodField(help_text="Where to fetch the file, once the job is done.")

    class Meta:
        model = Job
        fields = [
            "id",
            "kind",
            "status",
            "progress",
            "message",
            "error",
            "url",
            "download_url",
            "created_at",
            "finished_at",
            "result_sha256",
            "result_size",
        ]
        read_only_fields = fields

    def get_url(self, job: Job) -> str:
        return reverse("api:job-detail", args=[job.pk])

    def get_download_url(self, job: Job) -> str | None:
        return reverse("api:job-download", args=[job.pk]) if job.status == Job.Status.DONE else None
