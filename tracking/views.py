"""Public tracking: the JSON API and the HTML page a customer opens from the SMS link."""

from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_safe
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from orders.lifecycle import BAD_END_STATUSES, FINAL_STATUSES, progress_steps, status_label

from .selectors import tracking_order_by_code
from .serializers import PublicTrackingSerializer


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
            "status_label": status_label(order.status),
            "is_final": order.status in FINAL_STATUSES,
            "steps": progress_steps(order.status),
            "is_bad_end": order.status in BAD_END_STATUSES,
            "merchant_name": order.merchant.company_name,
            "events": [
                {
                    "status": event.status,
                    "label": status_label(event.status),
                    "location": event.location,
                    "note": event.note,
                    "occurred_at": event.occurred_at,
                }
                for event in order.events.all()
            ],
        },
    )
