"""The one error type services raise for a failure a client can see, and the codes it carries.

A code is declared once, in its app's `errors.py`, with the HTTP status the API answers it with
(`INSUFFICIENT_STOCK = "insufficient_stock", 409`; a bare string is a 400). Services raise
`DomainError(code, detail, errors=...)` and know nothing of HTTP; `core.exceptions.domain_error_answer` is the one
place that turns the error into a status and a body (for the API's exception handler and the webhook receiver).
"""

from enum import StrEnum


class DomainCode(StrEnum):
    """An error code (its value, as clients see it) and the HTTP status it is answered with."""

    def __new__(cls, value: str, http_status: int = 400):
        member = str.__new__(cls, value)
        member._value_ = value
        member.http_status = http_status
        return member


class ErrorCode(DomainCode):
    """Codes shared by every app (apps add their own in their `errors.py`)."""

    VALIDATION_ERROR = "validation_error", 400
    NOT_FOUND = "not_found", 404
    NOT_AUTHENTICATED = "not_authenticated", 401
    AUTHENTICATION_FAILED = "authentication_failed", 401
    PERMISSION_DENIED = "permission_denied", 403
    METHOD_NOT_ALLOWED = "method_not_allowed", 405
    UNSUPPORTED_MEDIA_TYPE = "unsupported_media_type", 415
    PARSE_ERROR = "parse_error", 400
    THROTTLED = "throttled", 429
    SERVER_ERROR = "server_error", 500
    SERVICE_UNAVAILABLE = "service_unavailable", 503
    INVALID_FILE = "invalid_file", 400
    # SimpleJWT's own codes, passed through by the exception handler.
    TOKEN_NOT_VALID = "token_not_valid", 401
    USER_INACTIVE = "user_inactive", 401
    USER_NOT_FOUND = "user_not_found", 401


class DomainError(Exception):
    """A refusal with a stable `code`: `raise DomainError(OrderError.INVALID_TRANSITION, "...")`.

    `errors` (optional) is a {field: [messages]} mapping shown to the client as-is; `extra` adds top-level
    fields to the error body (e.g. the order a duplicate refers to); `retry_after` (seconds) becomes a
    Retry-After header.
    """

    def __init__(
        self,
        code: DomainCode,
        detail: str,
        *,
        errors: dict | None = None,
        extra: dict | None = None,
        retry_after: int | None = None,
    ):
        super().__init__(detail)
        self.code = code
        self.detail = detail
        self.errors = errors
        self.extra = extra or {}
        self.retry_after = retry_after

    @property
    def http_status(self) -> int:
        return self.code.http_status


# What each code means, as the API docs show it (core/schema.py: the examples of every error response).
# Every app's `errors.py` has the same two names: ERROR_DETAILS for its codes, and OPERATION_ERRORS, the codes
# each of its operations (by OpenAPI operationId) can answer besides the ones every operation shares (each
# under the status its code is declared with).
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
    ErrorCode.INVALID_FILE: "The uploaded file is too large or not one of the accepted kinds.",
    ErrorCode.TOKEN_NOT_VALID: "The token is invalid, expired, revoked, or a provider token that does not verify.",
    ErrorCode.USER_INACTIVE: "The token's account is deactivated.",
    ErrorCode.USER_NOT_FOUND: "The token's account no longer exists.",
}
OPERATION_ERRORS = {}
