"""Browser views of CAPAs: the register and its export, opening a CAPA (on its own or from an audit finding), the
CAPA page with its chain from finding to closure and its forms, and the CAPA summary PDF.

Every fetch is permission-checked (`visible_to`); every write is one service call, whose refusals come back as form
errors next to the field (or a 403) through `qms.web.run_service`. What the page says is still missing comes from
`Capa.blockers_for`, the rule the services apply.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Case, Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Value, When
from django.forms import BaseForm
from django.http import FileResponse, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from audits.models import Audit, Finding
from capa import forms, report, services
from capa.models import (
    ActionEvidenceFile,
    Capa,
    CapaAction,
    CauseCategory,
    EffectivenessCheck,
    Nonconformity,
    Severity,
    Source,
)
from capa.selectors import closed_on_time, earlier_similar
from qms.models import Department, User
from qms.permissions import STAFF_ROLES, AuthenticatedRequest, role_required
from qms.roles import Role
from qms.selectors import count_per_row
from qms.uploads import content_disposition, digest_header
from qms.views import render_history
from qms.web import EchoBuffer, client_ip, csv_safe, day_param, people_options, run_service, select_options

OPENERS = (Role.QUALITY_MANAGER, Role.AUDITOR)
PAGE_SIZE = 50
# The register's sort orders; open CAPAs come before ended ones unless sorted by reference or age alone.
SORTS = {
    "due": ("ended", "due_date", "reference"),
    "oldest": ("ended", "created_at", "reference"),
    "newest": ("-created_at", "-id"),
    "reference": ("reference",),
}
SORT_LABELS = {
    "due": "Due date (open first)",
    "oldest": "Oldest open first",
    "newest": "Newest",
    "reference": "Reference",
}
STEPS = (*Capa.NEXT_STEP, Capa.Status.VERIFYING, Capa.Status.CLOSED)


def _get_capa(request: AuthenticatedRequest, pk: int) -> Capa:
    return get_object_or_404(
        Capa.objects.visible_to(request.user).select_related("owner", "department", "clause", "created_by"), pk=pk
    )


def _get_nonconformity(request: AuthenticatedRequest, pk: int) -> Nonconformity:
    return get_object_or_404(
        Nonconformity.objects.visible_to(request.user).select_related(
            "department", "clause", "finding__audit", "reported_by", "triaged_by"
        ),
        pk=pk,
    )


def _querystring(request: AuthenticatedRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


# --- The CAPA register ----------------------------------------------------------------------------------------------


def _register(request: AuthenticatedRequest) -> tuple[QuerySet[Capa], QuerySet[Capa], dict[str, str]]:
    """The CAPAs the register shows (filtered, annotated, sorted), the same before the status filter (for the counts
    by status), and the filters as read from the query string."""
    keys = ("q", "status", "severity", "source", "kind", "owner", "department", "overdue", "sort", *DATE_FILTERS)
    params = {key: request.GET.get(key, "").strip() for key in keys}
    capas = _dates_and_outcomes(Capa.objects.visible_to(request.user), params)
    for name, values in (("severity", Severity.values), ("source", Source.values), ("kind", Capa.Kind.values)):
        if params[name] in values:
            capas = capas.filter(**{name: params[name]})
    if params["owner"].isdigit():
        capas = capas.filter(owner_id=int(params["owner"]))
    if params["department"].isdigit():
        capas = capas.filter(department_id=int(params["department"]))
    if params["overdue"]:
        capas = capas.filter(_overdue())
    if params["q"]:
        text = params["q"]
        capas = capas.filter(
            Q(reference__icontains=text)
            | Q(imported_reference__icontains=text)
            | Q(title__icontains=text)
            | Q(problem__icontains=text)
            | Q(root_cause__icontains=text)
        )
    before_status = capas
    if params["status"] in Capa.Status.values:
        capas = capas.filter(status=params["status"])
    capas = capas.annotate(
        ended=Case(When(status__in=list(Capa.ENDED), then=Value(1)), default=Value(0), output_field=IntegerField()),
        actions_total=count_per_row(CapaAction.objects.exclude(status=CapaAction.Status.CANCELLED), "capa"),
        actions_done=count_per_row(CapaAction.objects.filter(status=CapaAction.Status.DONE), "capa"),
    ).order_by(*SORTS.get(params["sort"], SORTS["due"]))
    return capas, before_status, params


def _overdue() -> Q:
    return ~Q(status__in=list(Capa.ENDED)) & Q(due_date__lt=timezone.localdate())


# Filters by dates and outcomes, as the performance dashboard's numbers link to them: opened, closed (and whether on
# time) and effectiveness checks signed between two days (ISO dates, both included, in the site's time zone).
DATE_FILTERS = (
    "ended",
    "opened_from",
    "opened_to",
    "closed_from",
    "closed_to",
    "on_time",
    "verified",
    "verified_from",
    "verified_to",
)


def _between(name: str, since: str, until: str) -> Q:
    """`name` (a moment) falls on `since` or later and on `until` or earlier, the days that parse."""
    bounds = Q()
    if (first := day_param(since)) is not None:
        bounds &= Q(**{f"{name}__date__gte": first})
    if (last := day_param(until)) is not None:
        bounds &= Q(**{f"{name}__date__lte": last})
    return bounds


def _dates_and_outcomes(capas: QuerySet[Capa], params: dict[str, str]) -> QuerySet[Capa]:
    if params["ended"] == "no":
        capas = capas.exclude(status__in=list(Capa.ENDED))
    elif params["ended"] == "yes":
        capas = capas.filter(status__in=list(Capa.ENDED))
    capas = capas.filter(_between("created_at", params["opened_from"], params["opened_to"]))
    capas = capas.filter(_between("closed_at", params["closed_from"], params["closed_to"]))
    if params["on_time"] == "yes":
        capas = capas.filter(closed_on_time())
    elif params["on_time"] == "no":
        capas = capas.filter(status=Capa.Status.CLOSED).exclude(closed_on_time())
    checks = EffectivenessCheck.objects.filter(_between("verified_at", params["verified_from"], params["verified_to"]))
    if params["verified"] in EffectivenessCheck.Result.values:
        capas = capas.filter(pk__in=checks.filter(result=params["verified"]).values("capa"))
    return capas


@role_required()
def index(request: AuthenticatedRequest) -> HttpResponse:
    """The CAPA register: filters, counts by status, age and overdue at a glance, and a CSV of what is shown."""
    capas, before_status, params = _register(request)
    capas = capas.select_related("owner", "department").prefetch_related("findings", "nonconformities")
    page = Paginator(capas, PAGE_SIZE).get_page(request.GET.get("page"))
    counts = before_status.aggregate(
        total=Count("pk"),
        overdue=Count("pk", filter=_overdue()),
        **{f"status_{value}": Count("pk", filter=Q(status=value)) for value in Capa.Status.values},
    )
    visible = Capa.objects.visible_to(request.user)
    status_query = request.GET.copy()
    status_query.pop("page", None)
    status_query.pop("status", None)
    context = {
        "page": page,
        "params": params,
        "querystring": _querystring(request),
        "status_querystring": status_query.urlencode(),
        "status_counts": [(value, label, counts[f"status_{value}"]) for value, label in Capa.Status.choices],
        "counts": counts,
        "statuses": Capa.Status.choices,
        "severities": Severity.choices,
        "sources": Source.choices,
        "kinds": Capa.Kind.choices,
        "sorts": SORT_LABELS.items(),
        "owner_options": people_options(User.objects.filter(pk__in=visible.values("owner_id")), params["owner"]),
        "department_options": select_options(
            Department.objects.filter(is_active=True).values_list("pk", "name"), params["department"]
        ),
        "can_open": request.user.has_role(*OPENERS),
        "can_report": request.user.has_role(*STAFF_ROLES),
        "filtered": any(value for key, value in params.items() if key not in {"sort", "status"}),
        "dates_filtered": any(params[key] for key in DATE_FILTERS),
        "check_results": EffectivenessCheck.Result.choices,
    }
    return render(request, "capa/capa_list.html", context)


EXPORT_HEADER = [
    "reference",
    "title",
    "kind",
    "source",
    "severity",
    "status",
    "owner",
    "department",
    "clause",
    "due_date",
    "days_open",
    "overdue",
    "root_cause",
    "cause_category",
    "actions_done",
    "actions_total",
    "last_effectiveness_result",
    "closed_at_utc",
]


@role_required()
def export_csv(request: AuthenticatedRequest) -> StreamingHttpResponse:
    """The register as CSV with its current filters, streamed. "Actions total" leaves out cancelled actions. Cells a
    spreadsheet would run as formulas are kept as text (`csv_safe`)."""
    capas, _, _ = _register(request)
    last_result = (
        EffectivenessCheck.objects.filter(capa=OuterRef("pk"))
        .exclude(result="")
        .order_by("-verified_at", "-pk")
        .values("result")[:1]
    )
    capas = capas.annotate(last_result=Subquery(last_result)).select_related("owner", "department", "clause")
    writer = csv.writer(EchoBuffer())

    def rows() -> Iterator[str]:
        yield writer.writerow(EXPORT_HEADER)
        for capa in capas.iterator(chunk_size=500):
            yield writer.writerow(
                [
                    capa.reference,
                    csv_safe(capa.title),
                    capa.kind,
                    capa.source,
                    capa.severity,
                    capa.status,
                    csv_safe(capa.owner.display_name),
                    csv_safe(capa.department.name if capa.department else ""),
                    capa.clause.number if capa.clause else "",
                    capa.due_date.isoformat(),
                    capa.days_open,
                    "yes" if capa.is_overdue else "no",
                    csv_safe(capa.root_cause),
                    capa.cause_category,
                    capa.actions_done,  # type: ignore[attr-defined]
                    capa.actions_total,  # type: ignore[attr-defined]
                    capa.last_result or "",
                    capa.closed_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M") if capa.closed_at else "",
                ]
            )

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition(f"capa-register-{timezone.localdate()}.csv")
    return response


# --- Opening a CAPA -------------------------------------------------------------------------------------------------


@role_required(*OPENERS)
def create(request: AuthenticatedRequest) -> HttpResponse:
    form = forms.CapaForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        capa = run_service(form, lambda: services.capa_create(actor=request.user, **form.cleaned_data))
        if capa is not None:
            messages.success(request, f"Opened {capa.reference}. {capa.owner.display_name} was told.")
            return redirect(capa)
    return render(request, "capa/capa_form.html", {"form": form}, status=400 if form.errors else 200)


@role_required(*OPENERS)
def raise_from_finding(request: AuthenticatedRequest, finding_pk: int) -> HttpResponse:
    """One step from an audit finding to its CAPA: the CAPA is filled in from the finding; the user names the owner
    and the due date (the owner is suggested among the audit's auditees of the finding's department)."""
    finding = get_object_or_404(
        Finding.objects.filter(audit__in=Audit.objects.visible_to(request.user)).select_related(
            "audit", "clause", "department"
        ),
        pk=finding_pk,
    )
    auditees = finding.audit.auditees.filter(is_active=True)
    suggested = auditees.filter(department_id=finding.department_id).first() if finding.department_id else None
    form = forms.RaiseFromFindingForm(
        request.POST or None,
        initial={"due_date": forms.default_due_date(), "owner": suggested.pk if suggested else None},
    )
    if request.method == "POST" and form.is_valid():
        capa = run_service(
            form,
            lambda: services.capa_raise_from_finding(actor=request.user, finding=finding, **form.cleaned_data),
        )
        if capa is not None:
            messages.success(request, f"Raised {capa.reference} from {finding.reference}.")
            return redirect(capa)
    context = {
        "form": form,
        "finding": finding,
        "existing": list(finding.capas.all()),
        "severity": Severity(services.SEVERITY_OF_FINDING[finding.type]).label,
    }
    return render(request, "capa/capa_raise.html", context, status=400 if form.errors else 200)


# --- The CAPA page --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Event:
    """One step of a CAPA's chain on its timeline. `at` is None for what is still to come (a planned check)."""

    at: datetime | None
    kind: str
    title: str
    detail: str = ""
    actor: str = ""
    tone: str = ""
    record: Any = None


def _timeline(
    capa: Capa,
    findings: list[Finding],
    nonconformities: list[Nonconformity],
    actions: list[CapaAction],
    checks: list[EffectivenessCheck],
    rows: list[Any],
) -> list[Event]:
    """The chain from what was found to closure, in time order: findings and log entries, the CAPA opened, its moves
    (from its history, so a failed check's return to investigating shows), its analysis, actions and checks."""
    events = [Event(f.created_at, "finding", f"Audit finding {f.reference}", f.statement, record=f) for f in findings]
    events += [
        Event(n.reported_at, "nonconformity", f"Nonconformity {n.reference} reported", n.title, record=n)
        for n in nonconformities
    ]
    events += _history_events(rows)
    events += [Event(a.created_at, "action", f"Action A{a.number} planned", a.description, record=a) for a in actions]
    for check in checks:
        if check.result:
            tone = "ok" if check.result == EffectivenessCheck.Result.EFFECTIVE else "bad"
            title = f"Effectiveness check: {check.get_result_display().lower()}"
            events.append(Event(check.verified_at, "check", title, check.comment, tone=tone, record=check))
        else:
            events.append(Event(None, "check", "Effectiveness check planned", check.criteria, record=check))
    # Things still to come go last; the rest by time.
    return sorted(events, key=lambda event: (event.at is None, event.at or timezone.now()))


ANALYSIS_FIELDS = ("root_cause", "root_cause_method", "cause_category", "root_cause_analysis")


def _history_events(rows: list[Any]) -> list[Event]:
    """The CAPA's own steps from its history rows: opened, each move, and the last analysis update before each move
    (a chain of small edits would drown the timeline; the history page keeps them all)."""
    events: list[Event] = []
    pending: Event | None = None
    previous = None
    for row in rows:
        who = row.history_user.display_name if row.history_user else "system"
        if previous is None:
            events.append(Event(row.history_date, "opened", "CAPA opened", actor=who, tone="info"))
        else:
            if any(getattr(row, name) != getattr(previous, name) for name in ANALYSIS_FIELDS):
                summary = f"Root cause: {row.root_cause}" if row.root_cause else "Analysis in progress"
                pending = Event(row.history_date, "analysis", "Root-cause analysis updated", summary, actor=who)
            if row.status != previous.status:
                if pending is not None:
                    events.append(pending)
                    pending = None
                label = Capa.Status(row.status).label
                tone = {"closed": "ok", "cancelled": "bad"}.get(row.status, "info")
                reason = row.history_change_reason or ""
                events.append(Event(row.history_date, "status", f"{label}", reason, actor=who, tone=tone))
        previous = row
    if pending is not None:
        events.append(pending)
    return events


def _stepper(capa: Capa) -> list[dict[str, str]]:
    """The forward steps and where the CAPA stands among them; a closed CAPA has done them all."""
    position = STEPS.index(Capa.Status(capa.status)) if capa.status in STEPS else -1
    steps = []
    for index, step in enumerate(STEPS):
        if index < position or capa.status == Capa.Status.CLOSED:
            state = "done"
        else:
            state = "current" if index == position else "todo"
        steps.append({"value": step, "label": step.label, "state": state})
    return steps


@role_required()
def detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return _detail_page(request, _get_capa(request, pk))


def _detail_page(
    request: AuthenticatedRequest, capa: Capa, *, bound: BaseForm | None = None, status: int = 200
) -> HttpResponse:
    user = request.user
    actions = list(
        capa.actions.select_related("owner", "completed_by", "document", "change_request__revision").prefetch_related(
            "evidence_files"
        )
    )
    for action in actions:
        action.capa = capa  # the label names the CAPA; this one, without a query per action
    checks = list(capa.effectiveness_checks.select_related("verified_by", "signature"))
    findings = list(capa.findings.select_related("audit", "clause"))
    nonconformities = list(capa.nonconformities.all())
    rows = list(capa.history.select_related("history_user").order_by("history_date", "history_id"))
    next_step = capa.next_step
    manager = capa.is_managed_by(user)

    page_forms: dict[str, BaseForm] = {}
    if capa.can_edit_analysis(user):
        page_forms["analysis"] = forms.AnalysisForm(capa=capa, prefix="analysis")
    if capa.can_edit(user):
        page_forms["edit"] = forms.CapaEditForm.for_capa(capa, prefix="edit")
        page_forms["containment"] = forms.ContainmentForm(
            prefix="containment", initial={"containment": capa.containment}
        )
    if capa.can_plan_actions(user):
        page_forms["action"] = forms.ActionForm(user=user, prefix="action")
    if next_step and manager:
        page_forms["advance"] = forms.AdvanceForm(prefix="advance", initial={"to": next_step})
    if capa.can_verify(user):
        page_forms["verify"] = forms.VerifyForm(prefix="verify")
    if capa.can_cancel(user):
        page_forms["cancel"] = forms.ReasonForm(prefix="cancel")
    if bound is not None and bound.prefix:
        page_forms[bound.prefix] = bound

    action_rows = []
    for action in actions:
        complete_prefix, cancel_prefix = f"complete-{action.pk}", f"cancel-action-{action.pk}"
        action_rows.append(
            {
                "action": action,
                "complete_form": page_forms.get(complete_prefix)
                or (forms.CompleteActionForm(prefix=complete_prefix) if action.can_complete(user) else None),
                "cancel_form": page_forms.get(cancel_prefix)
                or (
                    forms.ReasonForm(prefix=cancel_prefix)
                    if manager and capa.is_open and action.status == CapaAction.Status.OPEN
                    else None
                ),
                "open": bound is not None and bound.prefix in {complete_prefix, cancel_prefix},
            }
        )

    context = {
        "capa": capa,
        "stepper": _stepper(capa),
        "timeline": _timeline(capa, findings, nonconformities, actions, checks, rows),
        "findings": findings,
        "nonconformities": nonconformities,
        "action_rows": action_rows,
        "actions_done": sum(1 for a in actions if a.status == CapaAction.Status.DONE),
        "actions_live": sum(1 for a in actions if a.status != CapaAction.Status.CANCELLED),
        "checks": checks,
        "next_step": Capa.Status(next_step) if next_step else None,
        "advance_blockers": capa.blockers_for(next_step, actions, checks) if next_step else [],
        # The signature itself is explained beside the list; the list says what must happen before it.
        "close_blockers": capa.closing_gaps(actions, checks)[:-1],
        "manager": manager,
        "similar": earlier_similar(capa, user),
        "analysis_steps": capa.root_cause_analysis if capa.root_cause_method == Capa.Method.FIVE_WHYS else [],
        "fishbone": _fishbone(capa),
        "open_form": bound.prefix if bound is not None else None,
        "forms": page_forms,
    }
    return render(request, "capa/capa_detail.html", context, status=status)


def _fishbone(capa: Capa) -> list[tuple[str, list[str]]]:
    """The fishbone's causes by 6M category, every category listed (empty ones show as empty bones)."""
    if capa.root_cause_method != Capa.Method.FISHBONE or not isinstance(capa.root_cause_analysis, dict):
        return []
    return [(label, list(capa.root_cause_analysis.get(value, []))) for value, label in CauseCategory.choices]


def _act(
    request: AuthenticatedRequest,
    pk: int,
    form: BaseForm,
    call: Callable[[Capa, dict[str, Any]], Any],
    success: Callable[[Capa], str],
    anchor: str = "",
) -> HttpResponse:
    """A POST on the CAPA page: validate the form, make the one service call, and go back to the page; a refusal
    shows the page again with the form open and the reason next to its field. `success` words the message from the
    CAPA as the call left it."""
    capa = _get_capa(request, pk)
    if form.is_valid() and run_service(form, lambda: call(capa, form.cleaned_data)) is not None:
        capa.refresh_from_db()
        messages.success(request, success(capa))
        return redirect(capa.get_absolute_url() + anchor)
    capa.refresh_from_db()
    return _detail_page(request, capa, bound=form, status=400)


@require_POST
@role_required()
def analysis(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    fields = ("root_cause_method", "root_cause_analysis", "root_cause", "cause_category")
    return _act(
        request,
        pk,
        forms.AnalysisForm(request.POST, prefix="analysis"),
        lambda capa, data: services.capa_update(actor=request.user, capa=capa, **{name: data[name] for name in fields}),
        lambda capa: "Saved the root-cause analysis.",
        "#analysis",
    )


@require_POST
@role_required()
def edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    fields = ("title", "problem", "severity", "owner", "due_date", "department")
    return _act(
        request,
        pk,
        forms.CapaEditForm(request.POST, prefix="edit"),
        lambda capa, data: services.capa_update(
            actor=request.user, capa=capa, reason=data["reason"], **{name: data[name] for name in fields}
        ),
        lambda capa: f"Saved {capa.reference}.",
    )


@require_POST
@role_required()
def containment(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        forms.ContainmentForm(request.POST, prefix="containment"),
        lambda capa, data: services.capa_update(actor=request.user, capa=capa, containment=data["containment"]),
        lambda capa: "Saved the containment.",
        "#containment",
    )


@require_POST
@role_required()
def advance(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    def call(capa: Capa, data: dict[str, Any]) -> Capa:
        return services.capa_advance(
            actor=request.user,
            capa=capa,
            to=data["to"],
            planned_date=data["planned_date"],
            criteria=data["criteria"],
        )

    def success(capa: Capa) -> str:
        moved = f"{capa.reference} moved to {capa.get_status_display().lower()}."
        if capa.status == Capa.Status.VERIFYING:
            return f"{moved} The effectiveness check is planned; a quality manager signs it."
        return moved

    return _act(request, pk, forms.AdvanceForm(request.POST, prefix="advance"), call, success)


@require_POST
@role_required()
def verify(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    def call(capa: Capa, data: dict[str, Any]) -> Capa:
        return services.capa_verify(
            actor=request.user,
            capa=capa,
            effective=data["result"] == EffectivenessCheck.Result.EFFECTIVE,
            password=data["password"],
            comment=data["comment"],
            ip=client_ip(request),
        )

    return _act(
        request,
        pk,
        forms.VerifyForm(request.POST, prefix="verify"),
        call,
        lambda capa: (
            f"Signed effective: {capa.reference} is closed."
            if capa.status == Capa.Status.CLOSED
            else f"Signed not effective: {capa.reference} is back in investigating, the failed check kept."
        ),
    )


@require_POST
@role_required()
def cancel(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        forms.ReasonForm(request.POST, prefix="cancel"),
        lambda capa, data: services.capa_cancel(actor=request.user, capa=capa, reason=data["reason"]),
        lambda capa: f"{capa.reference} was cancelled.",
    )


@require_POST
@role_required()
def add_action(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        forms.ActionForm(request.POST, user=request.user, prefix="action"),
        lambda capa, data: services.action_create(actor=request.user, capa=capa, **data),
        lambda capa: "Action planned.",
        "#actions",
    )


def _get_action(capa: Capa, action_pk: int) -> CapaAction:
    action = get_object_or_404(capa.actions.select_related("owner", "document"), pk=action_pk)
    action.capa = capa
    return action


@require_POST
@role_required()
def complete_action(request: AuthenticatedRequest, pk: int, action_pk: int) -> HttpResponse:
    def call(capa: Capa, data: dict[str, Any]) -> CapaAction:
        action = _get_action(capa, action_pk)
        return services.action_complete(
            actor=request.user, action=action, evidence=data["evidence"], files=data["file"]
        )

    form = forms.CompleteActionForm(request.POST, request.FILES, prefix=f"complete-{action_pk}")
    return _act(request, pk, form, call, lambda capa: "Action done.", f"#action-{action_pk}")


@require_POST
@role_required()
def cancel_action(request: AuthenticatedRequest, pk: int, action_pk: int) -> HttpResponse:
    def call(capa: Capa, data: dict[str, Any]) -> CapaAction:
        action = _get_action(capa, action_pk)
        return services.action_cancel(actor=request.user, action=action, reason=data["reason"])

    form = forms.ReasonForm(request.POST, prefix=f"cancel-action-{action_pk}")
    return _act(request, pk, form, call, lambda capa: "Action cancelled; the reason is kept.", f"#action-{action_pk}")


@role_required()
def evidence_download(request: AuthenticatedRequest, pk: int, file_pk: int) -> FileResponse:
    capa = _get_capa(request, pk)
    evidence = get_object_or_404(ActionEvidenceFile, pk=file_pk, action__capa=capa)
    response = FileResponse(evidence.file.open("rb"), content_type=evidence.content_type)
    response["Content-Disposition"] = content_disposition(evidence.original_filename)
    response["Digest"] = digest_header(evidence.sha256)
    response["X-Content-Type-Options"] = "nosniff"
    return response


@role_required()
def history(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    capa = _get_capa(request, pk)
    actions = list(capa.actions.all())
    for action in actions:
        action.capa = capa
    files = list(ActionEvidenceFile.objects.filter(action__capa=capa).select_related("action__capa"))
    records = [capa, *actions, *capa.effectiveness_checks.select_related("capa"), *files]
    return render_history(request, *records, title=f"History of {capa}", back_url=capa.get_absolute_url())


@role_required()
def summary_pdf(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The CAPA on paper for an auditor: the whole record with its signatures, rendered now (it is short)."""
    capa = _get_capa(request, pk)
    response = HttpResponse(report.render_summary(capa, generated_by=request.user), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition(report.file_name(capa))
    response["X-Content-Type-Options"] = "nosniff"
    return response
