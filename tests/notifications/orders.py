"""Orders placed the two ways the outbox sees them: through the service in this process, and through the API
as a customer does (the web side commits, then publishes)."""

import contextlib

from orders.models import Order
from orders.placement import order_place
from tests.conftest import bearer_client
from tests.factories import CustomerFactory

PHONE = "+254712345678"


def place_order(*, customer, product, capture=None, phone=PHONE) -> Order:
    """Place an order; with `capture` (django_capture_on_commit_callbacks) its notifications go out too."""
    with capture(execute=True) if capture else contextlib.nullcontext():
        order, _ = order_place(
            customer=customer,
            items=[{"product": product, "quantity": 1}],
            phone_number=phone,
            shipping_address="Moi Avenue 1, Nairobi",
        )
    return order


def place_order_through_api(*, product, phone: str, customer=None) -> Order:
    """A customer places an order through the API, as in production: the web side commits and publishes."""
    client = bearer_client(customer or CustomerFactory())
    response = client.post(
        "/api/v1/orders/",
        {
            "items": [{"product": str(product.pk), "quantity": 1}],
            "phone_number": phone,
            "shipping_address": "Kenyatta Avenue 5",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    return Order.objects.get(pk=response.json()["id"])
