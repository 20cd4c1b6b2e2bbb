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


# What each code means, as the API docs show it (core/schema.py: the examples of every error response).
# Every app's `errors.py` has the same two names: ERROR_DETAILS for its codes, and OPERATION_ERRORS, the codes
# each of its operations (by OpenAPI operationId) can answer besides the ones every operation shares.
ERROR_DETAILS = {
    ErrorCode.VALIDATION_ERROR: "The input is not valid: `errors` says which fields and why.",
    ErrorCode.PARSE_ERROR: "The request body is malformed (not JSON, nested too deeply, or a broken form).",
    ErrorCode.NOT_FOUND: "No such object, or not yours.",
    ErrorCode.NOT_AUTHENTICATED: "Authentication credentials were not provided.",
    ErrorCode.AUTHENTICATION_FAILED: "The credentials are not valid (e.g. the password changed since the token "
    "was issued).",
    ErrorCode.PERMISSION_DENIED: "Your account's role or permissions do not allow this.",
    ErrorCode.METHOD_NOT_ALLOWED: "This path does not answer that method.",
    ErrorCode.UNSUPPORTED_MEDIA_TYPE: "The request's Content-Type is not accepted here.",
    ErrorCode.THROTTLED: "Too many requests: retry after the seconds in `Retry-After`.",
    ErrorCode.SERVICE_UNAVAILABLE: "The database is briefly unavailable; nothing was written. Retry after "
    "`Retry-After`.",
    "token_not_valid": "The token is invalid, expired, revoked, or a provider token that does not verify.",
    "user_inactive": "The token's account is deactivated.",
    "user_not_found": "The token's account no longer exists.",
}
OPERATION_ERRORS = {}
