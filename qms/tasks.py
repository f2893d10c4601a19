"""Background work shared by every module: sending notification emails, tidying old notifications."""

from __future__ import annotations

import logging
import smtplib
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from qms.models import Notification
from qms.outbox import publish_waiting

logger = logging.getLogger(__name__)


@shared_task(
    autoretry_for=(smtplib.SMTPException, ConnectionError, TimeoutError),
    retry_backoff=30,
    retry_backoff_max=3600,
    max_retries=8,
)
def send_notification_email(notification_id: int) -> None:
    """Email one notification. Safe to run twice: a notification already emailed is not sent again."""
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update()
            .select_related("recipient")
            .filter(pk=notification_id, emailed_at__isnull=True)
            .first()
        )
        if notification is None or not notification.recipient.email:
            return
        context = {
            "notification": notification,
            "recipient": notification.recipient,
            "site_name": settings.SITE_NAME,
            "link": _absolute(notification.url),
        }
        text = render_to_string("notifications/email/message.txt", context)
        html = render_to_string("notifications/email/message.html", context)
        # A subject is one header line: a line break in a record's title (the API keeps one) would make Django refuse
        # the whole message, and the person would never get it.
        subject = " ".join(render_to_string("notifications/email/subject.txt", context).split())
        message = EmailMultiAlternatives(subject, text, to=[notification.recipient.email])
        message.attach_alternative(html, "text/html")
        message.send()
        notification.emailed_at = timezone.now()
        notification.save(update_fields=["emailed_at"])
    logger.info("emailed notification %s to user %s", notification_id, notification.recipient_id)


@shared_task
def purge_old_notifications(days: int = 180) -> int:
    """Read notifications older than `days` are deleted; they are messages, the records keep the history."""
    cutoff = timezone.now() - timedelta(days=days)
    deleted, _ = Notification.objects.filter(read_at__isnull=False, created_at__lt=cutoff).delete()
    return deleted


@shared_task
def publish_queued_tasks() -> int:
    """Hand the broker the work that could not be handed over when it was queued (see `qms.outbox`)."""
    return publish_waiting()


def _absolute(path: str) -> str:
    base = str(settings.SITE_URL)
    return base.rstrip("/") + "/" + path.lstrip("/") if path else base


@shared_task(autoretry_for=(smtplib.SMTPException, ConnectionError, TimeoutError), retry_backoff=30, max_retries=8)
def send_invitation_email(user_id: int) -> None:
    """Invite a new user to choose a password, through the password-reset link (valid for PASSWORD_RESET_TIMEOUT)."""
    from django.contrib.auth.tokens import default_token_generator
    from django.urls import reverse
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    from qms.models import User

    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or not user.email:
        return
    path = reverse(
        "password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    context = {"user": user, "site_name": settings.SITE_NAME, "link": _absolute(path)}
    message = EmailMultiAlternatives(
        render_to_string("registration/invitation_subject.txt", context).strip(),
        render_to_string("registration/invitation_email.txt", context),
        to=[user.email],
    )
    message.attach_alternative(render_to_string("registration/invitation_email.html", context), "text/html")
    message.send()
