"""Request ids: one id per request, taken from an incoming `X-Request-ID` (set by the load balancer or the
caller) when it is well-formed, otherwise generated. It is echoed in the response header and added to every
log record emitted while the request is handled, so one request can be followed across the logs of the
proxy, gunicorn and Django."""

import logging
import re
import uuid
from contextvars import ContextVar

REQUEST_ID_HEADER = "X-Request-ID"
_META_KEY = "HTTP_X_REQUEST_ID"
# Letters, digits and a few separators, bounded: a caller cannot inject newlines or megabytes into our logs.
_VALID = re.compile(r"^[A-Za-z0-9._:\-]{1,128}$")

_request_id: ContextVar[str | None] = ContextVar("request_id", default=None)


def request_id_get() -> str | None:
    """The id of the request being handled in this thread/context, or None outside a request."""
    return _request_id.get()


def request_id_from_header(*, value: str | None) -> str:
    if value and _VALID.match(value):
        return value
    return uuid.uuid4().hex


class RequestIdMiddleware:
    """Put it first in MIDDLEWARE so redirects and errors raised by later middleware carry the id too."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = request_id_from_header(value=request.META.get(_META_KEY))
        request.request_id = request_id
        token = _request_id.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            _request_id.reset(token)
        response[REQUEST_ID_HEADER] = request_id
        return response


class RequestIdLogFilter(logging.Filter):
    """Adds `request_id` to every record ("-" outside a request) so formatters can print it.

    Django logs 4xx/5xx responses after the middleware chain has returned, with the request attached to
    the record: its id is taken from there."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", None):
            request = getattr(record, "request", None)
            record.request_id = getattr(request, "request_id", None) or _request_id.get() or "-"
        return True
