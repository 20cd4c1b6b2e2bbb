"""The error type every app raises for a client-visible failure with a stable `code`."""

from enum import StrEnum

from rest_framework import status
from rest_framework.exceptions import APIException


class ErrorCode(StrEnum):
    """Codes shared by every app (apps add their own enums in their `errors.py`)."""

    VALIDATION_ERROR = "validation_error"
    NOT_FOUND = "not_found"
    NOT_AUTHENTICATED = "not_authenticated"
    AUTHENTICATION_FAILED = "authentication_failed"
    PERMISSION_DENIED = "permission_denied"
    METHOD_NOT_ALLOWED = "method_not_allowed"
    UNSUPPORTED_MEDIA_TYPE = "unsupported_media_type"
    PARSE_ERROR = "parse_error"
    THROTTLED = "throttled"
    SERVER_ERROR = "server_error"
    SERVICE_UNAVAILABLE = "service_unavailable"


class ApiError(APIException):
    """A domain error: `raise ApiError(OrderError.INVALID_TRANSITION, "...", status=409)`.

    `errors` (optional) is a {field: [messages]} mapping shown to the client as-is.
    """

    status_code = status.HTTP_400_BAD_REQUEST

    def __init__(self, code, detail: str, *, status: int = 400, errors: dict | None = None, extra=None):
        super().__init__(detail=detail, code=str(code))
        self.status_code = status
        self.error_code = str(code)
        self.errors = errors
        self.extra = extra or {}
