"""Errors that services raise for a person to read. Views show them as form errors; the API answers 400 or 409."""


class DomainError(Exception):
    """A rule of the domain refused the request (an illegal transition, a missing precondition)."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class ConflictError(DomainError):
    """Someone else changed the record first; the client should reload and try again (HTTP 409)."""


class NotAllowed(DomainError):
    """The user may not do this to this record (HTTP 403); a wrong state or bad input is a plain DomainError (400)."""
