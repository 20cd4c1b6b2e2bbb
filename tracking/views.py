"""Public tracking: the JSON API, its live stream, the HTML page a customer opens from the SMS link, and the
home page's tracking-code form."""

from urllib.parse import quote

from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_safe
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from .live import canonical_code
from .presentation import snapshot_context
from .serializers import PublicTrackingSerializer
from .snapshots import tracking_snapshot
from .stream import wsgi_stream


class PublicTrackingView(APIView):
    # Anyone holding the code may look; a stale token in the header must not turn this into a 401.
    authentication_classes = []
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="track_retrieve",
        summary="Public status and timeline of an order, by tracking code",
        auth=[],
        responses={200: PublicTrackingSerializer, 404: OpenApiResponse(description="`not_found`")},
    )
    def get(self, request, tracking_code):
        return Response(tracking_snapshot(code=tracking_code).data)


class _JSONErrors(BaseContentNegotiation):
    """The stream answers `text/event-stream` itself; its errors are JSON whatever the client accepts."""

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type

    def select_parser(self, request, parsers):
        return None


# One event of the stream (OpenAPI 3.0: the event-stream schema describes each event). `update` data is the
# tracking JSON of `track_retrieve`; `page` data (with ?include=page) the page's HTML.
SSE_EVENT = {
    "type": "object",
    "properties": {
        "event": {"type": "string", "enum": ["update", "page"]},
        "id": {"type": "string", "description": "the version of the tracking JSON"},
        "data": {"type": "string"},
        "retry": {"type": "integer", "description": "milliseconds before the client reconnects"},
    },
}


class TrackingStreamView(APIView):
    """Served here by WSGI servers only: under uvicorn, config/asgi.py answers this path before Django."""

    authentication_classes = []
    permission_classes = [AllowAny]
    renderer_classes = [JSONRenderer]
    content_negotiation_class = _JSONErrors

    @extend_schema(
        operation_id="track_stream",
        summary="Live updates of the public tracking JSON (Server-Sent Events)",
        description=(
            "`text/event-stream`. An `update` event whose data is the tracking JSON (as "
            "`GET /api/v1/track/{tracking_code}/`) is sent at once and after every change, whichever web "
            "process made it; its `id` is that JSON's version, so a client reconnecting with "
            "`Last-Event-ID` is not sent what it has. Comment lines keep the connection alive; the server "
            "ends a stream now and then and `retry:` tells the browser when to reconnect."
        ),
        auth=[],
        parameters=[
            OpenApiParameter(
                "include",
                str,
                enum=["page"],
                description="`page`: also a `page` event with the tracking page's re-rendered content",
            )
        ],
        responses={
            (200, "text/event-stream"): OpenApiResponse(SSE_EVENT, description="The event stream"),
            404: OpenApiResponse(description="`not_found`"),
            503: OpenApiResponse(description="`service_unavailable`: the database is briefly unavailable"),
        },
    )
    def get(self, request, tracking_code):
        # Django's own threaded server holds a thread per stream; other WSGI servers only have a few threads.
        hold = request.META.get("SERVER_SOFTWARE", "").startswith("WSGIServer/")
        return wsgi_stream(
            code=tracking_code,
            last_event_id=request.headers.get("Last-Event-ID", ""),
            page="page" in request.GET.getlist("include"),
            hold=hold,
        )


@require_safe
def tracking_page(request, tracking_code):
    """The tracking page: state, estimate and next step first, progress, the timeline newest first; no
    personal data. It updates itself from the stream when the browser runs its script."""
    try:
        snapshot = tracking_snapshot(code=tracking_code)
    except Http404:
        return render(request, "tracking/not_found.html", {"code": tracking_code[:40]}, status=404)
    stream_url = f"/api/v1/track/{quote(canonical_code(tracking_code), safe='')}/stream/?include=page"
    return render(request, "tracking/order.html", {**snapshot_context(snapshot), "stream_url": stream_url})


@require_safe
def home(request):
    """The home page: where a customer types the tracking code from their SMS."""
    return render(request, "home.html")


@require_safe
def tracking_lookup(request):
    """`/track/?code=X` goes to X's page; `/track/` alone (or a blank code) shows the form."""
    code = canonical_code(request.GET.get("code", "")).replace(" ", "")
    if not code:
        return render(request, "home.html", {"blank": "code" in request.GET})
    return redirect(f"/track/{quote(code, safe='')}/")
