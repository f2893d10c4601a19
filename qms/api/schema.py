"""The error answers of the API contract (spec/api.md, "Errors"), declared once for every operation of the schema.

Each operation gets the error statuses it can really answer, unless its view declares its own for that status:
400 when it takes a body or query parameters, or changes state (an illegal transition, a wrong signature password);
415 when it takes a body (sent in a media type it does not read); 401 and 403 when it needs a signed-in user with a
role; 404 when its path names a record or it pages a list; 429 when it is throttled. A 409 (a concurrent change won)
is rare and declared by the views that answer it, with `CONFLICT`. Views with `VersionedUpdateMixin` (qms.api.versions)
declare the `ETag` of their record's reads and writes, `If-Match` on `PATCH`, and its 412 answer.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular import openapi
from drf_spectacular.plumbing import ResolvedComponent
from drf_spectacular.utils import OpenApiResponse

from qms.api.versions import VersionedUpdateMixin

_DETAIL = {
    "type": "object",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
}
_MESSAGES = {"type": "array", "items": {"type": "string"}}
_FIELD_ERRORS = {
    "type": "object",
    "description": 'Messages by field name (`{"title": ["This field is required."]}`); nested fields nest. '
    "A refusal that concerns no one field is under `detail` or `non_field_errors`.",
    "properties": {
        "detail": {"oneOf": [{"type": "string"}, _MESSAGES]},
        "non_field_errors": _MESSAGES,
    },
    "additionalProperties": True,
}
_STALE_VERSION = {
    "type": "object",
    "description": "The record changed after the version in `If-Match`; nothing was saved.",
    "properties": {
        "detail": {"type": "string"},
        "version": {"type": "string", "description": "The current version (also the answer's `ETag`)."},
        "changes": {
            "type": "array",
            "description": "The saves since that version, oldest first.",
            "items": {
                "type": "object",
                "properties": {
                    "by": {"type": "string"},
                    "at": {"type": "string", "format": "date-time"},
                    "reason": {"type": "string"},
                    "fields": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "properties": {
                                "field": {"type": "string"},
                                "before": {"type": "string"},
                                "after": {"type": "string"},
                            },
                            "required": ["field", "before", "after"],
                        },
                    },
                },
                "required": ["by", "at", "reason", "fields"],
            },
        },
    },
    "required": ["detail", "version", "changes"],
}
_COMPONENTS = {"Error": _DETAIL, "ValidationError": _FIELD_ERRORS, "StaleVersion": _STALE_VERSION}
_ETAG = {
    "ETag": {
        "description": "The record's version: send it back in `If-Match` to save only over this version.",
        "schema": {"type": "string"},
    }
}
_IF_MATCH = {
    "name": "If-Match",
    "in": "header",
    "required": False,
    "description": "The `ETag` of the version this change was made from (or `*`). If the record has changed since, "
    "nothing is saved and the answer is 412 with what changed. Without it the change is saved over any version.",
    "schema": {"type": "string"},
}

_DESCRIPTIONS = {
    400: "Invalid input, an illegal state transition, or a wrong signature password.",
    401: "Not authenticated: no token, or one that is not valid.",
    403: "The user's roles do not allow this.",
    404: "No such record, or not visible to this user (a page past the last, for a list).",
    409: "A concurrent change won; fetch the record again and retry.",
    415: "The body is not in a media type the operation reads.",
    429: "Too many requests; try again later.",
}

CONFLICT = OpenApiResponse(
    response={"$ref": "#/components/schemas/Error"},
    description=_DESCRIPTIONS[409],
)

_UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
_VERSIONED_ACTIONS = {"retrieve", "update", "partial_update"}


class AutoSchema(openapi.AutoSchema):
    """drf-spectacular's schema, with the error answers each operation can give."""

    def get_operation(self, *args: Any, **kwargs: Any) -> dict[str, Any] | None:
        operation = super().get_operation(*args, **kwargs)
        if operation is None:
            return None
        for name, schema in _COMPONENTS.items():
            self.registry.register_on_missing(
                ResolvedComponent(name=name, type=ResolvedComponent.SCHEMA, object=name, schema=schema)
            )
        responses = operation.setdefault("responses", {})
        for status in self._error_statuses(operation):
            declared = responses.setdefault(str(status), _response(status))
            # A view that words its own answer (`404: OpenApiResponse(description=…)`) still answers the shared body.
            declared.setdefault("content", _response(status)["content"])
        if isinstance(self.view, VersionedUpdateMixin) and getattr(self.view, "action", None) in _VERSIONED_ACTIONS:
            self._declare_versions(operation)
        return operation

    def _declare_versions(self, operation: dict[str, Any]) -> None:
        responses = operation["responses"]
        if "200" in responses:
            responses["200"].setdefault("headers", {}).update(_ETAG)
        if self.method in {"PATCH", "PUT"}:
            operation.setdefault("parameters", []).append(_IF_MATCH)
            responses["412"] = {
                "description": _STALE_VERSION["description"],
                "headers": _ETAG,
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/StaleVersion"}}},
            }

    def _error_statuses(self, operation: dict[str, Any]) -> list[int]:
        parameters = operation.get("parameters", [])
        statuses = []
        if (
            self.method in _UNSAFE_METHODS
            or "requestBody" in operation
            or any(parameter["in"] == "query" for parameter in parameters)
        ):
            statuses.append(400)
        if "requestBody" in operation:
            statuses.append(415)
        # No requirement means no authentication at all, and `{}` among them means it is optional.
        security = self.get_auth()
        if security and {} not in security:
            statuses += [401, 403]
        if any(parameter["in"] == "path" for parameter in parameters) or self._pages_a_list():
            statuses.append(404)
        if getattr(self.view, "throttle_classes", None):
            statuses.append(429)
        return statuses

    def _pages_a_list(self) -> bool:
        return self.method == "GET" and self._is_list_view() and self._get_paginator() is not None


def _response(status: int) -> dict[str, Any]:
    name = "ValidationError" if status == 400 else "Error"
    return {
        "description": _DESCRIPTIONS[status],
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{name}"}}},
    }
