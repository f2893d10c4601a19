"""The evidence pack pages: ask for a pack and follow it, download it (recorded in history), and check a copy."""

from __future__ import annotations

import tempfile
from datetime import timedelta
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from qms.errors import DomainError
from qms.evidence import services
from qms.evidence.builder import default_clauses
from qms.evidence.models import PACK_ROLES, EvidencePack
from qms.evidence.verify import VerificationReport, verify_pack
from qms.permissions import AuthenticatedRequest, role_required
from qms.upload_limits import upload_limit
from qms.uploads import RefusedUpload, content_disposition, digest_header

# A pack holds every record of a period; a copy larger than this is refused before it is read.
MAX_VERIFY_BYTES = 512 * 1024 * 1024
_CHUNK = 1024 * 1024


def _clause_choices() -> list[tuple[str, str]]:
    return [(clause.number, f"{clause.number} {clause.title}") for clause in default_clauses()]


class EvidencePackForm(forms.Form):
    period_start = forms.DateField(label="Period start", widget=forms.DateInput(attrs={"type": "date"}))
    period_end = forms.DateField(label="Period end", widget=forms.DateInput(attrs={"type": "date"}))
    clauses = forms.MultipleChoiceField(
        label="Clauses",
        widget=forms.SelectMultiple(attrs={"size": 12}),
        help_text=(
            "The ISO 9001 clauses whose evidence the pack gathers; all of 4 to 10 are selected. "
            "Hold Ctrl (⌘ on a Mac) to pick several."
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = _clause_choices()
        clauses = self.fields["clauses"]
        assert isinstance(clauses, forms.MultipleChoiceField)
        clauses.choices = choices
        today = timezone.localdate()
        self.fields["period_start"].initial = today - timedelta(days=365)
        self.fields["period_end"].initial = today
        clauses.initial = [number for number, _ in choices]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("period_start"), data.get("period_end")
        if start and end and start > end:
            self.add_error("period_end", "The period must end on or after its start.")
        return data


class VerifyForm(forms.Form):
    pack = forms.FileField(
        label="Evidence pack (ZIP)",
        help_text=f"The ZIP as it was handed to you, at most {MAX_VERIFY_BYTES // (1024 * 1024)} MB.",
        widget=forms.ClearableFileInput(attrs={"accept": ".zip,application/zip"}),
    )
    manifest_sha256 = forms.RegexField(
        label="Expected manifest SHA-256",
        regex=r"^[0-9a-fA-F]{64}$",
        required=False,
        help_text="Optional: the manifest SHA-256 you were given, to check the pack is the one recorded.",
        error_messages={"invalid": "Enter the 64 hexadecimal characters of a SHA-256."},
    )

    def clean_pack(self) -> Any:
        upload = self.cleaned_data["pack"]
        if isinstance(upload, RefusedUpload):
            raise ValidationError(upload.reason)
        if upload.size > MAX_VERIFY_BYTES:
            raise ValidationError(f"The file is larger than {MAX_VERIFY_BYTES // (1024 * 1024)} MB.")
        return upload


def _packs(request: AuthenticatedRequest) -> Any:
    return EvidencePack.objects.visible_to(request.user).select_related("job", "created_by")


@role_required(*PACK_ROLES)
@require_http_methods(["GET", "POST"])
def pack_list(request: AuthenticatedRequest) -> HttpResponse:
    form = EvidencePackForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            pack, _job = services.evidence_pack_request(
                actor=request.user,
                period_start=form.cleaned_data["period_start"],
                period_end=form.cleaned_data["period_end"],
                clauses=form.cleaned_data["clauses"],
            )
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"Evidence pack #{pack.pk} is being built.")
            return redirect("evidence:index")
    status = 400 if form.errors else 200
    return render(request, "evidence/pack_list.html", {"form": form, "packs": list(_packs(request))}, status=status)


@role_required(*PACK_ROLES)
@require_GET
def pack_row(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """One row of the list, polled while the pack is built (see the partial)."""
    return render(request, "evidence/partials/pack_row.html", {"pack": get_object_or_404(_packs(request), pk=pk)})


@role_required(*PACK_ROLES)
@require_GET
def pack_download(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    pack = get_object_or_404(_packs(request), pk=pk)
    try:
        pack = services.evidence_pack_record_download(actor=request.user, pack=pack)
    except DomainError as error:
        messages.error(request, str(error))
        return redirect("evidence:index")
    if not pack.file:
        raise Http404("The pack has no file.")
    response = FileResponse(pack.file.open("rb"), content_type="application/zip")
    response["Content-Disposition"] = content_disposition(
        f"evidence-pack-{pack.pk}-{pack.period_start:%Y%m%d}-{pack.period_end:%Y%m%d}.zip"
    )
    response["Digest"] = digest_header(pack.sha256)
    if pack.size is not None:
        response["Content-Length"] = str(pack.size)
    response["X-Content-Type-Options"] = "nosniff"
    return response


@upload_limit(MAX_VERIFY_BYTES)
@role_required(*PACK_ROLES)
@require_http_methods(["GET", "POST"])
def pack_verify(request: AuthenticatedRequest) -> HttpResponse:
    form = VerifyForm(request.POST or None, request.FILES or None)
    report: VerificationReport | None = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["pack"]
        # Read from a temporary file that is removed on closing; the ZIP is checked entry by entry, never extracted.
        with tempfile.NamedTemporaryFile(suffix=".zip") as copy:
            for chunk in upload.chunks(_CHUNK):
                copy.write(chunk)
            copy.flush()
            # The trail's links up to the pack's head, not every sealed row: that can take minutes on a large trail,
            # and is what `manage.py verify_evidence_pack` adds.
            report = verify_pack(
                copy.name,
                expected_manifest_sha256=form.cleaned_data["manifest_sha256"] or None,
                against_trail=True,
                check_rows=False,
            )
        # The report names the temporary path when the file is not a ZIP; show the uploaded name instead.
        report.differences = [line.replace(copy.name, upload.name) for line in report.differences]
    status = 400 if form.errors else 200
    return render(
        request,
        "evidence/pack_verify.html",
        {"form": form, "report": report, "upload": request.FILES.get("pack")},
        status=status,
    )
