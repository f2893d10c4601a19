"""The audit report PDF: what it shows (`report_context`) and the background work that renders it (`render_report`).

The report is rendered by a Celery task (`audits.tasks.render_audit_report`) through `qms.jobs.run_job`, never in a
request: WeasyPrint takes seconds for a long checklist. The job names the audit as its subject and carries the
report's version and whether it is the final one in its parameters (both set by `audit_report_request`), so the
version printed in the PDF is the version the report is kept under.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from audits.models import Audit, AuditReport, ChecklistItem, Finding
from qms.errors import DomainError
from qms.jobs import JobProgress
from qms.models import Clause, Job, Signature
from qms.pdf import render_pdf
from qms.signatures import signatures_for

TEMPLATE = "audits/pdf/report.html"
JOB_KIND = "audit_report"
# Column heads of the summary by clause: the full names do not fit a narrow column; the report prints the key.
SHORT_TYPE_LABELS = {
    Finding.Type.MAJOR_NC: "Major NC",
    Finding.Type.MINOR_NC: "Minor NC",
    Finding.Type.OBSERVATION: "Obs.",
    Finding.Type.OFI: "OFI",
}


@dataclass(frozen=True)
class FindingEntry:
    """A finding as the report prints it: the record, and its evidence as a list (one item per line written)."""

    finding: Finding
    evidence: list[str]


@dataclass(frozen=True)
class ClauseCount:
    """How many findings of each type (in `Finding.Type` order) were raised against one clause."""

    clause: Clause
    by_type: list[int]

    @property
    def total(self) -> int:
        return sum(self.by_type)


def report_jobs(audit: Audit) -> QuerySet[Job]:
    """The background jobs that were asked to make this audit's report, whatever their state."""
    content_type = ContentType.objects.get_for_model(Audit)
    return Job.objects.filter(kind=JOB_KIND, content_type=content_type, object_id=audit.pk)


def report_context(audit: Audit) -> dict[str, Any]:
    """Everything the report template shows, read in a fixed number of queries whatever the audit's size."""
    audit = (
        Audit.objects.select_related("programme", "department", "lead_auditor")
        .prefetch_related(
            "team",
            "auditees",
            Prefetch("clauses", queryset=Clause.objects.order_by("sort_key")),
            "documents",
        )
        .get(pk=audit.pk)
    )
    items = list(audit.checklist_items.select_related("clause"))
    findings = list(audit.findings.select_related("clause", "department").order_by("reference"))
    signatures = list(signatures_for(audit))
    types = list(Finding.Type)

    clauses = {clause.pk: clause for clause in audit.clauses.all()}
    clauses.update({finding.clause.pk: finding.clause for finding in findings})
    by_clause = {pk: [0] * len(types) for pk in clauses}
    for finding in findings:
        by_clause[finding.clause_id][types.index(Finding.Type(finding.type))] += 1
    clause_counts = [
        ClauseCount(clause=clause, by_type=by_clause[pk])
        for pk, clause in sorted(clauses.items(), key=lambda pair: pair[1].sort_key)
    ]

    refs_by_item: dict[int, list[str]] = {}
    for finding in findings:
        if finding.checklist_item_id is not None:
            refs_by_item.setdefault(finding.checklist_item_id, []).append(finding.reference)

    return {
        "audit": audit,
        "team": list(audit.team.all()),
        "auditees": list(audit.auditees.all()),
        "clauses": list(audit.clauses.all()),
        "documents": list(audit.documents.all()),
        "items": [(item, refs_by_item.get(item.pk, [])) for item in items],
        "result_counts": [
            (label, sum(1 for item in items if item.result == value)) for value, label in ChecklistItem.Result.choices
        ],
        "findings": [FindingEntry(finding=f, evidence=_lines(f.evidence)) for f in findings],
        "type_labels": [SHORT_TYPE_LABELS[t] for t in types],
        "type_counts": [(t.label, sum(1 for f in findings if f.type == t)) for t in types],
        "clause_counts": clause_counts,
        "nonconformities": sum(1 for f in findings if f.is_nonconformity),
        "signatures": signatures,
        "closing_signature": next((s for s in signatures if s.meaning == Signature.Meaning.CLOSED), None),
    }


def _lines(text: str) -> list[str]:
    return [line.strip(" -•\t") for line in text.splitlines() if line.strip(" -•\t")]


def render_report(job: Job, progress: JobProgress) -> tuple[str, bytes, str]:
    """The work of an audit report job (`qms.jobs.run_job`): the PDF of the job's audit, named with its version."""
    audit = job.subject
    if not isinstance(audit, Audit):
        raise DomainError("The audit of this report no longer exists.")
    version = int(job.parameters["version"])
    final = bool(job.parameters.get("final"))
    if final:
        # Checked again here: a failed final job retried after another final report was made must not make a second.
        existing = AuditReport.objects.filter(audit=audit, final=True).exclude(job=job).first()
        if existing is not None:
            raise DomainError(f"The final report exists: {existing.name}")

    progress.report(10, "Collecting the checklist")
    context = report_context(audit)
    progress.report(40, "Rendering the report")
    name = f"{audit.reference}-report-v{version}"
    pdf = render_pdf(
        TEMPLATE,
        {
            **context,
            "document_title": f"{audit.reference} internal audit report v{version}",
            "version": version,
            "final": final,
            "generated_by": job.created_by,
            "generated_at": timezone.now(),
        },
    )
    progress.report(95, "Saving the report")
    return f"{name}.pdf", pdf, "application/pdf"
