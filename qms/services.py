"""Every write to the shared records: users, departments and notifications. Views, API and commands call these."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from qms.history import stamp
from qms.models import Department, Notification, User
from qms.outbox import enqueue_on_commit
from qms.roles import Role
from qms.sessions import end_sessions_of


@transaction.atomic
def user_create(
    *,
    actor: User | None,
    username: str,
    email: str,
    password: str | None,
    roles: Iterable[str],
    department: Department | None = None,
    first_name: str = "",
    last_name: str = "",
    job_title: str = "",
    active: bool = True,
    reason: str = "Account created",
) -> User:
    """Create an account. With no password the account can only be entered through a password reset (an invitation),
    sent when it has an email and is active (an import brings in people who have left, deactivated, uninvited)."""
    user = User(
        username=username,
        email=email,
        department=department,
        first_name=first_name,
        last_name=last_name,
        job_title=job_title,
        is_active=active,
    )
    if password:
        validate_password(password, user)
        user.set_password(password)
    else:
        user.set_unusable_password()
    stamp(user, actor=actor, reason=reason)
    user.save()
    _set_roles(user, roles, actor=actor)
    if not password and email and active:
        from qms.tasks import send_invitation_email

        enqueue_on_commit(send_invitation_email, user.pk)
    return user


@transaction.atomic
def user_update(
    *,
    actor: User,
    user: User,
    roles: Iterable[str] | None = None,
    reason: str = "Account updated",
    **fields: object,
) -> User:
    """Change a user's details and, if given, their roles. Only the named fields are written."""
    user = User.objects.select_for_update().get(pk=user.pk)
    allowed = {"email", "first_name", "last_name", "job_title", "department", "is_active"}
    unknown = set(fields) - allowed
    if unknown:
        raise ValueError(f"user_update cannot change {', '.join(sorted(unknown))}.")
    deactivated = user.is_active and fields.get("is_active") is False
    for name, value in fields.items():
        setattr(user, name, value)
    stamp(user, actor=actor, reason=reason)
    user.save()
    if deactivated:
        end_sessions_of(user)
    if roles is not None:
        _set_roles(user, roles, actor=actor)
    return user


def _set_roles(user: User, roles: Iterable[str], *, actor: User | None) -> None:
    wanted = sorted(set(roles))
    invalid = [role for role in wanted if role not in Role.values]
    if invalid:
        raise ValueError(f"Unknown roles: {', '.join(invalid)}.")
    current = sorted(user.groups.filter(name__in=Role.values).values_list("name", flat=True))
    if current == wanted:
        return
    stamp(user, actor=actor, reason=f"Roles set to {', '.join(wanted) or 'none'}")
    # The groups come from a migration; get_or_create keeps roles working on a database emptied by hand or by tests.
    user.groups.set([Group.objects.get_or_create(name=name)[0] for name in wanted])
    user.__dict__.pop("_qms_roles", None)


def notify(
    *,
    recipients: Iterable[User],
    kind: str,
    subject: str,
    context: dict[str, object] | None = None,
    url: str = "",
) -> list[Notification]:
    """Tell people something: an entry in each one's notification centre, and an email sent after commit.

    The body is rendered from `templates/notifications/<kind>.txt`; the email task renders the HTML version.
    """
    from qms.tasks import send_notification_email  # tasks import services; import here to avoid a cycle

    notifications = []
    for recipient in {user.pk: user for user in recipients if user.is_active}.values():
        body = render_to_string(f"notifications/{kind}.txt", {"recipient": recipient, **(context or {})}).strip()
        notification = Notification.objects.create(
            recipient=recipient, kind=kind, subject=subject[:200], body=body, url=url
        )
        notifications.append(notification)
        if recipient.email and settings.NOTIFICATION_EMAILS:
            enqueue_on_commit(send_notification_email, notification.pk)
    return notifications


def notification_mark_read(*, user: User, notification_ids: Iterable[int] | None = None) -> int:
    """Mark the user's notifications read (all unread ones when no ids are given). Returns how many changed."""
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notification_ids is not None:
        unread = unread.filter(pk__in=list(notification_ids))
    # Notifications have no history table (they are messages, not records), so a bulk update loses nothing.
    return unread.update(read_at=timezone.now())


@transaction.atomic
def department_save(*, actor: User | None, department: Department, reason: str) -> Department:
    stamp(department, actor=actor, reason=reason)
    department.save()
    return department
