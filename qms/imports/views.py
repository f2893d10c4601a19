"""The import pages: upload a master list (and its ZIP), read the check's report line by line, then import."""

from __future__ import annotations

import csv
from collections.abc import Iterator

from django import forms
from django.db.models.fields.json import KT
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from qms.imports import documents, services
from qms.imports.models import ImportRun
from qms.permissions import AuthenticatedRequest, role_required
from qms.roles import Role
from qms.upload_limits import upload_limit
from qms.uploads import content_disposition
from qms.web import EchoBuffer, run_service

# A document set is uploaded in one go; larger sets go through `manage.py import_documents` on the server.
MAX_IMPORT_BYTES = 512 * 1024 * 1024
# Rows shown on the page; the report's CSV has every one.
SHOWN_ROWS = 500


class ImportForm(forms.Form):
    kind = forms.ChoiceField(label="What to import", choices=ImportRun.Kind.choices)
    master = forms.FileField(
        label="Master list (CSV)",
        help_text="One row per record, the first line naming the columns. UTF-8 or Windows-1252; commas, semicolons "
        "or tabs.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )
    archive = forms.FileField(
        label="Second file",
        required=False,
        help_text="Documents: the ZIP holding the file each row names in its file column (folders allowed). "
        "CAPAs: the list of their actions (CSV), if any.",
        widget=forms.ClearableFileInput(attrs={"accept": ".zip,application/zip,.csv,text/csv"}),
    )


@upload_limit(MAX_IMPORT_BYTES)
@role_required(Role.QUALITY_MANAGER)
@require_http_methods(["GET", "POST"])
def import_list(request: AuthenticatedRequest) -> HttpResponse:
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        run = run_service(
            form,
            lambda: services.import_upload(
                actor=request.user,
                kind=form.cleaned_data["kind"],
                master=form.cleaned_data["master"],
                archive=form.cleaned_data["archive"],
            ),
        )
        if run is not None:
            return redirect(run)
    # A report holds a line per row of its list (thousands): the list reads only its counts.
    runs = (
        ImportRun.objects.visible_to(request.user)
        .select_related("created_by")
        .defer("report")
        .annotate(created=KT("report__created"), skipped=KT("report__skipped"), problems=KT("report__problems"))[:50]
    )
    # Each kind with whether it has a second list's template and sample files (a template calls a callable it is given,
    # so the kinds' functions are not handed to it).
    kinds = [
        {
            "value": value,
            "label": label,
            "has_second_list": services.KINDS[value].second_template is not None,
            "takes_files": services.KINDS[value].second_file == "zip",
            "exports": services.KINDS[value].export is not None,
        }
        for value, label in ImportRun.Kind.choices
    ]
    context = {"form": form, "runs": runs, "kinds": kinds}
    return render(request, "imports/import_list.html", context, status=400 if form.errors else 200)


@role_required(Role.QUALITY_MANAGER)
@require_GET
def import_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return render(request, "imports/import_detail.html", _context(_run_for(request, pk)))


@role_required(Role.QUALITY_MANAGER)
@require_GET
def import_status(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The part of the page that follows the job: polled while it runs, then the report."""
    return render(request, "imports/partials/run_status.html", _context(_run_for(request, pk)))


@role_required(Role.QUALITY_MANAGER)
@require_POST
def import_start(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    run = _run_for(request, pk)
    form = forms.Form(request.POST)
    started = run_service(form, lambda: services.import_start(actor=request.user, run=run))
    if started is None:
        context = _context(run) | {"start_errors": form.non_field_errors()}
        return render(request, "imports/import_detail.html", context, status=400)
    return redirect(started)


@role_required(Role.QUALITY_MANAGER)
@require_GET
def template(request: AuthenticatedRequest, kind: str) -> HttpResponse:
    if kind not in services.KINDS:
        raise Http404("No such import.")
    response = HttpResponse(services.KINDS[kind].template(request.user), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition(f"{kind}-master-list.csv")
    return response


@role_required(Role.QUALITY_MANAGER)
@require_GET
def second_template(request: AuthenticatedRequest, kind: str) -> HttpResponse:
    second = services.KINDS[kind].second_template if kind in services.KINDS else None
    if second is None:
        raise Http404("This import takes no second list.")
    response = HttpResponse(second(request.user), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition(f"{kind}-second-list.csv")
    return response


@role_required(Role.QUALITY_MANAGER)
@require_GET
def sample(request: AuthenticatedRequest, kind: str) -> HttpResponse:
    if kind != ImportRun.Kind.DOCUMENTS:
        raise Http404("Only a documents import comes with files.")
    response = HttpResponse(documents.sample_zip(), content_type="application/zip")
    response["Content-Disposition"] = content_disposition(f"{kind}-sample-files.zip")
    return response


@role_required(Role.QUALITY_MANAGER)
@require_GET
def export(request: AuthenticatedRequest, kind: str) -> StreamingHttpResponse:
    """The records of a kind here, in its import's master list: for moving out, or into a second instance."""
    rows = services.KINDS[kind].export if kind in services.KINDS else None
    if rows is None:
        raise Http404("These records are exported with manage.py export_documents.")
    return _csv_download(rows(request.user), f"{kind}-{timezone.localdate()}.csv")


@role_required(Role.QUALITY_MANAGER)
@require_GET
def second_export(request: AuthenticatedRequest, kind: str) -> StreamingHttpResponse:
    rows = services.KINDS[kind].second_export if kind in services.KINDS else None
    if rows is None:
        raise Http404("This import takes no second list.")
    return _csv_download(rows(request.user), f"{kind}-actions-{timezone.localdate()}.csv")


def _csv_download(rows: Iterator[list[str]], filename: str) -> StreamingHttpResponse:
    """Rows streamed as they are read (an export of ten thousand records is never held whole)."""
    writer = csv.writer(EchoBuffer())
    response = StreamingHttpResponse((writer.writerow(row) for row in rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition(filename)
    return response


def _run_for(request: AuthenticatedRequest, pk: int) -> ImportRun:
    return get_object_or_404(ImportRun.objects.visible_to(request.user).select_related("created_by", "job"), pk=pk)


def _context(run: ImportRun) -> dict[str, object]:
    report = run.report or {}
    rows = report.get("rows", [])
    problems = [row for row in rows if row["outcome"] == "error"]
    return {
        "run": run,
        "job": run.job,
        "working": run.status in {ImportRun.Status.CHECKING, ImportRun.Status.IMPORTING},
        "report": report,
        "problems": problems[:SHOWN_ROWS],
        "more_problems": max(0, len(problems) - SHOWN_ROWS),
        "to_create": [row for row in rows if row["outcome"] == "create"][:SHOWN_ROWS],
        "skipped": [row for row in rows if row["outcome"] == "skip"][:SHOWN_ROWS],
    }
