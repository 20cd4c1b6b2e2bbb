"""Reads for the public tracking page: an order found by its tracking code, with its timeline."""

from django.db.models import Prefetch
from django.http import Http404

from orders.models import Order, TrackingEvent


def tracking_order_by_code(*, code: str) -> Order:
    """The order behind a tracking code (case-insensitive, as typed from an SMS), events oldest first."""
    code = (code or "").strip().upper()
    if "\x00" in code or len(code) > Order._meta.get_field("tracking_code").max_length:
        raise Http404("No order has this tracking code.")  # PostgreSQL refuses NUL in a lookup
    try:
        return (
            Order.objects.select_related("merchant")
            .prefetch_related(
                Prefetch("events", queryset=TrackingEvent.objects.order_by("occurred_at", "id"))
            )
            .get(tracking_code=code)
        )
    except Order.DoesNotExist:
        raise Http404("No order has this tracking code.") from None
