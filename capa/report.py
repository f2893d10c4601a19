"""The CAPA summary PDF: the whole record as an auditor reads it (problem, containment, links, analysis, root cause,
actions with their evidence, effectiveness checks with their signatures, and a summary of the history).

A CAPA is short (a handful of actions and checks), so the PDF is rendered in the request, unlike the audit report,
which is a background job.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from capa.models import Capa, CauseCategory
from qms.history import history_of
from qms.pdf import render_pdf
from qms.signatures import signatures_for

TEMPLATE = "pdf/capa_summary.html"
# The history summary lists who did what and why, not field by field; the history page in the app has the rest.
HISTORY_LIMIT = 200


def summary_context(capa: Capa, *, generated_by: Any) -> dict[str, Any]:
    capa = Capa.objects.select_related("owner", "department", "clause", "created_by").get(pk=capa.pk)
    actions = list(
        capa.actions.select_related("owner", "completed_by", "document", "change_request__revision").prefetch_related(
            "evidence_files"
        )
    )
    for action in actions:
        action.capa = capa
    checks = list(capa.effectiveness_checks.select_related("verified_by", "signature"))
    for check in checks:
        check.capa = capa
    files = [evidence for action in actions for evidence in action.evidence_files.all()]
    for evidence in files:
        evidence.action = next(a for a in actions if a.pk == evidence.action_id)
    history = history_of(capa, *actions, *checks, *files)
    return {
        "capa": capa,
        "document_title": f"CAPA summary {capa.reference}",
        "document_id": capa.reference,
        "findings": list(capa.findings.select_related("audit", "clause")),
        "nonconformities": list(capa.nonconformities.select_related("department")),
        "actions": actions,
        "checks": checks,
        "signatures": list(signatures_for(capa)),
        "whys": capa.root_cause_analysis if capa.root_cause_method == Capa.Method.FIVE_WHYS else [],
        "fishbone": [
            (label, capa.root_cause_analysis.get(value, []))
            for value, label in CauseCategory.choices
            if capa.root_cause_method == Capa.Method.FISHBONE and isinstance(capa.root_cause_analysis, dict)
        ],
        "history": history[:HISTORY_LIMIT],
        "history_more": max(0, len(history) - HISTORY_LIMIT),
        "generated_at": timezone.now(),
        "generated_by": generated_by,
    }


def render_summary(capa: Capa, *, generated_by: Any) -> bytes:
    return render_pdf(TEMPLATE, summary_context(capa, generated_by=generated_by))


def file_name(capa: Capa) -> str:
    """A name made only of the generated reference and today's date, never of what users typed."""
    return f"{capa.reference}-summary-{timezone.localdate():%Y-%m-%d}.pdf"
