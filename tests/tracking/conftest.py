import pytest

from orders.services import order_set_status
from tests.factories import order_moved_to, placed_order


@pytest.fixture
def failed_delivery(merchant, customer):
    """An order the courier could not deliver, with a note and a place."""
    order = order_moved_to(
        placed_order(customer=customer, merchant=merchant),
        "confirmed",
        "processing",
        "shipped",
        "in_transit",
        "out_for_delivery",
    )
    order_set_status(order=order, status="delivery_failed", location="Westlands", note="Nobody at the gate")
    return order
