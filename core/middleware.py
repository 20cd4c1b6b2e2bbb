"""Request hygiene applied before any view runs."""

from datetime import UTC
from urllib.parse import unquote

from django.http import FileResponse, HttpResponseBadRequest, JsonResponse
from django.utils import timezone

from .exceptions import error_body


class RejectNullBytesMiddleware:
    """A NUL byte in the query string is a 400.

    PostgreSQL refuses NUL in text, so such a value would otherwise reach a lookup (`?search=`, a filter)
    and fail as a server error. Request bodies are covered by the serializers' own validators, path
    parameters by their views (UUID converters, the tracking-code lookup).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in unquote(request.META.get("QUERY_STRING", "")):
            if request.path.startswith("/api/"):
                return JsonResponse(error_body("bad_request", "The URL contains a NUL byte."), status=400)
            return HttpResponseBadRequest("The URL contains a NUL byte.")
        return self.get_response(request)


def _in_utc(iterator):
    iterator = iter(iterator)
    while True:
        with timezone.override(UTC):
            chunk = next(iterator, None)
        if chunk is None:
            return
        yield chunk


async def _in_utc_async(iterator):
    iterator = aiter(iterator)
    while True:
        with timezone.override(UTC):
            try:
                chunk = await anext(iterator)
            except StopAsyncIteration:
                return
        yield chunk


class ApiUtcMiddleware:
    """Under /api/ the current time zone is UTC: the contract's timestamps are UTC, while pages, emails and
    the admin show TIME_ZONE. DRF reads (naive input) and writes datetimes in the current time zone; a
    streamed answer (server-sent events) is produced after this returns, so its chunks are made in UTC too.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith("/api/"):
            return self.get_response(request)
        with timezone.override(UTC):
            response = self.get_response(request)
        if response.streaming and not isinstance(response, FileResponse):
            content = response.streaming_content
            response.streaming_content = _in_utc_async(content) if response.is_async else _in_utc(content)
        return response
