"""One error shape for every failure the registry reports:

    {"error": {"status": 404, "code": "not_found", "message": "case not found"}}

``status`` is the HTTP status; ``code`` is a stable machine word; ``message`` is one line for a person.
A user's mistake is a 4xx, a broken environment (database unreachable or locked) a 503, and anything
else a 500 whose message says nothing about the inside. Denied access is a 403 (the object is visible
but the role may not act on it) or a 404 (the object is not visible: the same answer as for an object
that does not exist, so a denial never tells that something exists).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from ..textsafe import one_line

MESSAGE_LIMIT = 300

CODES: dict[int, str] = {
    400: "bad_request", 401: "unauthorised", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
    409: "conflict", 413: "too_large", 415: "unsupported_media_type", 422: "invalid", 429: "rate_limited",
    500: "internal", 503: "unavailable",
}


class ErrorBody(BaseModel):
    status: int
    code: str
    message: str


class ErrorOut(BaseModel):
    """The body of every error response."""

    error: ErrorBody


class ApiError(Exception):
    """An error with its HTTP status; raised by the service layer, rendered by the app."""

    status = 400

    def __init__(self, message: str, status: int | None = None, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        if status is not None:
            self.status = status
        self.headers = headers or {}


class NotFound(ApiError):
    status = 404


class Forbidden(ApiError):
    status = 403


class Conflict(ApiError):
    status = 409


class Unauthorised(ApiError):
    status = 401

    def __init__(self, message: str = "a valid API token is required (Authorization: Bearer TOKEN)") -> None:
        super().__init__(message, headers={"WWW-Authenticate": "Bearer"})


class RateLimited(ApiError):
    status = 429

    def __init__(self, message: str, retry_after: int = 60) -> None:
        super().__init__(message, headers={"Retry-After": str(retry_after)})


def clip(text: str, limit: int = MESSAGE_LIMIT) -> str:
    """One line, at most ``limit`` characters, control characters shown escaped (``textsafe``)."""
    return one_line(" ".join(str(text).split()), limit)


def body(status: int, message: str) -> dict[str, Any]:
    return ErrorOut(error=ErrorBody(status=status, code=CODES.get(status, "error"),
                                    message=clip(message))).model_dump()
