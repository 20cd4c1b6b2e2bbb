"""Request hygiene applied before any view runs."""

from urllib.parse import unquote

from django.http import HttpResponseBadRequest, JsonResponse

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
