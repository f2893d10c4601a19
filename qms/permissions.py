"""The one permissions module: every view and endpoint asks here whether the user may go on.

Roles come from `qms.roles`. Object rules (an owner edits their draft, an author never approves their own revision)
live next to the records, in each app's `visible_to()` querysets and `get_<entity>_for_user()` fetch helpers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponseBase
from django_htmx.middleware import HtmxDetails
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request

from qms.models import User
from qms.roles import Role, has_role

STAFF_ROLES = (Role.QUALITY_MANAGER, Role.AUDITOR, Role.EMPLOYEE)
ALL_ROLES = tuple(Role)


class AuthenticatedRequest(HttpRequest):
    """The request a view behind `role_required` receives: its user is always a signed-in `User` (for typing)."""

    user: User
    htmx: HtmxDetails


def acting_user(request: Request) -> User:
    """The signed-in user of an API request that passed the permission classes."""
    user = request.user
    assert isinstance(user, User), "permission classes let only signed-in users through"
    return user


def require_roles(user: Any, roles: Iterable[Role | str]) -> None:
    """Raise PermissionDenied unless the user holds one of `roles`."""
    if not has_role(user, *roles):
        raise PermissionDenied("Your role does not allow this.")


class RoleRequiredMixin(LoginRequiredMixin):
    """For class-based views: sign-in first, then one of `required_roles` (every role when empty)."""

    required_roles: tuple[Role, ...] = ALL_ROLES

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.user.is_authenticated:
            require_roles(request.user, self.required_roles)
        return super().dispatch(request, *args, **kwargs)


def role_required(*roles: Role) -> Callable[[Callable[..., HttpResponseBase]], Callable[..., HttpResponseBase]]:
    """For function views: anonymous visitors go to sign-in; signed-in users need one of `roles` (any role if none).

    An account that holds no role at all sees nothing: roles, not mere sign-in, open the QMS.
    """

    def decorator(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            require_roles(request.user, roles or ALL_ROLES)
            return view(request, *args, **kwargs)

        return login_required(wrapped)

    return decorator


class HasRole(BasePermission):
    """DRF: the view names `required_roles`, or `roles_by_action` for a viewset's actions (falling back to the former).

    A user with no role at all (a bare account) is refused everything but sign-in.
    """

    message = "Your role does not allow this."

    def has_permission(self, request: Request, view: Any) -> bool:
        roles: tuple[Role, ...] | None = getattr(view, "roles_by_action", {}).get(getattr(view, "action", None))
        if roles is None:
            roles = getattr(view, "required_roles", ALL_ROLES)
        return has_role(request.user, *roles)


class RecordBeforeBody(BasePermission):
    """DRF: a write about one record (PATCH or DELETE on it, or an action on it such as `…/approve/`) fetches the record
    through the viewset's permission-checked `get_object()` before anything reads the request's body. A record the
    user may not see then answers 404 (or 403) like every read of it, never a validation error or a 415 that would
    show the action is there to be tried."""

    def has_permission(self, request: Request, view: Any) -> bool:
        if request.method not in SAFE_METHODS and getattr(view, "detail", False) and hasattr(view, "get_object"):
            view.get_object()  # raises Http404 or PermissionDenied, which DRF answers as it answers them anywhere
        return True
