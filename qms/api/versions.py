"""Optimistic concurrency in the API (see `qms.versions`): the answer about one record carries its version as `ETag`;
`PATCH` with `If-Match` saves only over that version and otherwise answers 412 with what changed since. Without
`If-Match` a `PATCH` saves as it always has, so integrations written before versions keep working."""

from __future__ import annotations

from typing import Any

from rest_framework import mixins
from rest_framework.request import Request
from rest_framework.response import Response

from qms.versions import ANY_VERSION, unchanged_since, version_of


class VersionedUpdateMixin(mixins.UpdateModelMixin):
    """`UpdateModelMixin` with `If-Match`, and `ETag` on the record's reads and writes."""

    versioned_record: Any = None

    def get_object(self) -> Any:
        self.versioned_record = super().get_object()  # type: ignore[misc]  # a GenericAPIView's, in every viewset
        return self.versioned_record

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        response: Response = super().retrieve(request, *args, **kwargs)  # type: ignore[misc]
        return _with_etag(response, self.versioned_record)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        with unchanged_since(self.get_object(), versions_in(request.headers.get("If-Match", ""))):
            response = super().update(request, *args, **kwargs)
        return _with_etag(response, self.versioned_record)


def versions_in(if_match: str) -> set[str]:
    """The versions an `If-Match` header accepts: `"12"`, `"12", "13"`, `*`; a weak `W/"12"` or a bare `12` too."""
    versions = set()
    for tag in if_match.split(","):
        tag = tag.strip().removeprefix("W/").strip('"')
        if tag:
            versions.add(tag)
    return versions if ANY_VERSION not in versions else {ANY_VERSION}


def _with_etag(response: Response, record: Any) -> Response:
    if record is not None and response.status_code == 200:
        response["ETag"] = f'"{version_of(record)}"'
    return response
