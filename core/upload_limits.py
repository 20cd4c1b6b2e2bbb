"""Refuse a request whose declared body is over its path's limit before a byte of it is read.

Without this, DRF hands a JSON body to the parser however large it is, and Django's multipart parser spools
every file over FILE_UPLOAD_MAX_MEMORY_SIZE to a temporary file before any view can refuse it: a 90 MB POST to
`register` filled the disk for nothing. The limits come from settings.REQUEST_BODY_LIMITS (first matching path
pattern wins; `None` leaves the path to its view) and REQUEST_BODY_MAX_BYTES for every other path.

A body sent without Content-Length (chunked) is never read by Django (it sees an empty body), so only the
declared length needs checking here.
"""

import re
from functools import lru_cache

from django.conf import settings
from django.http import HttpResponse, JsonResponse

from .exceptions import error_body

PAYLOAD_TOO_LARGE = "payload_too_large"


@lru_cache(maxsize=8)
def _compiled(limits: tuple) -> tuple:
    return tuple((re.compile(pattern), limit) for pattern, limit in limits)


def body_limit_for(path: str) -> int | None:
    """The most bytes a request to `path` may declare; None when the view enforces its own limit."""
    for pattern, limit in _compiled(tuple(settings.REQUEST_BODY_LIMITS)):
        if pattern.match(path):
            return limit
    return settings.REQUEST_BODY_MAX_BYTES


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.3g} MB" if size >= 1024 * 1024 else f"{size // 1024} KB"


class RequestBodyLimitMiddleware:
    """413 `payload_too_large` when Content-Length is over the path's limit (the body stays unread)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = 0  # Django reads such a body as empty too
        if declared:
            limit = body_limit_for(request.path_info)
            if limit is not None and declared > limit:
                return self._too_large(request, limit)
        return self.get_response(request)

    @staticmethod
    def _too_large(request, limit: int) -> HttpResponse:
        detail = f"The request body is larger than this endpoint accepts ({_megabytes(limit)})."
        if request.path_info.startswith("/api/"):
            return JsonResponse(error_body(PAYLOAD_TOO_LARGE, detail), status=413)
        return HttpResponse(detail, status=413, content_type="text/plain; charset=utf-8")
