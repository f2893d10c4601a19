"""The four roles of the domain (spec/domain.md, "Roles"), held as Django groups created by a migration.

This module is the one place that answers "does this user hold that role?": views, API permissions, templates and
services all ask here, so a superuser holding every role is written once.
"""

from django.db import models


class Role(models.TextChoices):
    QUALITY_MANAGER = "quality_manager", "Quality manager"
    AUDITOR = "auditor", "Auditor"
    EMPLOYEE = "employee", "Employee"
    EXTERNAL_AUDITOR = "external_auditor", "External auditor"


def roles_of(user: object) -> frozenset[str]:
    """The role values a user holds; cached on the user object for the rest of the request."""
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return frozenset()
    if getattr(user, "is_superuser", False):
        return frozenset(Role.values)
    cached: frozenset[str] | None = getattr(user, "_qms_roles", None)
    if cached is None:
        prefetched = getattr(user, "role_groups", None)  # lists prefetch these (qms.selectors.users_with_roles)
        if prefetched is not None:
            names = [group.name for group in prefetched]
        else:
            names = list(user.groups.values_list("name", flat=True))  # type: ignore[attr-defined]
        cached = frozenset(name for name in names if name in Role.values)
        user._qms_roles = cached  # type: ignore[attr-defined]
    return cached


def has_role(user: object, *roles: Role | str) -> bool:
    """True if the user holds at least one of the given roles."""
    return not roles_of(user).isdisjoint(str(role) for role in roles)
