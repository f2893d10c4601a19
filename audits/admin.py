"""Admin views of internal audits: read-only, since every change must go through the services (history, signatures)."""

from django.contrib import admin

from audits.models import Audit, AuditProgramme, ChecklistItem, ChecklistTemplate, Finding
from qms.admin import ReadOnlyAdmin


@admin.register(AuditProgramme)
class AuditProgrammeAdmin(ReadOnlyAdmin):
    list_display = ["year"]


@admin.register(Audit)
class AuditAdmin(ReadOnlyAdmin):
    list_display = ["reference", "title", "status", "department", "lead_auditor", "planned_start"]
    list_filter = ["status", "department"]
    search_fields = ["reference", "title"]


@admin.register(ChecklistTemplate)
class ChecklistTemplateAdmin(ReadOnlyAdmin):
    list_display = ["clause", "question", "order", "is_active"]


@admin.register(ChecklistItem)
class ChecklistItemAdmin(ReadOnlyAdmin):
    list_display = ["audit", "order", "clause", "result"]


@admin.register(Finding)
class FindingAdmin(ReadOnlyAdmin):
    list_display = ["reference", "type", "clause", "audit"]
    list_filter = ["type"]
