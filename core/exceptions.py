"""Uniform error bodies: every error under /api/ is `{"code", "detail", "errors"?}`, never HTML."""

import logging
import sys

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import SuspiciousOperation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

from .database import database_unavailable, forget_read_only_connections
from .errors import DomainError, ErrorCode

logger = logging.getLogger(__name__)

_DEFAULT_CODES = {
    exceptions.NotAuthenticated: ErrorCode.NOT_AUTHENTICATED,
    exceptions.AuthenticationFailed: ErrorCode.AUTHENTICATION_FAILED,
    exceptions.PermissionDenied: ErrorCode.PERMISSION_DENIED,
    exceptions.NotFound: ErrorCode.NOT_FOUND,
    exceptions.MethodNotAllowed: ErrorCode.METHOD_NOT_ALLOWED,
    exceptions.UnsupportedMediaType: ErrorCode.UNSUPPORTED_MEDIA_TYPE,
    exceptions.ParseError: ErrorCode.PARSE_ERROR,
    exceptions.Throttled: ErrorCode.THROTTLED,
    exceptions.NotAcceptable: "not_acceptable",
}
# DRF/SimpleJWT codes that carry more meaning than the class default.
_PASSTHROUGH_CODES = {"token_not_valid", "user_not_found", "user_inactive", "oidc_unavailable"}


def _first_message(detail) -> str:
    if isinstance(detail, dict):
        for value in detail.values():
            return _first_message(value)
        return ""
    if isinstance(detail, list):
        return _first_message(detail[0]) if detail else ""
    return str(detail)


def error_body(code: str, detail: str, errors=None) -> dict:
    body = {"code": str(code), "detail": detail}
    if errors is not None:
        body["errors"] = errors
    return body


RETRY_AFTER_SECONDS = 5
_UNAVAILABLE_DETAIL = "The service is briefly unavailable. Retry in a few seconds."


def _database_unavailable_logged(request, exc) -> None:
    logger.warning("Database unavailable on %s %s: %s", request.method, request.path, exc, exc_info=exc)
    forget_read_only_connections(exc)


def domain_error_answer(exc: DomainError) -> tuple[int, dict, dict]:
    """The one mapping of a domain error to HTTP: (status, body, headers), for the API's exception handler and
    for the webhook receiver, which answers outside DRF."""
    body = error_body(exc.code, exc.detail, exc.errors)
    body.update(exc.extra)
    headers = {"Retry-After": str(exc.retry_after)} if exc.retry_after else {}
    return exc.http_status, body, headers


def api_exception_handler(exc, context):
    if isinstance(exc, DomainError):
        set_rollback()
        status, body, headers = domain_error_answer(exc)
        return Response(body, status=status, headers=headers)
    if database_unavailable(exc):
        _database_unavailable_logged(context["request"], exc)
        set_rollback()
        return Response(
            error_body(ErrorCode.SERVICE_UNAVAILABLE, _UNAVAILABLE_DETAIL),
            status=503,
            headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
        )
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(as_serializer_error(exc))
    elif isinstance(exc, OverflowError):
        # A date or number from the request that cannot be represented (e.g. year 1 at +20:00, once in UTC).
        exc = exceptions.ValidationError({"non_field_errors": ["A value in the request is out of range."]})
    elif isinstance(exc, SuspiciousOperation):  # e.g. too many form fields, a malformed multipart body
        exc = exceptions.ParseError(str(exc) or "The request is malformed.")

    response = drf_exception_handler(exc, context)
    if response is None:
        return None

    if isinstance(exc, exceptions.ValidationError):
        detail = exc.detail
        if isinstance(detail, dict):
            response.data = error_body(ErrorCode.VALIDATION_ERROR, "Invalid input.", detail)
        else:
            response.data = error_body(
                ErrorCode.VALIDATION_ERROR, _first_message(detail), {"non_field_errors": detail}
            )
    else:
        code = _DEFAULT_CODES.get(type(exc))
        raw_codes = exc.get_codes()
        raw = raw_codes if isinstance(raw_codes, str) else None
        if isinstance(raw_codes, dict):
            # SimpleJWT's errors are {"detail": ..., "code": ...}: the code is the value under "code" (its
            # ErrorDetail's own code is the class default, e.g. authentication_failed for user_inactive).
            code_value = exc.detail.get("code") if isinstance(exc.detail, dict) else None
            raw = str(code_value) if isinstance(code_value, str) else None
        if raw in _PASSTHROUGH_CODES or code is None:
            code = raw or next(
                (c for cls, c in _DEFAULT_CODES.items() if isinstance(exc, cls)), ErrorCode.SERVER_ERROR
            )
        detail = exc.detail
        if isinstance(detail, dict) and "detail" in detail:
            detail = detail["detail"]
        response.data = error_body(code, _first_message(detail))
    return response


def _is_api(request) -> bool:
    return request.path.startswith("/api/")


def handler404(request, exception=None):
    if _is_api(request):
        return JsonResponse(error_body(ErrorCode.NOT_FOUND, "Not found."), status=404)
    from django.views.defaults import page_not_found

    return page_not_found(request, exception, template_name="404.html")


@csrf_exempt  # an unknown path is a 404 whatever the method; CSRF has nothing to protect here
def api_not_found(request, *args, **kwargs):
    """Catch-all under /api/: a JSON 404 even where DEBUG would render Django's HTML page."""
    return JsonResponse(error_body(ErrorCode.NOT_FOUND, "Not found."), status=404)


def service_unavailable(request) -> HttpResponse:
    """503 with Retry-After: JSON under /api/, a short text for pages (the tracking page, the admin)."""
    if _is_api(request):
        response = JsonResponse(error_body(ErrorCode.SERVICE_UNAVAILABLE, _UNAVAILABLE_DETAIL), status=503)
    else:
        response = HttpResponse(_UNAVAILABLE_DETAIL, status=503, content_type="text/plain; charset=utf-8")
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


class ApiExceptionMiddleware:
    """Unhandled exceptions under /api/ answer a JSON 500 (logged with the traceback), also in DEBUG; the
    database being unavailable answers 503 with Retry-After on every path (views outside DRF included)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if database_unavailable(exception):
            _database_unavailable_logged(request, exception)
            return service_unavailable(request)
        if not _is_api(request) or isinstance(exception, Http404):
            return None
        if isinstance(exception, SuspiciousOperation):
            return JsonResponse(error_body(ErrorCode.PARSE_ERROR, "The request is malformed."), status=400)
        logger.exception("Unhandled error on %s %s", request.method, request.path)
        return JsonResponse(error_body(ErrorCode.SERVER_ERROR, "A server error occurred."), status=500)


def handler400(request, exception=None):
    if _is_api(request):
        return JsonResponse(error_body("bad_request", "The request is malformed."), status=400)
    from django.views.defaults import bad_request

    return bad_request(request, exception)


def handler403(request, exception=None):
    if _is_api(request):
        return JsonResponse(error_body(ErrorCode.PERMISSION_DENIED, "Permission denied."), status=403)
    from django.views.defaults import permission_denied

    return permission_denied(request, exception)


def csrf_failure(request, reason=""):
    """CSRF_FAILURE_VIEW: JSON under /api/ (only session-authenticated browser requests are checked)."""
    if _is_api(request):
        return JsonResponse(
            error_body(ErrorCode.PERMISSION_DENIED, f"CSRF check failed: {reason}"), status=403
        )
    from django.views.csrf import csrf_failure as default_csrf_failure

    return default_csrf_failure(request, reason)


def handler500(request):
    # Django calls this while handling the exception: one raised outside a view (a middleware reading the
    # session or the user) that means the database is unavailable is a 503 too.
    exc = sys.exc_info()[1]
    if exc is not None and database_unavailable(exc):
        _database_unavailable_logged(request, exc)
        return service_unavailable(request)
    if _is_api(request):
        return JsonResponse(error_body(ErrorCode.SERVER_ERROR, "A server error occurred."), status=500)
    from django.views.defaults import server_error

    return server_error(request)
