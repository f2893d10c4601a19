"""Errors as the API contract says: 400 with field errors or `detail`, 409 for a lost race; never a 500 for input."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from qms.errors import ConflictError, DomainError, NotAllowed
from qms.versions import StaleVersion


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, StaleVersion):
        return stale_version_response(exc)
    if isinstance(exc, ConflictError):
        return Response({"detail": exc.message}, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, NotAllowed):
        return Response({"detail": exc.message}, status=status.HTTP_403_FORBIDDEN)
    if isinstance(exc, DomainError):
        body: dict[str, object] = {exc.field: [exc.message]} if exc.field else {"detail": exc.message}
        return Response(body, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, DjangoValidationError):
        # Model and service validation speak Django's language; the client gets DRF's field error shape.
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
        exc = ValidationError(detail=detail)
    return drf_exception_handler(exc, context)


def stale_version_response(stale: StaleVersion) -> Response:
    """412: the record changed after the version in `If-Match`. The body says who changed what since, and the
    `ETag` is the current version, to send after the client has looked (or re-read the record)."""
    body = {
        "detail": stale.message,
        "version": stale.current,
        "changes": [
            {
                "by": change.who,
                "at": change.when,
                "reason": change.reason,
                "fields": [
                    {"field": field.label, "before": field.before, "after": field.after} for field in change.fields
                ],
            }
            for change in stale.changes
        ],
    }
    return Response(body, status=status.HTTP_412_PRECONDITION_FAILED, headers={"ETag": f'"{stale.current}"'})
