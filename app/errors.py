"""The small set of domain errors services raise; views and socket handlers translate them."""

from __future__ import annotations


class DomainError(Exception):
    """Base of the errors a service raises for the caller to turn into a response."""

    code = "error"

    def __init__(self, message: str = "", field: str | None = None) -> None:
        # A lazy translated string counts as safe HTML for Jinja; messages may embed user
        # input (a file name, an email), so they become plain text and get escaped.
        message = str(message)
        super().__init__(message)
        self.message = message
        self.field = field


class PermissionDenied(DomainError):
    code = "forbidden"


class NotFound(DomainError):
    code = "not_found"


class Invalid(DomainError):
    code = "invalid"


class TooLong(Invalid):
    """Over a length limit: its own error code, so a client can tell it apart."""

    code = "too_long"


class RateLimited(DomainError):
    code = "rate_limited"
