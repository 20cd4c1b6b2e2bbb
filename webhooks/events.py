"""Applying a verified, validated event to the merchant's orders, through the orders app's services only."""

from collections import deque
from datetime import datetime

from django.utils import timezone

from core.errors import ApiError
from orders.errors import OrderError
from orders.lifecycle import TRANSITIONS, OrderStatus
from orders.models import EventSource, Order
from orders.services import order_cancel, order_create_external, order_set_status

from .errors import WebhookError

S = OrderStatus
# The path an order takes when nothing goes wrong. Platforms often report only some of these steps
# (pending, then shipped); the steps they skip are filled in along this path and nowhere else.
MAIN_PATH = (S.PENDING, S.CONFIRMED, S.PROCESSING, S.SHIPPED, S.IN_TRANSIT, S.OUT_FOR_DELIVERY, S.DELIVERED)
_FILLABLE = frozenset(MAIN_PATH) - {S.DELIVERED}


def forward_path(*, current: str, target: str) -> list[str] | None:
    """The statuses to walk from `current` to `target` (target included), or None when it cannot be reached.

    The shortest path in the lifecycle map whose intermediate steps all lie on the main path: a reported
    `shipped` for a `pending` order walks confirmed, processing, shipped; a reported `returned` for an
    `in_transit` order is refused rather than inventing a failed delivery.
    """
    if current == target:
        return []
    previous: dict[str, str] = {}
    queue = deque([current])
    while queue:
        node = queue.popleft()
        for step in TRANSITIONS.get(node, ()):
            if step in previous or step == current:
                continue
            previous[step] = node
            if step == target:
                path = [step]
                while previous[path[-1]] != current:
                    path.append(previous[path[-1]])
                return path[::-1]
            if step in _FILLABLE:
                queue.append(step)
    return None


def _not_after_now(moment: datetime) -> datetime:
    # A sender's clock ahead of ours (or a local time sent as UTC) must not make every later,
    # correct report look older than this one.
    return min(moment, timezone.now())


def _order_locked(*, merchant, external_id: str) -> Order:
    order = Order.objects.select_for_update().filter(merchant=merchant, external_id=external_id).first()
    if order is None:
        raise ApiError(
            WebhookError.UNKNOWN_ORDER,
            f"No order with external_id {external_id!r} was created for this merchant.",
            status=404,
        )
    return order


def _order_created(*, merchant, event: dict) -> tuple[int, Order]:
    data = event["data"]
    customer = data["customer"]
    order, created = order_create_external(
        merchant=merchant,
        external_id=data["external_id"],
        customer_name=customer["name"],
        phone_number=customer["phone"],
        email=customer.get("email", ""),
        shipping_address=data["shipping_address"],
        items=[
            {
                "sku": item.get("sku", ""),
                "name": item["name"],
                "quantity": item["quantity"],
                "unit_price": item["unit_price"],
            }
            for item in data["items"]
        ],
        currency=data.get("currency"),
        status=data.get("status"),
        occurred_at=_not_after_now(event["timestamp"]),
    )
    return (201 if created else 200), order


def _order_status_updated(*, merchant, event: dict) -> tuple[int, Order]:
    data = event["data"]
    target = data["status"]
    occurred_at = _not_after_now(data["occurred_at"])
    location, note = data.get("location", ""), data.get("note", "")
    order = _order_locked(merchant=merchant, external_id=data["external_id"])
    latest = order.events.order_by("-occurred_at").values_list("occurred_at", flat=True).first()

    if latest is not None and occurred_at < latest:
        # A late report: the orders service files it in the timeline without moving the status back.
        order_set_status(
            order=order,
            status=target,
            location=location,
            note=note,
            occurred_at=occurred_at,
            source=EventSource.WEBHOOK,
        )
        return 200, order
    path = forward_path(current=order.status, target=target)
    if path is None:
        detail = (
            f"The order is {order.status}, which is final."
            if not TRANSITIONS.get(order.status)
            else f"An order cannot move from {order.status} to {target}."
        )
        raise ApiError(OrderError.INVALID_TRANSITION, detail, status=409)
    for step in path:
        last = step == target
        order_set_status(
            order=order,
            status=step,
            location=location if last else "",
            note=note if last else f"Implied by the platform reporting {target}.",
            occurred_at=occurred_at,
            source=EventSource.WEBHOOK,
        )
    return 200, order


def _order_cancelled(*, merchant, event: dict) -> tuple[int, Order]:
    data = event["data"]
    order = _order_locked(merchant=merchant, external_id=data["external_id"])
    if order.status != OrderStatus.CANCELLED:
        order_cancel(order=order, reason=data.get("reason", ""), source=EventSource.WEBHOOK)
    return 200, order


EVENT_HANDLERS = {
    "order.created": _order_created,
    "order.status_updated": _order_status_updated,
    "order.cancelled": _order_cancelled,
}


def webhook_event_apply(*, merchant, event: dict) -> tuple[int, Order]:
    """Apply one validated event; returns (HTTP status, order). Call inside a transaction."""
    return EVENT_HANDLERS[event["type"]](merchant=merchant, event=event)
