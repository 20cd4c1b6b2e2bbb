"""Public tracking: the JSON API and the HTML page a customer opens from the SMS link."""

from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_safe
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from orders.lifecycle import FINAL_STATUSES, OrderStatus

from .selectors import tracking_order_by_code
from .serializers import PublicTrackingSerializer

# The happy path shown as a progress bar; delivery_failed sits at out_for_delivery's step.
PROGRESS = [
    OrderStatus.PENDING,
    OrderStatus.CONFIRMED,
    OrderStatus.PROCESSING,
    OrderStatus.SHIPPED,
    OrderStatus.IN_TRANSIT,
    OrderStatus.OUT_FOR_DELIVERY,
    OrderStatus.DELIVERED,
]


def _progress_steps(status: str) -> list[dict]:
    """Steps of the progress bar, or none for an order that left the happy path for good."""
    position = {**{s: i for i, s in enumerate(PROGRESS)}, OrderStatus.DELIVERY_FAILED: 5}.get(status)
    if position is None:
        return []
    return [{"label": step.label, "done": i <= position} for i, step in enumerate(PROGRESS)]


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
        return Response(PublicTrackingSerializer(tracking_order_by_code(code=tracking_code)).data)


@require_safe
def tracking_page(request, tracking_code):
    """The tracking page: status, a timeline oldest first and the merchant's name; no personal data."""
    try:
        order = tracking_order_by_code(code=tracking_code)
    except Http404:
        return render(request, "tracking/not_found.html", {"code": tracking_code[:40]}, status=404)
    return render(
        request,
        "tracking/order.html",
        {
            "order_number": order.order_number,
            "status": order.status,
            "status_label": OrderStatus(order.status).label,
            "is_final": order.status in FINAL_STATUSES,
            "steps": _progress_steps(order.status),
            "is_bad_end": order.status in (OrderStatus.CANCELLED, OrderStatus.RETURNED),
            "merchant_name": order.merchant.company_name,
            "events": [
                {
                    "status": event.status,
                    "label": OrderStatus(event.status).label,
                    "location": event.location,
                    "note": event.note,
                    "occurred_at": event.occurred_at,
                }
                for event in order.events.all()
            ],
        },
    )
