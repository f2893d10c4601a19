"""Browser views of the nonconformity log: the log, reporting an entry, its page and its triage."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Q, QuerySet
from django.forms import BaseForm
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from capa import forms, services
from capa.models import Capa, Nonconformity, Severity, Source
from capa.selectors import earlier_similar, is_repeat
from capa.views.capas import PAGE_SIZE, _get_nonconformity, _querystring
from qms.models import Department
from qms.permissions import STAFF_ROLES, AuthenticatedRequest, role_required
from qms.roles import Role
from qms.views import render_history
from qms.web import day_param, run_service

# --- The nonconformity log ------------------------------------------------------------------------------------------


def _log(request: AuthenticatedRequest) -> tuple[QuerySet[Nonconformity], QuerySet[Nonconformity], dict[str, str]]:
    keys = ("q", "status", "source", "severity", "department", "reply", *LOG_DATE_FILTERS)
    params = {key: request.GET.get(key, "").strip() for key in keys}
    entries = Nonconformity.objects.visible_to(request.user)
    # Reported between two days (ISO dates, both included) and repeats only: as the performance dashboard links here.
    if (first := day_param(params["reported_from"])) is not None:
        entries = entries.filter(reported_at__date__gte=first)
    if (last := day_param(params["reported_to"])) is not None:
        entries = entries.filter(reported_at__date__lte=last)
    if params["repeat"] == "yes":
        entries = entries.filter(is_repeat())
    if params["source"] in Source.values:
        entries = entries.filter(source=params["source"])
    if params["severity"] in Severity.values:
        entries = entries.filter(severity=params["severity"])
    if params["department"].isdigit():
        entries = entries.filter(department_id=int(params["department"]))
    if params["reply"] == "overdue":
        entries = entries.filter(_reply_overdue())
    if params["q"]:
        text = params["q"]
        entries = entries.filter(
            Q(reference__icontains=text)
            | Q(title__icontains=text)
            | Q(description__icontains=text)
            | Q(customer__icontains=text)
            | Q(customer_reference__icontains=text)
        )
    before_status = entries
    if params["status"] in Nonconformity.Status.values:
        entries = entries.filter(status=params["status"])
    return entries.order_by("-reported_at", "-id"), before_status, params


LOG_DATE_FILTERS = ("reported_from", "reported_to", "repeat")


def _reply_overdue() -> Q:
    return Q(status=Nonconformity.Status.OPEN, reply_due__lt=timezone.localdate())


@role_required()
def nonconformities(request: AuthenticatedRequest) -> HttpResponse:
    """The nonconformity log: what was reported, where it stands, and complaints whose answer is due."""
    entries, before_status, params = _log(request)
    entries = entries.select_related("department", "reported_by").prefetch_related("capas")
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    counts = before_status.aggregate(
        total=Count("pk"),
        reply_overdue=Count("pk", filter=_reply_overdue()),
        **{f"status_{value}": Count("pk", filter=Q(status=value)) for value in Nonconformity.Status.values},
    )
    status_query = request.GET.copy()
    status_query.pop("page", None)
    status_query.pop("status", None)
    context = {
        "page": page,
        "params": params,
        "querystring": _querystring(request),
        "status_querystring": status_query.urlencode(),
        "status_counts": [(v, label, counts[f"status_{v}"]) for v, label in Nonconformity.Status.choices],
        "counts": counts,
        "sources": Source.choices,
        "severities": Severity.choices,
        "departments": Department.objects.filter(is_active=True),
        "can_triage": request.user.has_role(Role.QUALITY_MANAGER),
        "can_report": request.user.has_role(*STAFF_ROLES),
        "filtered": any(value for key, value in params.items() if key != "status"),
        "dates_filtered": any(params[key] for key in LOG_DATE_FILTERS),
    }
    return render(request, "capa/nonconformity_list.html", context)


@role_required(*STAFF_ROLES)
def report_nonconformity(request: AuthenticatedRequest) -> HttpResponse:
    """Anyone of the organisation's staff reports a nonconformity (external auditors report in their own audit
    reports); the quality managers are told."""
    form = forms.NonconformityForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        entry = run_service(form, lambda: services.nonconformity_report(actor=request.user, **form.cleaned_data))
        if entry is not None:
            messages.success(request, f"Reported {entry.reference}. The quality managers were told and will triage it.")
            return redirect(entry)
    context = {"form": form, "can_report": True}
    return render(request, "capa/nonconformity_form.html", context, status=400 if form.errors else 200)


@role_required()
def nonconformity_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return _nonconformity_page(request, _get_nonconformity(request, pk))


def _nonconformity_page(
    request: AuthenticatedRequest, entry: Nonconformity, *, bound: BaseForm | None = None, status: int = 200
) -> HttpResponse:
    page_forms: dict[str, BaseForm] = {}
    if entry.can_triage(request.user):
        page_forms["close"] = forms.NonconformityCloseForm(prefix="close")
        page_forms["escalate"] = forms.EscalateForm(prefix="escalate")
    if bound is not None and bound.prefix:
        page_forms[bound.prefix] = bound
    context = {
        "entry": entry,
        "capas": list(Capa.objects.visible_to(request.user).filter(nonconformities=entry)),
        "similar": earlier_similar(entry, request.user),
        "forms": page_forms,
        "open_form": bound.prefix if bound is not None else None,
    }
    return render(request, "capa/nonconformity_detail.html", context, status=status)


def _triage(
    request: AuthenticatedRequest, pk: int, form: BaseForm, call: Callable[[Nonconformity, dict[str, Any]], Any]
) -> tuple[Any, HttpResponse | None]:
    entry = _get_nonconformity(request, pk)
    if form.is_valid():
        result = run_service(form, lambda: call(entry, form.cleaned_data))
        if result is not None:
            return result, None
    entry.refresh_from_db()
    return None, _nonconformity_page(request, entry, bound=form, status=400)


@require_POST
@role_required()
def nonconformity_close(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    entry, refused = _triage(
        request,
        pk,
        forms.NonconformityCloseForm(request.POST, prefix="close"),
        lambda entry, data: services.nonconformity_close(
            actor=request.user, nonconformity=entry, disposition=data["disposition"], note=data["note"]
        ),
    )
    if refused is not None:
        return refused
    messages.success(request, f"Closed {entry.reference}: {entry.get_disposition_display().lower()}.")
    return redirect(entry)


@require_POST
@role_required()
def nonconformity_escalate(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    capa, refused = _triage(
        request,
        pk,
        forms.EscalateForm(request.POST, prefix="escalate"),
        lambda entry, data: services.nonconformity_escalate(actor=request.user, nonconformity=entry, **data),
    )
    if refused is not None:
        return refused
    messages.success(request, f"Escalated to {capa.reference}; {capa.owner.display_name} was told.")
    return redirect(capa)


@role_required()
def nonconformity_history(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    entry = _get_nonconformity(request, pk)
    return render_history(request, entry, title=f"History of {entry}", back_url=entry.get_absolute_url())
