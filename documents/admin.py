"""Admin views of document control: read-only, since every change must go through the services (history, signatures)."""

from django.contrib import admin

from documents.models import Acknowledgement, Approval, ChangeRequest, Document, DocumentType, Revision
from qms.admin import ReadOnlyAdmin


@admin.register(DocumentType)
class DocumentTypeAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "default_review_period_months", "is_active"]


@admin.register(Document)
class DocumentAdmin(ReadOnlyAdmin):
    list_display = ["number", "title", "status", "owner", "department", "next_review_due"]
    list_filter = ["status", "document_type", "department"]
    search_fields = ["number", "title"]


@admin.register(Revision)
class RevisionAdmin(ReadOnlyAdmin):
    list_display = ["document", "revision", "status", "author", "effective_date", "sha256"]
    list_filter = ["status"]
    exclude = ["extracted_text"]


@admin.register(Approval)
class ApprovalAdmin(ReadOnlyAdmin):
    list_display = ["revision", "round", "approver", "decision", "decided_at"]


@admin.register(Acknowledgement)
class AcknowledgementAdmin(ReadOnlyAdmin):
    list_display = ["revision", "user", "acknowledged_at"]


@admin.register(ChangeRequest)
class ChangeRequestAdmin(ReadOnlyAdmin):
    list_display = ["document", "requested_by", "status", "created_at"]
