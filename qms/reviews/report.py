"""The management review report PDF: what it shows (`report_context`) and the background work that renders it.

Rendered by a Celery task (`qms.reviews.tasks.render_review_pdf`) through `qms.jobs.run_job`, never in a request. The
report prints the review as it stands when rendered; once the review is signed, that is the signed record, and the
signature block gives the SHA-256 of what was signed.
"""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from qms.errors import DomainError
from qms.jobs import JobProgress
from qms.models import Job
from qms.pdf import render_pdf
from qms.reviews.inputs import sections_for
from qms.reviews.models import Decision, ManagementReview, ReviewAction

TEMPLATE = "reviews/review_pdf.html"
JOB_KIND = "management_review_report"


def report_jobs(review: ManagementReview) -> QuerySet[Job]:
    """The background jobs asked to make this review's report, whatever their state."""
    content_type = ContentType.objects.get_for_model(ManagementReview)
    return Job.objects.filter(kind=JOB_KIND, content_type=content_type, object_id=review.pk)


def decisions_with_actions(review: ManagementReview) -> list[Decision]:
    """The review's decisions, each with its actions and what they became, in two queries."""
    actions = ReviewAction.objects.select_related(
        "owner", "completed_by", "capa", "idea", "change_request__revision", "change_request__document"
    ).order_by("number")
    decisions = list(review.decisions.prefetch_related(Prefetch("actions", queryset=actions)).order_by("number"))
    for decision in decisions:
        decision.review = review
        for action in decision.actions.all():
            action.review = review
            action.decision = decision
    return decisions


def report_context(review: ManagementReview) -> dict[str, Any]:
    review = (
        ManagementReview.objects.select_related("chair", "created_by", "signature")
        .prefetch_related("attendees")
        .get(pk=review.pk)
    )
    return {
        "review": review,
        "attendees": sorted(review.attendees.all(), key=lambda person: (person.last_name, person.first_name)),
        "sections": sections_for(review),
        "decisions": decisions_with_actions(review),
        "signature": review.signature,
    }


def render_report(job: Job, progress: JobProgress) -> tuple[str, bytes, str]:
    """The work of a review report job (`qms.jobs.run_job`): the PDF of the job's review."""
    review = job.subject
    if not isinstance(review, ManagementReview):
        raise DomainError("The management review of this report no longer exists.")
    progress.report(10, "Collecting the review")
    context = report_context(review)
    progress.report(40, "Rendering the report")
    pdf = render_pdf(
        TEMPLATE,
        {
            **context,
            "document_title": f"{review.reference} management review",
            "generated_by": job.created_by,
            "generated_at": timezone.now(),
        },
    )
    progress.report(95, "Saving the report")
    return f"{review.reference}-management-review.pdf", pdf, "application/pdf"
