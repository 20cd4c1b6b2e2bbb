"""Writes on orders. `order_set_status` is the only place an order's status ever changes."""

from collections import OrderedDict
from datetime import datetime
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from catalog.models import Product
from core.errors import ApiError

from .errors import OrderError
from .lifecycle import FINAL_STATUSES, OrderStatus, can_transition
from .models import EventSource, Order, OrderItem, OrderNumber, OrderSource, TrackingEvent
from .signals import order_placed, order_status_changed


def _next_order_number() -> str:
    return f"OT-{OrderNumber.objects.create().pk:08d}"


def _order_for_idempotency_key(*, customer, key: str) -> Order | None:
    return Order.objects.filter(customer=customer, idempotency_key=key).first()


def order_place(
    *,
    customer,
    items: list[dict],
    phone_number,
    shipping_address: str,
    note: str = "",
    email: str = "",
    customer_name: str = "",
    idempotency_key: str | None = None,
) -> tuple[Order, bool]:
    """Place an order from catalog products, taking stock race-free. Returns (order, created).

    Product rows are locked in primary-key order (no deadlock between two buyers of the same products),
    stock is checked under the lock and decremented with F(). A repeated Idempotency-Key returns the
    first order; the unique constraint, not the lookup, is what makes that race-free.
    """
    if idempotency_key:
        existing = _order_for_idempotency_key(customer=customer, key=idempotency_key)
        if existing is not None:
            return existing, False

    quantities: OrderedDict = OrderedDict()
    for item in items:
        product_id = item["product"].pk if hasattr(item["product"], "pk") else item["product"]
        quantities[product_id] = quantities.get(product_id, 0) + int(item["quantity"])

    try:
        with transaction.atomic():
            products = list(
                Product.objects.select_for_update()
                .select_related("merchant")
                .filter(pk__in=quantities)
                .order_by("pk")
            )
            unavailable = set(quantities) - {p.pk for p in products if p.is_active and p.merchant.is_active}
            if unavailable:
                raise ApiError(
                    OrderError.PRODUCT_UNAVAILABLE,
                    "Some products do not exist or are not for sale.",
                    errors={
                        "items": [f"Product {pk} is not available." for pk in sorted(map(str, unavailable))]
                    },
                )
            if len({p.merchant_id for p in products}) > 1:
                raise ApiError(
                    OrderError.MIXED_MERCHANTS, "All products of an order must belong to one merchant."
                )
            if len({p.currency for p in products}) > 1:
                raise ApiError(
                    OrderError.MIXED_MERCHANTS, "All products of an order must share one currency."
                )
            short = [p for p in products if p.stock < quantities[p.pk]]
            if short:
                raise ApiError(
                    OrderError.INSUFFICIENT_STOCK,
                    "Not enough stock for: " + ", ".join(p.name for p in short) + ".",
                    status=409,
                    extra={
                        "products": [
                            {"product": str(p.pk), "requested": quantities[p.pk], "available": p.stock}
                            for p in short
                        ]
                    },
                )
            for product in products:
                Product.objects.filter(pk=product.pk).update(stock=F("stock") - quantities[product.pk])

            lines = [
                OrderItem(
                    product=p,
                    sku=p.sku,
                    name=p.name,
                    quantity=quantities[p.pk],
                    unit_price=p.price,
                    line_total=p.price * quantities[p.pk],
                )
                for p in products
            ]
            order = Order.objects.create(
                order_number=_next_order_number(),
                merchant=products[0].merchant,
                customer=customer,
                source=OrderSource.API,
                customer_name=customer_name or customer.get_full_name(),
                phone_number=phone_number,
                email=email or customer.email,
                shipping_address=shipping_address,
                note=note,
                currency=products[0].currency,
                total_amount=sum((line.line_total for line in lines), Decimal("0")),
                idempotency_key=idempotency_key or None,
            )
            for line in lines:
                line.order = order
            OrderItem.objects.bulk_create(lines)
            TrackingEvent.objects.create(
                order=order,
                status=OrderStatus.PENDING,
                occurred_at=timezone.now(),
                source=EventSource.API,
                actor=customer,
                note="Order placed.",
            )
            order_placed.send(sender=Order, order=order)
    except IntegrityError:
        if idempotency_key:
            existing = _order_for_idempotency_key(customer=customer, key=idempotency_key)
            if existing is not None:
                return existing, False
        raise
    return order, True


def order_create_external(
    *,
    merchant,
    external_id: str,
    customer_name: str,
    phone_number,
    shipping_address: str,
    items: list[dict],
    email: str = "",
    currency: str | None = None,
    status: str | None = None,
    occurred_at: datetime | None = None,
) -> tuple[Order, bool]:
    """Record an order an e-commerce platform reported (no catalog stock). Returns (order, created).

    `items` are dicts with sku?, name, quantity, unit_price. A known `external_id` returns the existing order.
    """
    existing = Order.objects.filter(merchant=merchant, external_id=external_id).first()
    if existing is not None:
        return existing, False
    initial_status = status or OrderStatus.PENDING
    try:
        with transaction.atomic():
            lines = [
                OrderItem(
                    sku=item.get("sku") or "",
                    name=item["name"],
                    quantity=int(item["quantity"]),
                    unit_price=Decimal(item["unit_price"]),
                    line_total=Decimal(item["unit_price"]) * int(item["quantity"]),
                )
                for item in items
            ]
            order = Order.objects.create(
                order_number=_next_order_number(),
                merchant=merchant,
                source=OrderSource.WEBHOOK,
                external_id=external_id,
                status=initial_status,
                customer_name=customer_name,
                phone_number=phone_number,
                email=email or "",
                shipping_address=shipping_address,
                currency=currency or merchant_default_currency(),
                total_amount=sum((line.line_total for line in lines), Decimal("0")),
                stock_restored=True,  # no catalog stock was taken, so a cancel has nothing to give back
            )
            for line in lines:
                line.order = order
            OrderItem.objects.bulk_create(lines)
            TrackingEvent.objects.create(
                order=order,
                status=initial_status,
                occurred_at=occurred_at or timezone.now(),
                source=EventSource.WEBHOOK,
                note="Order received from the merchant's platform.",
            )
            order_placed.send(sender=Order, order=order)
    except IntegrityError:
        existing = Order.objects.filter(merchant=merchant, external_id=external_id).first()
        if existing is not None:
            return existing, False
        raise
    return order, True


def merchant_default_currency() -> str:
    from django.conf import settings

    return settings.DEFAULT_CURRENCY


def _order_restore_stock(*, order: Order) -> None:
    """Give back the stock an order took, exactly once (guarded by `stock_restored` under the row lock)."""
    if order.stock_restored:
        return
    lines = order.items.filter(product__isnull=False).order_by("product_id")
    for product_id, quantity in lines.values_list("product_id", "quantity"):
        Product.objects.filter(pk=product_id).update(stock=F("stock") + quantity)
    order.stock_restored = True
    order.save(update_fields=["stock_restored", "updated_at"])


def order_set_status(
    *,
    order: Order,
    status: str,
    actor=None,
    location: str = "",
    note: str = "",
    occurred_at: datetime | None = None,
    source: str = EventSource.API,
) -> TrackingEvent:
    """Move an order along the lifecycle, write its timeline event and emit `order_status_changed`.

    An event whose `occurred_at` is older than the order's latest event (a late, out-of-order report)
    is added to the timeline without moving the status back. The signal is sent inside the transaction
    so that receivers write their outbox rows atomically with the change.
    """
    with transaction.atomic():
        locked = Order.objects.select_for_update().get(pk=order.pk)
        latest_at = locked.events.order_by("-occurred_at").values_list("occurred_at", flat=True).first()
        when = occurred_at or timezone.now()
        if occurred_at is not None and latest_at is not None and occurred_at < latest_at:
            return TrackingEvent.objects.create(
                order=locked,
                status=status,
                location=location,
                note=note,
                occurred_at=when,
                source=source,
                actor=actor,
            )
        if not can_transition(locked.status, status):
            detail = (
                f"The order is {locked.status}, which is final."
                if locked.status in FINAL_STATUSES
                else f"An order cannot move from {locked.status} to {status}."
            )
            raise ApiError(OrderError.INVALID_TRANSITION, detail, status=409)
        previous = locked.status
        locked.status = status
        locked.save(update_fields=["status", "updated_at"])
        if status == OrderStatus.CANCELLED:
            _order_restore_stock(order=locked)
        event = TrackingEvent.objects.create(
            order=locked,
            status=status,
            location=location,
            note=note,
            occurred_at=when,
            source=source,
            actor=actor,
        )
        order_status_changed.send(sender=Order, order=locked, event=event, previous_status=previous)
    order.status = locked.status
    order.updated_at = locked.updated_at
    return event


def order_cancel(
    *, order: Order, actor=None, reason: str = "", source: str = EventSource.API
) -> TrackingEvent:
    """Cancel an order (allowed from pending, confirmed, processing); its stock comes back exactly once."""
    return order_set_status(
        order=order, status=OrderStatus.CANCELLED, actor=actor, note=reason, source=source
    )
