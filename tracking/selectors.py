"""Reads for the public tracking page: an order found by its tracking code, with its timeline and its
merchant's public support contact."""

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


def tracking_merchant_contact(*, merchant) -> dict:
    """The support contact a merchant publishes (`{email?, phone?}`, only what is set): business details,
    never the customer's."""
    contact = {}
    if merchant.support_email:
        contact["email"] = merchant.support_email
    if merchant.support_phone:
        contact["phone"] = str(merchant.support_phone)
    return contact
