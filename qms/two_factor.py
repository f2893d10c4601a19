"""Two-factor sign-in with an authenticator app (TOTP, RFC 6238, through django-otp).

Open to everyone from the account menu, and required for the roles in `TWO_FACTOR_REQUIRED_ROLES` (quality managers
by default): after the password, such a person sets up an app before going anywhere, and from then on gives a code at
each sign-in. Someone who set an app up is asked for a code whatever their role. The API's token endpoint asks for a
code (`otp`) from the same people. Wrong codes are throttled by django-otp (each failure doubles the wait) and logged.
"""

from __future__ import annotations

import base64
import logging
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

import qrcode
import qrcode.image.svg
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from qms.roles import has_role

logger = logging.getLogger(__name__)

# Set at sign-in: whether the person has an app set up, so each request need not ask the database.
HAS_DEVICE = "qms_two_factor_device"
APP_NAME = "Authenticator app"


def required_for(user: Any) -> bool:
    return has_role(user, *settings.TWO_FACTOR_REQUIRED_ROLES)


def confirmed_device(user: Any) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def remember_device(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    """`user_logged_in` receiver."""
    if hasattr(request, "session"):
        request.session[HAS_DEVICE] = TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def check_code(device: TOTPDevice, code: str, *, user: Any) -> str | None:
    """None when `code` is the device's current one; otherwise why not, for the form."""
    allowed, details = device.verify_is_allowed()
    if not allowed:
        wait = (details or {}).get("locked_until")
        logger.warning("two-factor code refused for %s: throttled", user.get_username())
        until = f" until {wait:%H:%M:%S} UTC" if wait else ""
        return f"Too many wrong codes. Wait{until} and try again."
    if device.verify_token(code.replace(" ", "")):
        return None
    logger.warning("two-factor code refused for %s: wrong code", user.get_username())
    return "That code is not right. Codes change every 30 seconds: type the one your app shows now."


class TwoFactorMiddleware:
    """Keep a signed-in person who owes a code (or an app set-up) on the two-factor pages until they give it.
    After django-otp's `OTPMiddleware`, which says whether this session gave one."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated and not user.is_verified():  # type: ignore[attr-defined]  # set by OTPMiddleware
            has_device = request.session.get(HAS_DEVICE, False)
            if has_device or required_for(user):
                return self._owed(request, has_device) or self.get_response(request)
        return self.get_response(request)

    def _owed(self, request: HttpRequest, has_device: bool) -> HttpResponse | None:
        open_paths = {reverse("two-factor"), reverse("two-factor-setup"), reverse("logout")}
        if request.path in open_paths:
            return None
        if request.path.startswith("/api/") or request.headers.get("HX-Request"):
            return JsonResponse({"detail": "Give your two-factor code in the browser first."}, status=403)
        target = reverse("two-factor" if has_device else "two-factor-setup")
        return redirect(f"{target}?next={quote(request.get_full_path())}")


class CodeForm(forms.Form):
    code = forms.CharField(
        label="Code from your authenticator app",
        max_length=10,
        help_text="Six digits; a new one every 30 seconds.",
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
    )

    def __init__(self, *args: Any, device: TOTPDevice, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.device = device
        self.user = user

    def clean_code(self) -> str:
        code = self.cleaned_data["code"].strip()
        problem = check_code(self.device, code, user=self.user)
        if problem:
            raise forms.ValidationError(problem)
        return code


def _next_page(request: HttpRequest) -> str:
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    allowed = url_has_allowed_host_and_scheme(wanted, allowed_hosts={request.get_host()}, require_https=False)
    return wanted if allowed and wanted.startswith("/") else reverse("dashboard")


def _qr_code(url: str) -> SafeString:
    """The set-up link as an inline SVG QR code (attributes only, so the Content Security Policy lets it show)."""
    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
    svg = image.to_string(encoding="unicode")
    # Safe: qrcode writes only the <svg> element and one <path> of squares; the URL (with the username) is encoded in
    # the squares' geometry, never written out as text or attributes.
    return mark_safe(svg[svg.index("<svg") :])  # noqa: S308


@login_required
@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    device = confirmed_device(request.user)
    if device is None:
        return redirect(f"{reverse('two-factor-setup')}?next={quote(_next_page(request))}")
    form = CodeForm(request.POST or None, device=device, user=request.user)
    if request.method == "POST" and form.is_valid():
        otp_login(request, device)
        logger.info("two-factor sign-in of %s", request.user.get_username())
        return redirect(_next_page(request))
    return render(
        request,
        "registration/two_factor.html",
        {"form": form, "next": _next_page(request)},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def setup(request: HttpRequest) -> HttpResponse:
    user = request.user
    if confirmed_device(user) is not None:
        return render(request, "registration/two_factor_setup.html", {"is_on": True, "required": required_for(user)})
    device, _ = TOTPDevice.objects.get_or_create(user=user, confirmed=False, defaults={"name": APP_NAME})
    form = CodeForm(request.POST or None, device=device, user=user)
    if request.method == "POST" and form.is_valid():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        otp_login(request, device)
        request.session[HAS_DEVICE] = True
        logger.info("two-factor app set up by %s", user.get_username())
        messages.success(
            request, "Two-factor sign-in is on: from now on, give a code from your app after your password."
        )
        return redirect(_next_page(request))
    secret = base64.b32encode(device.bin_key).decode()
    context = {
        "form": form,
        "next": _next_page(request),
        "qr_code": _qr_code(device.config_url),
        "secret": " ".join(secret[index : index + 4] for index in range(0, len(secret), 4)),
        "required": required_for(user),
    }
    return render(request, "registration/two_factor_setup.html", context, status=400 if form.errors else 200)


def reset(*, user: Any) -> int:
    """Remove a person's apps (they lost their phone): they set a new one up at their next sign-in. Returns how many
    were removed. Called by a quality manager from the person's page, who must then also end their sessions."""
    removed, _ = TOTPDevice.objects.filter(user=user).delete()
    logger.info("two-factor apps of %s removed: %s", user.get_username(), removed)
    return removed
