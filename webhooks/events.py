"""Applying a verified, validated event to the merchant's orders, through the orders app's services only."""

from datetime import datetime

from django.utils import timezone

from core.errors import DomainError
from orders.lifecycle import OrderStatus
from orders.models import EventSource, Order
from orders.placement import order_create_external
from orders.services import order_payment_report, order_status_report

from .errors import WebhookError


def _not_after_now(moment: datetime) -> datetime:
    # A sender's clock ahead of ours (or a local time sent as UTC) must not make every later,
    # correct report look older than this one.
    return min(moment, timezone.now())


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
        payment_status=data.get("payment_status"),
        estimated_delivery=data.get("estimated_delivery"),
        language=data.get("language"),
    )
    return (201 if created else 200), order


def _order_reported(
    *, merchant, external_id: str, service=order_status_report, **report
) -> tuple[int, Order]:
    """The platform's report applied by the orders service (a status by default, or a payment status):
    steps it skipped are implied, a repeat changes nothing, a late one is only filed."""
    try:
        order = service(
            merchant=merchant,
            external_id=external_id,
            source=EventSource.WEBHOOK,
            allow_implied=True,
            **report,
        )
    except Order.DoesNotExist:
        raise DomainError(
            WebhookError.UNKNOWN_ORDER,
            f"No order with external_id {external_id!r} was created for this merchant.",
        ) from None
    return 200, order


def _order_status_updated(*, merchant, event: dict) -> tuple[int, Order]:
    data = event["data"]
    return _order_reported(
        merchant=merchant,
        external_id=data["external_id"],
        status=data["status"],
        occurred_at=_not_after_now(data["occurred_at"]),
        location=data.get("location", ""),
        note=data.get("note", ""),
        estimated_delivery=data.get("estimated_delivery"),
    )


def _order_cancelled(*, merchant, event: dict) -> tuple[int, Order]:
    data = event["data"]
    return _order_reported(
        merchant=merchant,
        external_id=data["external_id"],
        status=OrderStatus.CANCELLED,
        note=data.get("reason", ""),
    )


def _order_payment_updated(*, merchant, event: dict) -> tuple[int, Order]:
    # The event carries no time of its own: the envelope's timestamp orders payment reports.
    data = event["data"]
    return _order_reported(
        merchant=merchant,
        external_id=data["external_id"],
        service=order_payment_report,
        payment_status=data["payment_status"],
        reference=data.get("reference", ""),
        occurred_at=_not_after_now(event["timestamp"]),
    )


EVENT_HANDLERS = {
    "order.created": _order_created,
    "order.status_updated": _order_status_updated,
    "order.cancelled": _order_cancelled,
    "order.payment_updated": _order_payment_updated,
}


def webhook_event_apply(*, merchant, event: dict) -> tuple[int, Order]:
    """Apply one validated event; returns (HTTP status, order). Call inside a transaction."""
    return EVENT_HANDLERS[event["type"]](merchant=merchant, event=event)
