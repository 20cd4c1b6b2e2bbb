"""The order status pipeline: one declarative map, consulted by `order_set_status` and nothing else."""

from django.db import models


class OrderStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    CONFIRMED = "confirmed", "Confirmed"
    PROCESSING = "processing", "Processing"
    SHIPPED = "shipped", "Shipped"
    IN_TRANSIT = "in_transit", "In transit"
    OUT_FOR_DELIVERY = "out_for_delivery", "Out for delivery"
    DELIVERY_FAILED = "delivery_failed", "Delivery failed"
    DELIVERED = "delivered", "Delivered"
    CANCELLED = "cancelled", "Cancelled"
    RETURNED = "returned", "Returned"


S = OrderStatus
TRANSITIONS: dict[str, tuple[str, ...]] = {
    S.PENDING: (S.CONFIRMED, S.CANCELLED),
    S.CONFIRMED: (S.PROCESSING, S.CANCELLED),
    S.PROCESSING: (S.SHIPPED, S.CANCELLED),
    S.SHIPPED: (S.IN_TRANSIT,),
    S.IN_TRANSIT: (S.OUT_FOR_DELIVERY,),
    S.OUT_FOR_DELIVERY: (S.DELIVERED, S.DELIVERY_FAILED),
    S.DELIVERY_FAILED: (S.OUT_FOR_DELIVERY, S.RETURNED),
    S.DELIVERED: (),
    S.CANCELLED: (),
    S.RETURNED: (),
}
FINAL_STATUSES = frozenset(status for status, targets in TRANSITIONS.items() if not targets)
# Statuses in which the customer may still cancel their own order.
CUSTOMER_CANCELLABLE = frozenset({S.PENDING, S.CONFIRMED})


def can_transition(current: str, target: str) -> bool:
    return target in TRANSITIONS.get(current, ())
