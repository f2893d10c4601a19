"""The upload size limit, enforced while the request body arrives instead of after it has been stored.

Django stores an upload (in memory, or in a temporary file past FILE_UPLOAD_MAX_MEMORY_SIZE) before any view runs, so
checking the size in `inspect_upload` alone meant a 2 GB body was first written to disk in full. `UploadLimitHandler`
comes first in FILE_UPLOAD_HANDLERS and sees every chunk before Django's own handlers store it:

- a multipart request whose Content-Length is over the limit, plus `FORM_FIELDS_ALLOWANCE` for the other fields, has
  none of its files stored at all (one request carries at most the limit, however many files it holds);
- a file whose bytes pass the limit as they arrive is stored no further, and what was stored of it is deleted.

The rest of such a file is still read from the connection and dropped, not cut off: the other fields (the CSRF token
among them) still arrive, and the browser, which shows a reset connection as a network error, gets the page with
the message. Bodies far past any limit are the proxy's to refuse (nginx `client_max_body_size`, docker-compose.yml).

A refused file is not left out of request.FILES, where a form could not tell it from "no file chosen": it is there as
a `qms.uploads.RefusedUpload` that holds the reason, and `inspect_upload`, which every service that takes a file
calls, raises it as the usual UploadError. So forms show it next to the file field and the API answers 400 naming the
field, with no view of its own for it. A view that takes larger files says so with `@upload_limit(size)`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, StopFutureHandlers
from django.http import HttpRequest

from qms.uploads import RefusedUpload, file_too_large, upload_too_large

# The fields that come with files are texts of some ten thousand characters at most (an idea's four texts); a
# megabyte holds them with their multipart headers many times over, and is nothing next to the file limit.
FORM_FIELDS_ALLOWANCE = 1024 * 1024

View = TypeVar("View", bound=Callable[..., Any])


def upload_limit(max_size: int) -> Callable[[View], View]:
    """Let one view take files up to `max_size` bytes instead of MAX_UPLOAD_SIZE. Put it outermost: the handler finds
    the limit on the view that the URL resolved to."""

    def decorate(view: View) -> View:
        view.max_upload_size = max_size  # type: ignore[attr-defined]
        return view

    return decorate


def _limit_for(request: HttpRequest | None) -> int:
    match = getattr(request, "resolver_match", None)
    limit: int = getattr(match.func, "max_upload_size", settings.MAX_UPLOAD_SIZE) if match else settings.MAX_UPLOAD_SIZE
    return limit


class UploadLimitHandler(FileUploadHandler):
    """Stops storing files past the upload limit and leaves a RefusedUpload in their place (see the module doc)."""

    def __init__(self, request: HttpRequest | None = None) -> None:
        super().__init__(request)
        self.limit = settings.MAX_UPLOAD_SIZE
        self.request_is_too_large = False
        self.refusal: str | None = None

    def handle_raw_input(
        self,
        input_data: Any,
        META: dict[str, Any],
        content_length: int,
        boundary: str,
        encoding: str | None = None,
    ) -> None:
        # The same handler serves a second parse (DRF parses again when the view reads request.data): start afresh.
        self.limit = _limit_for(self.request)
        self.request_is_too_large = content_length > self.limit + FORM_FIELDS_ALLOWANCE
        self.refusal = None

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        self.refusal = None
        if self.request_is_too_large:
            self.refusal = upload_too_large(self.limit)
        elif self.content_length is not None and self.content_length > self.limit:
            self.refusal = file_too_large(self.limit)
        if self.refusal is not None:
            # Django's handlers never hear of this file, so they open nothing for it, in memory or on disk.
            raise StopFutureHandlers

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        if self.refusal is None and start + len(raw_data) > self.limit:
            self.refusal = file_too_large(self.limit)
            self._discard_what_the_next_handlers_stored()
        # None keeps the chunk from the handlers after this one.
        return None if self.refusal is not None else raw_data

    def file_complete(self, file_size: int) -> RefusedUpload | None:
        if self.refusal is None:
            return None  # the next handler hands over the file it stored
        return RefusedUpload(
            name=self.file_name or "file", content_type=self.content_type or "", size=file_size, reason=self.refusal
        )

    def _discard_what_the_next_handlers_stored(self) -> None:
        # Django's handlers keep the file they are writing as `file`, and Django closes them that way when a file is
        # skipped (MultiPartParser._close_files); closing a TemporaryUploadedFile deletes it from the disk.
        if self.request is None:
            return
        handlers = list(self.request.upload_handlers)
        for handler in handlers[handlers.index(self) + 1 :]:
            partial = getattr(handler, "file", None)
            if partial is not None:
                partial.close()
