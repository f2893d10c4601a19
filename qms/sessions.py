"""Sessions beyond Django's own: the idle timeout kept by activity, an absolute lifetime on top of it (a session kept
alive by activity still ends), and ending every session of a person who is deactivated.

Django already gives a new session key at sign-in (`login` cycles it) and ends a session on a password change. The idle
timeout is `SESSION_COOKIE_AGE` from the session's last save; activity saves it again at most once every
`SESSION_ACTIVITY_SECONDS`, so a session ends between `SESSION_COOKIE_AGE` less that and `SESSION_COOKIE_AGE` after the
last request, and reading pages does not write to the database.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import SESSION_KEY, logout
from django.contrib.auth.views import redirect_to_login
from django.contrib.sessions.models import Session
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone

logger = logging.getLogger(__name__)

SIGNED_IN_AT = "qms_signed_in_at"
ACTIVE_AT = "qms_active_at"


def stamp_sign_in(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    """`user_logged_in` receiver: the moment the absolute lifetime counts from, and the first activity (signing in
    saves the session anyway)."""
    if hasattr(request, "session"):
        request.session[SIGNED_IN_AT] = request.session[ACTIVE_AT] = int(time.time())


class SessionLifetimeMiddleware:
    """Sign out a session older than `SESSION_ABSOLUTE_SECONDS` since sign-in, however active it was; otherwise push
    its idle timeout forward when its last recorded activity is `SESSION_ACTIVITY_SECONDS` old or more (changing the
    session makes `SessionMiddleware` save it with a new expiry)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated and hasattr(request, "session"):
            now = int(time.time())
            signed_in_at = request.session.setdefault(SIGNED_IN_AT, now)
            if now - signed_in_at > settings.SESSION_ABSOLUTE_SECONDS:
                username = request.user.get_username()
                logout(request)
                logger.info("session of %s ended: signed in %s s ago", username, now - signed_in_at)
                ended = f"For safety, a session ends after {settings.SESSION_ABSOLUTE_SECONDS // 3600} hours."
                if request.path.startswith("/api/") or request.headers.get("HX-Request"):
                    return JsonResponse({"detail": f"{ended} Sign in again."}, status=401)
                messages.info(request, f"{ended} Please sign in again.")
                return redirect_to_login(request.get_full_path())
            if now - request.session.get(ACTIVE_AT, 0) >= settings.SESSION_ACTIVITY_SECONDS:
                request.session[ACTIVE_AT] = now
        return self.get_response(request)


def end_sessions_of(user: Any) -> int:
    """Delete every live session of `user` (when they are deactivated); returns how many. Sessions are read one by
    one: the session table does not say whose a session is until it is decoded, and a QMS has hundreds, not millions."""
    ended = 0
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if session.get_decoded().get(SESSION_KEY) == str(user.pk):
            session.delete()
            ended += 1
    if ended:
        logger.info("ended %s sessions of %s", ended, user.get_username())
    return ended
