"""The Django admin, for administrators. Signatures and history rows are shown read-only: they are evidence."""

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from qms.models import Clause, Department, Job, Notification, Signature, SignatureFailure, User


class ReadOnlyAdmin(admin.ModelAdmin):
    """Lists and shows records that nobody may add, change or delete by hand."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(User)
class UserAdmin(SimpleHistoryAdmin, DjangoUserAdmin):
    list_display = ["username", "first_name", "last_name", "email", "department", "is_active"]
    list_filter = ["is_active", "department", "groups"]
    fieldsets = (*DjangoUserAdmin.fieldsets, ("Organisation", {"fields": ("department", "job_title")}))  # type: ignore[misc]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Deactivate instead: a user is named by history rows and signatures, which are never changed or deleted.
        return False


@admin.register(Department)
class DepartmentAdmin(SimpleHistoryAdmin):
    list_display = ["name", "code", "is_active"]


@admin.register(Clause)
class ClauseAdmin(ReadOnlyAdmin):
    list_display = ["number", "title", "parent", "documented_information"]
    search_fields = ["number", "title"]


@admin.register(Signature)
class SignatureAdmin(ReadOnlyAdmin):
    list_display = ["signed_at", "signer_name", "meaning", "content_type", "object_id", "content_sha256"]
    list_filter = ["meaning", "content_type"]


@admin.register(SignatureFailure)
class SignatureFailureAdmin(ReadOnlyAdmin):
    list_display = ["at", "user", "meaning", "record_label", "ip_address"]


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "recipient", "subject", "read_at", "emailed_at"]


@admin.register(Job)
class JobAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "kind", "status", "progress", "created_by", "result_name", "result_sha256"]
    list_filter = ["kind", "status"]
