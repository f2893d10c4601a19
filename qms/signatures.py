"""Electronic signatures shared by every module (21 CFR Part 11 style: the signer re-enters their password).

Signing is two steps so that a failed attempt is kept even though the caller's transaction rolls back:

    signer = verify_signer(user=request.user, password=..., meaning=Signature.Meaning.APPROVED, record=revision)
    with transaction.atomic():
        ...  # lock, check state, change the record
        record_signature(signer, meaning=..., record=revision, content_sha256=revision.sha256)

`verify_signer` runs outside the atomic block: it checks the password, logs and counts failures, and returns a
`VerifiedSigner`, which is the only thing `record_signature` accepts. A signature cannot be recorded without it.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone

from qms.errors import DomainError
from qms.models import Signature, SignatureFailure, User

logger = logging.getLogger("qms.signatures")


class SignatureError(DomainError):
    """The signature was refused; the message is safe to show to the signer."""

    def __init__(self, message: str) -> None:
        super().__init__(message, field="password")


@dataclass(frozen=True)
class VerifiedSigner:
    """A user whose password was checked moments ago. Made only by `verify_signer`."""

    user: User
    verified_at: datetime


def verify_signer(
    *, user: User, password: str, meaning: str, record: models.Model, ip_address: str | None = None
) -> VerifiedSigner:
    """Check the signer's password again. Wrong passwords are logged and, past the limit, lock signing for a while.

    Must not be called inside a transaction that the caller rolls back on failure, or the failure log is lost.
    """
    if not user.is_active:
        raise SignatureError("This account is inactive and cannot sign.")
    since = timezone.now() - settings.SIGNATURE_LOCKOUT
    recent_failures = SignatureFailure.objects.filter(user=user, at__gte=since).count()
    if recent_failures >= settings.SIGNATURE_FAILURE_LIMIT:
        logger.warning("signature refused: user %s is locked out after %s failures", user.pk, recent_failures)
        minutes = int(settings.SIGNATURE_LOCKOUT.total_seconds() // 60)
        raise SignatureError(f"Too many wrong passwords. Signing is locked for up to {minutes} minutes.")
    if not password or not user.check_password(password):
        SignatureFailure.objects.create(
            user=user, meaning=meaning, record_label=str(record)[:300], ip_address=ip_address
        )
        logger.warning("signature refused: wrong password for user %s signing %r as %s", user.pk, record, meaning)
        raise SignatureError("The password is not correct. Nothing was signed.")
    return VerifiedSigner(user=user, verified_at=timezone.now())


def record_signature(
    signer: VerifiedSigner, *, meaning: str, record: models.Model, content_sha256: str, comment: str = ""
) -> Signature:
    """Record the signature of a verified signer over `record`, whose signed content hashes to `content_sha256`."""
    if not isinstance(signer, VerifiedSigner):
        raise TypeError("record_signature needs the VerifiedSigner returned by verify_signer.")
    if meaning not in Signature.Meaning.values:
        raise ValueError(f"Unknown signature meaning {meaning!r}.")
    return Signature.objects.create(
        signer=signer.user,
        signer_name=signer.user.display_name,
        signed_at=timezone.now(),
        meaning=meaning,
        content_sha256=content_sha256,
        comment=comment,
        content_type=ContentType.objects.get_for_model(record),
        object_id=record.pk,
    )


def signatures_for(record: models.Model) -> models.QuerySet[Signature]:
    return Signature.objects.filter(
        content_type=ContentType.objects.get_for_model(record), object_id=record.pk
    ).select_related("signer")


def sha256_of_text(text: str) -> str:
    """The digest of a canonical text of what was signed (for records that are not files)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
