from django.http.request import UnreadablePostError
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.generics import ListAPIView
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import IsActiveMerchant
from core.parsers import JSONParser
from orders.serializers import OrderSerializer

from .filters import WebhookDeliveryFilter
from .models import WebhookDelivery
from .selectors import webhook_delivery_list
from .serializers import (
    WebhookDeliverySerializer,
    WebhookErrorSerializer,
    WebhookEventSchema,
)
from .services import MAX_BODY_BYTES, WebhookAnswer, webhook_receive
from .throttles import WebhookGate


class _AlwaysJSON(BaseContentNegotiation):
    """A platform's Accept header must not turn a delivery into a 406 that is never recorded."""

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


def _read_to_end(stream, limit: int) -> bytes:
    chunks, size = [], 0
    while size < limit:
        chunk = stream.read(limit - size)
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)


def _delivery_read(request) -> tuple[dict[str, str], bytes]:
    """The delivery's headers (lower-cased names) and body, of which at most one byte over the limit is read."""
    meta = request._request.META
    try:
        # One byte over the limit is enough to refuse; the rest is never read into memory.
        if not meta.get("CONTENT_LENGTH") and meta.get("wsgi.input_terminated"):
            # A chunked body (no Content-Length): Django reads such a body as empty, but a server that
            # de-chunks and ends the input (gunicorn does; WSGI's `wsgi.input_terminated`) lets us read it.
            body = _read_to_end(meta["wsgi.input"], MAX_BODY_BYTES + 1)
        else:
            body = request._request.read(MAX_BODY_BYTES + 1)
    except (UnreadablePostError, OSError):
        body = b""
    headers = {name.lower(): value for name, value in request._request.headers.items()}
    return headers, body


def _error(description: str) -> OpenApiResponse:
    return OpenApiResponse(WebhookErrorSerializer, description=description)


class WebhookReceiveView(APIView):
    """Signed order events from a merchant's e-commerce platform (Standard Webhooks)."""

    authentication_classes = []  # the signature is the authentication
    permission_classes = []
    # Throttled inside `webhook_receive` (WebhookGate): the merchant's rate counts only verified deliveries,
    # failures are counted per client address; a DRF throttle here would let anyone spend the merchant's bucket.
    throttle_classes = []
    parser_classes = [JSONParser]  # for the schema only: the raw body is read (and signed) as bytes
    renderer_classes = [JSONRenderer]
    content_negotiation_class = _AlwaysJSON

    @extend_schema(
        operation_id="webhooks_receive",
        summary="Receive a signed order event",
        auth=[],
        request={"application/json": WebhookEventSchema},
        parameters=[
            OpenApiParameter(
                "merchant_id", str, OpenApiParameter.PATH, description="the merchant's id (UUID)"
            ),
            OpenApiParameter("webhook-id", str, OpenApiParameter.HEADER, required=True),
            OpenApiParameter(
                "webhook-timestamp", str, OpenApiParameter.HEADER, required=True, description="Unix seconds"
            ),
            OpenApiParameter(
                "webhook-signature",
                str,
                OpenApiParameter.HEADER,
                required=True,
                description="space-separated `v1,<base64 HMAC-SHA256>` entries",
            ),
        ],
        responses={
            201: OpenApiResponse(OrderSerializer, description="a new order was created"),
            200: OpenApiResponse(
                OrderSerializer, description="an update was applied, or the message is a duplicate"
            ),
            400: _error("invalid_payload (with errors), also for an unsupported event type"),
            401: _error("missing_headers, stale_timestamp or invalid_signature"),
            403: _error("merchant_inactive"),
            404: _error("unknown_merchant or unknown_order"),
            409: _error("invalid_transition"),
            413: _error("payload_too_large"),
            415: _error("unsupported_media_type"),
            429: _error("throttled (see Retry-After)"),
        },
    )
    def post(self, request, merchant_id: str):
        headers, body = _delivery_read(request)
        answer: WebhookAnswer = webhook_receive(
            merchant_id=merchant_id, headers=headers, body=body, gate=WebhookGate(request, self)
        )
        response = Response(answer.body, status=answer.status)
        if answer.retry_after is not None:
            response["Retry-After"] = str(answer.retry_after)
        return response


@extend_schema(summary="Deliveries received for the merchant, accepted or not")
class WebhookDeliveryListView(ListAPIView):
    permission_classes = [IsActiveMerchant]
    serializer_class = WebhookDeliverySerializer
    filterset_class = WebhookDeliveryFilter
    search_fields = ["webhook_id", "event_type"]
    ordering_fields = ["received_at", "status_code"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return WebhookDelivery.objects.none()
        return webhook_delivery_list(merchant=self.request.user.merchant)
