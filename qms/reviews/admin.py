"""Admin views of management reviews: read-only, since every change must go through the services (history,
frozen inputs, signatures)."""

from django.contrib import admin

from qms.admin import ReadOnlyAdmin
from qms.reviews.models import Decision, ManagementReview, ReviewAction


@admin.register(ManagementReview)
class ManagementReviewAdmin(ReadOnlyAdmin):
    list_display = ["reference", "title", "status", "period_start", "period_end", "chair", "held_on"]
    list_filter = ["status"]
    search_fields = ["reference", "title"]


@admin.register(Decision)
class DecisionAdmin(ReadOnlyAdmin):
    list_display = ["review", "number", "kind"]
    list_filter = ["kind"]


@admin.register(ReviewAction)
class ReviewActionAdmin(ReadOnlyAdmin):
    list_display = ["review", "number", "owner", "due_date", "status"]
    list_filter = ["status"]
