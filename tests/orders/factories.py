"""Orders for tests are made the way users make them: through the services, never by writing rows."""

from orders.models import OrderEvent
from orders.placement import order_create_external, order_place
from orders.services import order_set_status
from tests.factories import CustomerFactory, ProductFactory

ORDER_FIELDS = {
    "id",
    "order_number",
    "status",
    "source",
    "external_id",
    "merchant",
    "customer_name",
    "phone_number",
    "email",
    "shipping_address",
    "items",
    "total_amount",
    "currency",
    "tracking_code",
    "created_at",
    "updated_at",
    "payment_status",
    "estimated_delivery",
    "language",
}
ITEM_FIELDS = {"product", "sku", "name", "quantity", "unit_price", "line_total"}


def order_body(*lines, phone_number="+254712000111", shipping_address="Moi Avenue 1, Nairobi", **extra):
    """A POST /orders/ body from (product, quantity) pairs."""
    return {
        "items": [{"product": str(product.pk), "quantity": quantity} for product, quantity in lines],
        "phone_number": phone_number,
        "shipping_address": shipping_address,
        **extra,
    }


def placed_order(*, customer=None, product=None, quantity=1, **product_kwargs):
    """A pending order placed through `order_place`."""
    customer = customer or CustomerFactory()
    product = product or ProductFactory(**product_kwargs)
    order, _ = order_place(
        customer=customer,
        items=[{"product": product, "quantity": quantity}],
        phone_number="+254712000111",
        shipping_address="Moi Avenue 1, Nairobi",
    )
    return order


def order_moved_to(order, *path):
    """Walk `order` through the given statuses with `order_set_status`."""
    for status in path:
        order_set_status(order=order, status=status)
    order.refresh_from_db()
    return order


def external_order(*, merchant, external_id="EXT-1", **kwargs):
    order, _ = order_create_external(
        merchant=merchant,
        external_id=external_id,
        customer_name="Wanjiru Kamau",
        phone_number="+254712000222",
        shipping_address="Kenyatta Avenue 5, Nairobi",
        items=[{"sku": "X-1", "name": "Kettle", "quantity": 2, "unit_price": "1500.00"}],
        **kwargs,
    )
    return order


def payment_history(order) -> list[tuple[str, str, str]]:
    """The order's payment timeline, oldest first: (payment_status, reference, note)."""
    rows = OrderEvent.objects.filter(order=order, type="payment").order_by("occurred_at", "id")
    return list(rows.values_list("payment_status", "reference", "note"))
