"""Browser views of internal audits: the programme with its coverage, an audit with its checklist and findings,
and the findings register. Fetches are permission-checked; writes go through `audits.services`."""

from __future__ import annotations

import csv
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Max, Prefetch, Q, prefetch_related_objects
from django.forms import BaseForm, Form, ModelChoiceField
from django.http import FileResponse, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.html import format_html
from django.views.decorators.http import require_POST

from audits import forms, services
from audits.api import evidence_file_response, evidence_visible_to, report_file_response
from audits.models import Audit, AuditReport, ChecklistItem, ChecklistTemplate, Finding
from audits.report import report_jobs
from qms.models import Clause, Department, Job
from qms.permissions import AuthenticatedRequest, role_required
from qms.roles import Role
from qms.uploads import content_disposition
from qms.views import render_history
from qms.web import EchoBuffer, client_ip, csv_safe, day_param, run_service

PLANNERS = (Role.QUALITY_MANAGER, Role.AUDITOR)


def _get_audit(request: AuthenticatedRequest, pk: int) -> Audit:
    return get_object_or_404(
        Audit.objects.visible_to(request.user).select_related("programme", "department", "lead_auditor"), pk=pk
    )


@role_required()
def index(request: AuthenticatedRequest) -> HttpResponse:
    """The audit programme of a year: its audits, which ISO 9001 clauses they cover, when departments were audited.

    With `planned_from` and/or `planned_to` (ISO dates, both included) it lists instead the audits planned to start
    between them, whatever their year, and with `status` only those in that status: the list the performance
    dashboard's numbers open. Coverage and departments then stay out, as they belong to a year's programme."""
    year_text = request.GET.get("year", "")
    year = int(year_text) if year_text.isdigit() else timezone.localdate().year
    planned_from, planned_to = (
        day_param(request.GET.get("planned_from", "")),
        day_param(request.GET.get("planned_to", "")),
    )
    status = request.GET.get("status", "")
    listed = Audit.objects.visible_to(request.user)
    if planned_from is None and planned_to is None:
        listed = listed.filter(programme__year=year)
    if planned_from is not None:
        listed = listed.filter(planned_start__gte=planned_from)
    if planned_to is not None:
        listed = listed.filter(planned_start__lte=planned_to)
    if status in Audit.Status.values:
        listed = listed.filter(status=status)
    audits = list(
        listed.select_related("department", "lead_auditor")
        .prefetch_related("clauses")
        .order_by("planned_start", "reference")
    )
    live = [audit for audit in audits if audit.status != Audit.Status.CANCELLED]
    covered_by: dict[int, list[Audit]] = {}
    for audit in live:
        for clause in audit.clauses.all():
            covered_by.setdefault(clause.pk, []).append(audit)
    clauses = list(Clause.objects.all())
    rows: list[dict[str, Any]] = []
    for clause in clauses:
        direct = covered_by.get(clause.pk, [])
        # A clause is covered when it or one of its sub-clauses is audited.
        within = [a for c in clauses if c.number.startswith(clause.number + ".") for a in covered_by.get(c.pk, [])]
        rows.append({"clause": clause, "audits": {a.pk for a in direct}, "covered": bool(direct or within)})
    top_level = [row["clause"] for row in rows if row["clause"].depth == 0 and not row["covered"]]
    last_audited = (
        Department.objects.filter(is_active=True)
        .annotate(
            last_audit=Max(
                "audits__actual_end", filter=Q(audits__status__in=[Audit.Status.REPORTING, Audit.Status.CLOSED])
            )
        )
        .order_by("name")
    )
    context = {
        "year": year,
        "years": sorted({year - 1, year, year + 1} | set(Audit.objects.values_list("programme__year", flat=True))),
        "audits": audits,
        "matrix_audits": live,
        "rows": rows,
        "uncovered": top_level,
        "last_audited": last_audited,
        "can_plan": request.user.has_role(*PLANNERS),
        "my_audits": [a for a in audits if a.lead_auditor_id == request.user.pk],
        "today": timezone.localdate(),
        "planned_from": planned_from,
        "planned_to": planned_to,
        "in_range": planned_from is not None or planned_to is not None,
        "status_label": Audit.Status(status).label if status in Audit.Status.values else "",
    }
    return render(request, "audits/programme.html", context)


@role_required(*PLANNERS)
def create(request: AuthenticatedRequest) -> HttpResponse:
    form = forms.AuditForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        audit = run_service(form, lambda: services.audit_create(actor=request.user, **form.cleaned_data))
        if audit is not None:
            messages.success(request, f"Planned {audit.reference}. Its checklist is drafted from the clauses.")
            return redirect(audit)
    return render(request, "audits/audit_form.html", {"form": form}, status=400 if form.errors else 200)


@role_required()
def detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    audit = _get_audit(request, pk)
    return _detail_page(request, audit)


def _detail_page(
    request: AuthenticatedRequest, audit: Audit, *, bound: BaseForm | None = None, status: int = 200
) -> HttpResponse:
    items = list(
        audit.checklist_items.select_related("clause").prefetch_related(
            Prefetch("findings", queryset=Finding.objects.order_by("reference")), "evidence_files"
        )
    )
    # The team once for the page: `is_auditor` reads it, and so do the links other modules add to each finding
    # (`record_links`), whose findings share this audit object.
    prefetch_related_objects([audit], "team")
    is_auditor = audit.is_auditor(request.user)
    answering = is_auditor and audit.status in {Audit.Status.PLANNED, Audit.Status.IN_PROGRESS}
    page_forms: dict[str, BaseForm] = {
        "finding": forms.FindingForm(prefix="finding", initial={"department": audit.department_id}),
        "conclusion": forms.ConclusionForm(prefix="conclusion", initial={"conclusion": audit.conclusion}),
        "close": forms.CloseForm(prefix="close"),
        "cancel": forms.CancelForm(prefix="cancel"),
    }
    if bound is not None and bound.prefix:
        page_forms[bound.prefix] = bound
    finding_field = page_forms["finding"].fields["clause"]
    assert isinstance(finding_field, ModelChoiceField)
    finding_field.queryset = audit.clauses.all()
    reports = list(audit.reports.select_related("generated_by"))
    in_flight = list(report_jobs(audit).filter(status__in=[Job.Status.PENDING, Job.Status.RUNNING]))
    context = {
        "audit": audit,
        "items": items,
        "answered": sum(1 for item in items if item.result != ChecklistItem.Result.NOT_CHECKED),
        "findings": audit.findings.select_related("clause", "department", "raised_by").prefetch_related(
            *[name for name in ("capas", "ideas") if hasattr(Finding, name)]
        ),
        "is_auditor": is_auditor,
        "answering": answering,
        "results": ChecklistItem.Result.choices,
        "finding_types": Finding.Type.choices,
        "open_action": bound.prefix if bound is not None else None,
        **{f"{name}_form": form for name, form in page_forms.items()},
        "team": audit.team.all(),
        "auditees": audit.auditees.all(),
        "clauses": audit.clauses.all(),
        "documents": audit.documents.all(),
        "reports": reports,
        # The user's own report jobs still at work show their progress bars (only the job's creator may poll it).
        "report_jobs": [job for job in in_flight if job.created_by_id == request.user.pk],
        "report_action": _report_action(audit, is_auditor, reports=reports, in_flight=in_flight),
    }
    return render(request, "audits/audit_detail.html", context, status=status)


def _report_action(audit: Audit, is_auditor: bool, *, reports: list[AuditReport], in_flight: list[Job]) -> str | None:
    """Which report the auditors may ask for from the audit page: a draft while it runs; once it is closed, the final
    one, asked for by itself at closing, so offered only when there is none and none is being made (its job failed)."""
    if not is_auditor:
        return None
    if audit.status in {Audit.Status.IN_PROGRESS, Audit.Status.REPORTING}:
        return "draft"
    final_made = any(report.final for report in reports) or any(job.parameters.get("final") for job in in_flight)
    if audit.status == Audit.Status.CLOSED and not final_made:
        return "final"
    return None


@require_POST
@role_required()
def answer(request: AuthenticatedRequest, pk: int, item_pk: int) -> HttpResponse:
    """Autosave of one checklist answer (HTMX): returns the item, updated, or the reason it was not saved."""
    audit = _get_audit(request, pk)
    item = get_object_or_404(ChecklistItem.objects.select_related("clause"), pk=item_pk, audit=audit)
    form = forms.ChecklistAnswerForm(request.POST)
    saved = None
    if form.is_valid():
        saved = run_service(
            form,
            lambda: services.checklist_answer(
                actor=request.user,
                item=item,
                result=form.cleaned_data["result"] or None,
                notes=form.cleaned_data["notes"] if "notes" in request.POST else None,
            ),
        )
    context = {
        "audit": audit,
        "item": saved or _as_submitted(item, form),
        "answering": True,
        "results": ChecklistItem.Result.choices,
        "finding_types": Finding.Type.choices,
        "error": " ".join(str(e) for errors in form.errors.values() for e in errors) if saved is None else "",
        "saved": saved is not None,
    }
    return render(request, "audits/partials/checklist_item.html", context, status=200 if saved else 400)


def _as_submitted(item: ChecklistItem, form: forms.ChecklistAnswerForm) -> ChecklistItem:
    """A refused answer is shown with the result the auditor picked, so the refusal does not silently undo it. The
    notes stay as stored: the page's script keeps refused notes as a draft and puts them back in the box itself."""
    picked = form.data.get("result", "")
    if picked in ChecklistItem.Result.values:
        item.result = picked
    return item


@require_POST
@role_required()
def finding_from_item(request: AuthenticatedRequest, pk: int, item_pk: int) -> HttpResponse:
    audit = _get_audit(request, pk)
    item = get_object_or_404(ChecklistItem, pk=item_pk, audit=audit)
    form = Form(request.POST)
    kind = request.POST.get("type", "")
    finding = run_service(form, lambda: services.finding_from_checklist_item(actor=request.user, item=item, type=kind))
    if finding is not None:
        messages.success(request, f"Recorded {finding.reference} from checklist question {item.order}.")
    for error in form.non_field_errors():
        messages.error(request, str(error))
    return redirect(f"{audit.get_absolute_url()}#item-{item.pk}")


@require_POST
@role_required()
def add_finding(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    audit = _get_audit(request, pk)
    form = forms.FindingForm(request.POST, prefix="finding")
    if (
        form.is_valid()
        and run_service(form, lambda: services.finding_create(actor=request.user, audit=audit, **form.cleaned_data))
        is not None
    ):
        messages.success(request, "Finding recorded.")
        return redirect(f"{audit.get_absolute_url()}#findings")
    return _detail_page(request, audit, bound=form, status=400)


def _transition(request: AuthenticatedRequest, pk: int, form: Form, call: Any, success: str) -> HttpResponse:
    audit = _get_audit(request, pk)
    if form.is_valid() and run_service(form, lambda: call(audit, form.cleaned_data)) is not None:
        messages.success(request, success)
        return redirect(audit)
    audit.refresh_from_db()
    return _detail_page(request, audit, bound=form, status=400)


@require_POST
@role_required()
def start(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return _transition(
        request,
        pk,
        Form(request.POST, prefix="start"),
        lambda audit, data: services.audit_start(actor=request.user, audit=audit),
        "The audit has started.",
    )


@require_POST
@role_required()
def report_ready(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return _transition(
        request,
        pk,
        forms.ConclusionForm(request.POST, prefix="conclusion"),
        lambda audit, data: services.audit_report_ready(actor=request.user, audit=audit, conclusion=data["conclusion"]),
        "Fieldwork finished: the audit is in reporting.",
    )


@require_POST
@role_required()
def close(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return _transition(
        request,
        pk,
        forms.CloseForm(request.POST, prefix="close"),
        lambda audit, data: _close_and_freeze_report(request, audit, data),
        "The audit is closed and signed. Its final report is being generated.",
    )


def _close_and_freeze_report(request: AuthenticatedRequest, audit: Audit, data: dict[str, Any]) -> Audit:
    closed = services.audit_close(
        actor=request.user, audit=audit, password=data["password"], comment=data["comment"], ip=client_ip(request)
    )
    # After the close, not inside it: the signature's transaction must not depend on the worker (see the service).
    services.audit_report_after_close(actor=request.user, audit=closed)
    return closed


@require_POST
@role_required()
def cancel(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return _transition(
        request,
        pk,
        forms.CancelForm(request.POST, prefix="cancel"),
        lambda audit, data: services.audit_cancel(actor=request.user, audit=audit, reason=data["reason"]),
        "The audit was cancelled.",
    )


@role_required()
def history(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    audit = _get_audit(request, pk)
    records = [audit, *audit.checklist_items.all(), *audit.findings.all()]
    return render_history(request, *records, title=f"History of {audit}", back_url=audit.get_absolute_url())


FINDING_FILTERS = ("type", "clause", "department", "status", "q", "capa", "within", "raised_from", "raised_to")


def _findings(request: AuthenticatedRequest) -> tuple[Any, dict[str, str]]:
    params = {key: request.GET.get(key, "").strip() for key in FINDING_FILTERS}
    findings = Finding.objects.filter(audit__in=Audit.objects.visible_to(request.user)).select_related(
        "audit", "clause", "department"
    )
    if params["type"] in Finding.Type.values:
        findings = findings.filter(type=params["type"])
    if params["clause"]:
        findings = findings.filter(clause__number=params["clause"])
    if params["within"]:
        # A clause with its sub-clauses: "7.1" is 7.1, 7.1.1 … 7.1.6 (and not 7.10).
        within = params["within"]
        findings = findings.filter(Q(clause__number=within) | Q(clause__number__startswith=f"{within}."))
    if (first := day_param(params["raised_from"])) is not None:
        findings = findings.filter(created_at__date__gte=first)
    if (last := day_param(params["raised_to"])) is not None:
        findings = findings.filter(created_at__date__lte=last)
    if params["department"].isdigit():
        findings = findings.filter(department_id=int(params["department"]))
    if params["status"] in Audit.Status.values:
        findings = findings.filter(audit__status=params["status"])
    if params["q"]:
        findings = findings.filter(Q(reference__icontains=params["q"]) | Q(statement__icontains=params["q"]))
    if params["capa"] in {"yes", "no"} and hasattr(Finding, "capas"):
        # CAPAs link to findings from the CAPA module; the reverse relation answers without importing it.
        linked = Finding.objects.filter(capas__isnull=False).values("pk")
        findings = findings.filter(pk__in=linked) if params["capa"] == "yes" else findings.exclude(pk__in=linked)
    return findings.order_by("-audit__planned_start", "reference"), params


@role_required()
def findings(request: AuthenticatedRequest) -> HttpResponse:
    """The findings register across audits, with filters and a CSV export of what is shown."""
    found, params = _findings(request)
    page = Paginator(found, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "page": page,
        "params": params,
        "querystring": query.urlencode(),
        "types": Finding.Type.choices,
        "statuses": Audit.Status.choices,
        "clauses": Clause.objects.all(),
        "departments": Department.objects.filter(is_active=True),
    }
    return render(request, "audits/finding_list.html", context)


@role_required()
def findings_csv(request: AuthenticatedRequest) -> StreamingHttpResponse:
    found, _ = _findings(request)
    writer = csv.writer(EchoBuffer())

    def rows() -> Any:
        yield writer.writerow(
            [
                "reference",
                "audit",
                "type",
                "clause",
                "department",
                "statement",
                "requirement",
                "evidence",
                "audit_status",
            ]
        )
        for finding in found.iterator(chunk_size=500):
            yield writer.writerow(
                [
                    finding.reference,
                    finding.audit.reference,
                    finding.type,
                    finding.clause.number,
                    csv_safe(str(finding.department or "")),
                    csv_safe(finding.statement),
                    csv_safe(finding.requirement),
                    csv_safe(finding.evidence),
                    finding.audit.status,
                ]
            )

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition(f"audit-findings-{timezone.localdate()}.csv")
    return response


@require_POST
@role_required()
def generate_report(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Ask for the audit report PDF. HTMX gets the job's progress bar, which polls until the report is ready;
    without JavaScript the audit page comes back with a message."""
    audit = _get_audit(request, pk)
    form = Form(request.POST)
    final = request.POST.get("final") == "1"
    job = run_service(form, lambda: services.audit_report_request(actor=request.user, audit=audit, final=final))
    if request.htmx:
        if job is None:
            errors = " ".join(str(error) for error in form.non_field_errors())
            # The reason in the place the progress bar would have taken (app.js swaps 400 answers in).
            return HttpResponse(format_html('<p class="job-error" role="alert">{}</p>', errors), status=400)
        job.refresh_from_db()  # with tasks run in-process the work may be done already: show where it stands
        return render(request, "qms/partials/job_progress.html", {"job": job})
    if job is None:
        for error in form.non_field_errors():
            messages.error(request, str(error))
    else:
        messages.success(request, "The report is being generated. Reload this page in a moment to find it below.")
    return redirect(f"{audit.get_absolute_url()}#reports")


@role_required()
def report_download(request: AuthenticatedRequest, pk: int, report_pk: int) -> FileResponse:
    """A kept report PDF, for whoever sees the audit."""
    audit = _get_audit(request, pk)
    return report_file_response(
        get_object_or_404(AuditReport.objects.select_related("audit"), pk=report_pk, audit=audit)
    )


@role_required(Role.QUALITY_MANAGER)
def checklist_templates(request: AuthenticatedRequest) -> HttpResponse:
    """The reusable audit questions per clause; new checklists start from them."""
    editing = None
    if request.GET.get("edit", "").isdigit():
        editing = get_object_or_404(ChecklistTemplate, pk=int(request.GET["edit"]))
    form = forms.ChecklistTemplateForm(request.POST or None, instance=editing)
    if request.method == "POST" and form.is_valid():
        reason = "Question changed" if editing else "Question added"
        saved = run_service(
            form, lambda: services.checklist_template_save(actor=request.user, template=form.instance, reason=reason)
        )
        if saved is not None:
            messages.success(request, f"Saved the question for {saved.clause.number}.")
            return redirect("audits:checklist-templates")
    templates = ChecklistTemplate.objects.select_related("clause").order_by("clause__sort_key", "order", "pk")
    return render(
        request,
        "audits/checklist_templates.html",
        {"templates": templates, "form": form, "editing": editing},
        status=400 if form.errors else 200,
    )


@require_POST
@role_required()
def add_evidence(request: AuthenticatedRequest, pk: int, item_pk: int) -> HttpResponse:
    audit = _get_audit(request, pk)
    item = get_object_or_404(ChecklistItem, pk=item_pk, audit=audit)
    form = forms.EvidenceForm(request.POST, request.FILES)
    if form.is_valid():
        evidence = run_service(
            form, lambda: services.evidence_add(actor=request.user, item=item, file=form.cleaned_data["file"])
        )
        if evidence is not None:
            messages.success(request, f"Added {evidence.original_filename} as evidence for question {item.order}.")
    for errors in form.errors.values():
        messages.error(request, " ".join(str(error) for error in errors))
    return redirect(f"{audit.get_absolute_url()}#item-{item.pk}")


@role_required()
def evidence_download(request: AuthenticatedRequest, pk: int, evidence_pk: int) -> FileResponse:
    evidence = get_object_or_404(evidence_visible_to(request.user), pk=evidence_pk, checklist_item__audit_id=pk)
    return evidence_file_response(evidence)
