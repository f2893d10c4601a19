"""Browser views of the shared base: the dashboard, notifications, clauses, users, history, jobs and health."""

from __future__ import annotations

import sys
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import InterfaceError, OperationalError, connection
from django.db.models import Q
from django.http import FileResponse, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import defaults
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from qms import selectors, services, two_factor
from qms.api.views import job_file_response
from qms.clauses import linked_records
from qms.dashboard import panels_for
from qms.forms import DepartmentForm, UserForm
from qms.history import history_of
from qms.jobs import get_job_for_user
from qms.models import Clause, Notification, User
from qms.permissions import AuthenticatedRequest, role_required
from qms.roles import Role
from qms.sessions import end_sessions_of
from qms.web import run_service, versioned

LIST_PAGE_SIZE = 50


@role_required()
def dashboard(request: AuthenticatedRequest) -> HttpResponse:
    return render(request, "qms/dashboard.html", {"panels": panels_for(request.user)})


@role_required()
def notification_list(request: AuthenticatedRequest) -> HttpResponse:
    notifications = Notification.objects.filter(recipient=request.user)
    if request.GET.get("show") == "unread":
        notifications = notifications.filter(read_at__isnull=True)
    page = Paginator(notifications, LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "qms/notification_list.html", {"page": page, "show": request.GET.get("show", "all")})


@role_required()
def notification_open(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Follow a notification to what it is about, marking it read on the way."""
    notification = get_object_or_404(Notification, pk=pk, recipient=request.user)
    services.notification_mark_read(user=request.user, notification_ids=[notification.pk])
    target = notification.url
    if not target or not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect("notifications")
    return redirect(target)


@role_required()
@require_POST
def notification_mark_read(request: AuthenticatedRequest) -> HttpResponse:
    if request.POST.get("all"):
        ids = None
    else:
        ids = [int(value) for value in request.POST.getlist("notification") if value.isdigit()]
        if not ids:
            messages.warning(request, "Select the notifications to mark as read.")
            return redirect("notifications")
    count = services.notification_mark_read(user=request.user, notification_ids=ids)
    messages.success(request, f"Marked {count} notification{'s' if count != 1 else ''} as read.")
    return redirect("notifications")


@role_required()
def clause_list(request: AuthenticatedRequest) -> HttpResponse:
    return render(request, "qms/clause_list.html", {"clauses": Clause.objects.all()})


@role_required()
def clause_detail(request: AuthenticatedRequest, number: str) -> HttpResponse:
    clause = get_object_or_404(Clause.objects.select_related("parent"), number=number)
    sections = [
        {
            "label": linked.label,
            "records": list(linked.records_for(clause, request.user)[:100]),
            "empty": linked.empty_text,
        }
        for linked in linked_records()
    ]
    children = clause.children.all()
    return render(request, "qms/clause_detail.html", {"clause": clause, "children": children, "sections": sections})


@role_required(Role.QUALITY_MANAGER)
def user_list(request: AuthenticatedRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()
    users = selectors.users_with_roles()
    if query:
        users = users.filter(
            Q(username__icontains=query)
            | Q(first_name__icontains=query)
            | Q(last_name__icontains=query)
            | Q(email__icontains=query)
        )
    page = Paginator(users, LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    # Typing in the search box asks (with HTMX) for the results alone, so the page does not reload around it.
    template = "qms/partials/user_results.html" if request.htmx else "qms/user_list.html"
    return render(request, template, {"page": page, "query": query})


@role_required(Role.QUALITY_MANAGER)
def user_create(request: AuthenticatedRequest) -> HttpResponse:
    form = UserForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = services.user_create(
                actor=request.user,
                username=data["username"],
                email=data["email"],
                password=data["password"] or None,
                roles=data["roles"],
                department=data["department"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                job_title=data["job_title"],
            )
        except ValidationError as error:
            form.add_error("password", error)
        else:
            invited = " An invitation to set a password was emailed." if not data["password"] else ""
            messages.success(request, f"Created the account {user.username}.{invited}")
            return redirect("user-list")
    return render(request, "qms/user_form.html", {"form": form, "creating": True})


@role_required(Role.QUALITY_MANAGER)
def user_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    user = get_object_or_404(User, pk=pk)
    form = versioned(UserForm(request.POST or None, instance=user), user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        changed = {name: data[name] for name in form.changed_data if name not in {"roles", "username", "reason"}}
        saved = run_service(
            form,
            lambda: services.user_update(
                actor=request.user, user=user, roles=data["roles"], reason=data["reason"], **changed
            ),
        )
        if saved is not None:
            messages.success(request, f"Saved the account {user.username}.")
            return redirect("user-list")
    context = {"form": form, "creating": False, "subject": user, "two_factor": two_factor.confirmed_device(user)}
    return render(request, "qms/user_form.html", context)


@role_required(Role.QUALITY_MANAGER)
@require_POST
def user_two_factor_reset(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """For someone who lost their phone: their app is removed and their sessions end; at their next sign-in they set
    up a new one (or, if their role does not require it, sign in with the password alone)."""
    user = get_object_or_404(User, pk=pk)
    if two_factor.reset(user=user):
        end_sessions_of(user)
        messages.success(request, f"Removed the authenticator app of {user.display_name} and ended their sessions.")
    return redirect("user-edit", pk=user.pk)


@role_required(Role.QUALITY_MANAGER)
def user_history(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    user = get_object_or_404(User, pk=pk)
    return render_history(request, user, title=f"History of the account {user.username}", back_url=reverse("user-list"))


def render_history(request: AuthenticatedRequest, *records: Any, title: str, back_url: str) -> HttpResponse:
    """The one history page. Every module shows a record's audit trail through it, after a permission-checked fetch."""
    return render(request, "qms/history.html", {"entries": history_of(*records), "title": title, "back_url": back_url})


@role_required(Role.QUALITY_MANAGER)
def department_list(request: AuthenticatedRequest) -> HttpResponse:
    form = DepartmentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        department = services.department_save(actor=request.user, department=form.instance, reason="Department created")
        messages.success(request, f"Added the department {department.name}.")
        return redirect("department-list")
    departments = selectors.departments_with_member_counts()
    return render(request, "qms/department_list.html", {"departments": departments, "form": form})


@never_cache
@role_required()
@require_GET
def job_progress(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """A job's progress bar. The partial polls this view (HTMX) until the job is done or failed; pages that start a
    job include the same partial, so this view always answers with the partial alone."""
    job = get_job_for_user(request.user, pk)
    return render(request, "qms/partials/job_progress.html", {"job": job})


@role_required()
@require_GET
def job_download(request: AuthenticatedRequest, pk: int) -> FileResponse:
    return job_file_response(get_job_for_user(request.user, pk))


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """A path that matches no page: under /api/ a JSON error, as every API answer is (a malformed id misses the
    route before any API view sees it); elsewhere the site's own page."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Not found."}, status=404)
    return defaults.page_not_found(request, exception)


# What Django raises when the connection to the database broke (InterfaceError: it was already closed).
DatabaseUnavailable = (OperationalError, InterfaceError)
DATABASE_UNAVAILABLE = "The database did not answer; nothing was saved. Try again in a moment."


def server_error(request: HttpRequest) -> HttpResponse:
    """An unexpected failure. When the database stopped answering mid-request (a restart or failover cut the
    connection, or it broke a deadlock by cancelling us) the request's transaction was rolled back: nothing was saved,
    and trying again in a moment will work, so say that (503) instead of "something went wrong" (500).
    Renders without the request's context: its processors would ask the database that just failed."""
    unavailable = isinstance(sys.exc_info()[1], DatabaseUnavailable)
    status = 503 if unavailable else 500
    if request.path.startswith("/api/"):
        detail = DATABASE_UNAVAILABLE if unavailable else "A server error occurred; nothing was saved."
        response: HttpResponse = JsonResponse({"detail": detail}, status=status)
    else:
        response = HttpResponse(render_to_string("503.html" if unavailable else "500.html"), status=status)
    if unavailable:
        response["Retry-After"] = "30"
    return response


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Health for load balancers and compose. Without the database nothing works: "error", 503. Without Redis the site
    still works (sessions live in the database; queued work waits in the outbox, `qms.outbox`): "degraded", 200, so an
    orchestrator does not restart healthy web processes over an outage they cannot mend."""
    checks = {"database": _check_database(), "broker": selectors.broker_status(), "cache": selectors.cache_status()}
    if checks["database"] != "ok":
        return JsonResponse({"status": "error", **checks}, status=503)
    status = "ok" if all(check in {"ok", "not configured"} for check in checks.values()) else "degraded"
    return JsonResponse({"status": status, **checks, "tasks_waiting": selectors.tasks_waiting()})


def _check_database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # noqa: BLE001 - any failure means unhealthy; the health page must not itself fail
        return "error"
    return "ok"
