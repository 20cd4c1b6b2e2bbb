"""What the public timeline says about each event: our own bookkeeping notes in a customer's words, and for a
cancellation only who cancelled it, never the reason typed with it (issue 15: people type addresses and phone
numbers there).
"""

import re

from orders.lifecycle import OrderStatus, status_label
from orders.models import EventSource, TrackingEvent

# The notes orders.services and orders.placement write on rows nobody reported in words; the tests walk both
# paths and check these never reach the public (tests/tracking/test_public_wording.py).
_IMPLIED_NOTE = re.compile(r"^Implied by the platform reporting (?P<status>[a-z_]+)\.$")
_PLATFORM_ORDER_NOTE = "Order received from the merchant's platform."

CANCELLED_BY = {
    "customer": "Cancelled by the customer.",
    "merchant": "Cancelled by the shop.",
    "platform": "Cancelled by the platform.",
}


def cancelled_by(event: TrackingEvent) -> str:
    """Who cancelled: the order's own customer, the shop (its people or its e-commerce platform's webhook)
    or the platform's operators (admins, the system)."""
    order = event.order
    if event.actor_id is not None and event.actor_id == order.customer_id:
        return "customer"
    if event.source == EventSource.WEBHOOK or (
        event.actor_id is not None and event.actor_id == order.merchant.user_id
    ):
        return "merchant"
    return "platform"


def public_note(event: TrackingEvent) -> str:
    """The note a customer may read for `event`."""
    if event.status == OrderStatus.CANCELLED:
        return CANCELLED_BY[cancelled_by(event)]
    implied = _IMPLIED_NOTE.match(event.note)
    if implied and implied["status"] in OrderStatus.values:
        return f"Done before your order was marked “{status_label(implied['status'])}”."
    if event.note == _PLATFORM_ORDER_NOTE:
        return "Order received from the shop."
    return event.note


def public_location(event: TrackingEvent) -> str:
    """A cancellation happens nowhere: whatever was typed with it stays private, like its reason."""
    return "" if event.status == OrderStatus.CANCELLED else event.location
