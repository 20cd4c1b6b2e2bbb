"""Writes on orders. `order_set_status` (and `order_cancel`, which goes through the same path) is the only
place an order's status ever changes.

Signals (`order_placed`, `order_status_changed`) are sent INSIDE the transaction: the notifications app
writes its outbox rows atomically with the order change and enqueues the sending on commit.
"""

from collections import OrderedDict
from datetime import datetime
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from catalog.models import Product
from core.errors import ApiError, ErrorCode

from .errors import OrderError
from .lifecycle import CUSTOMER_CANCELLABLE, FINAL_STATUSES, OrderStatus, can_transition
from .models import EventSource, Order, OrderItem, OrderNumber, OrderSource, TrackingEvent
from .signals import order_placed, order_status_changed

# Largest quantity of one line, and largest order total the columns hold (numeric(14, 2)).
MAX_LINE_QUANTITY = 1_000_000
MAX_ORDER_TOTAL = Decimal("999999999999.99")
IDEMPOTENCY_KEY_MAX_LENGTH = Order._meta.get_field("idempotency_key").max_length
# What placing an order reads of the locked products and their merchant (the merchant's name goes into the
# notifications); half the columns, and half the values to convert, on the hot path.
_PLACEMENT_PRODUCT_FIELDS = (
    "merchant_id",
    "sku",
    "name",
    "price",
    "currency",
    "stock",
    "is_active",
    "merchant__is_active",
    "merchant__company_name",
)


def _next_order_number() -> str:
    # The row's auto-increment (a database sequence on PostgreSQL) cannot hand out the same number twice.
    return f"OT-{OrderNumber.objects.create().pk:08d}"


def _order_for_idempotency_key(*, customer, key: str) -> Order | None:
    return Order.objects.filter(customer=customer, idempotency_key=key).first()


def _invalid(field: str, message: str) -> ApiError:
    return ApiError(ErrorCode.VALIDATION_ERROR, message, errors={field: [message]})


def _quantities_by_product(items: list[dict]) -> OrderedDict:
    """{product_pk: total quantity}; a product listed twice is one line with the quantities added."""
    if not items:
        raise _invalid("items", "An order needs at least one item.")
    quantities: OrderedDict = OrderedDict()
    for item in items:
        product = item["product"]
        product_id = getattr(product, "pk", product)
        quantity = item["quantity"]
        if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 1:
            raise _invalid("items", "Every quantity must be a whole number of at least 1.")
        quantities[product_id] = quantities.get(product_id, 0) + quantity
        if quantities[product_id] > MAX_LINE_QUANTITY:
            raise _invalid("items", f"At most {MAX_LINE_QUANTITY} of one product per order.")
    return quantities


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

    Product rows are locked in primary-key order (two buyers of the same products queue instead of
    deadlocking), stock is checked under the lock and decremented with F(). The order, its lines and its
    first timeline event are written in the same transaction, and `order_placed` is sent inside it.
    A repeated `idempotency_key` of the same customer returns the first order; the unique constraint on
    (customer, idempotency_key), not the lookup, is what makes that race-free.
    """
    quantities = _quantities_by_product(items)
    if idempotency_key is not None and len(idempotency_key) > IDEMPOTENCY_KEY_MAX_LENGTH:
        raise ApiError(
            OrderError.INVALID_IDEMPOTENCY_KEY,
            f"The Idempotency-Key may be at most {IDEMPOTENCY_KEY_MAX_LENGTH} characters.",
        )
    idempotency_key = idempotency_key or None
    if idempotency_key:
        existing = _order_for_idempotency_key(customer=customer, key=idempotency_key)
        if existing is not None:
            return existing, False

    try:
        with transaction.atomic():
            products = list(
                Product.objects.select_for_update(of=("self",))
                .select_related("merchant")
                .only(*_PLACEMENT_PRODUCT_FIELDS)
                .filter(pk__in=list(quantities))
                .order_by("pk")
            )
            if idempotency_key:
                # A twin request holding these rows before us has committed by now: answer with its order
                # rather than judging the stock it took.
                existing = _order_for_idempotency_key(customer=customer, key=idempotency_key)
                if existing is not None:
                    return existing, False
            _check_products(products=products, quantities=quantities)
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
            total = sum((line.line_total for line in lines), Decimal("0"))
            if total > MAX_ORDER_TOTAL:
                raise ApiError(OrderError.ORDER_TOO_LARGE, "The order total is larger than we can accept.")
            for product in products:
                Product.objects.filter(pk=product.pk).update(stock=F("stock") - quantities[product.pk])

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
                total_amount=total,
                idempotency_key=idempotency_key,
            )
            for line in lines:
                line.order = order
            OrderItem.objects.bulk_create(lines)
            _attach_lines(order=order, lines=lines)
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
        # Only a twin with the same key (committed while we were inserting) is an expected collision.
        if idempotency_key:
            existing = _order_for_idempotency_key(customer=customer, key=idempotency_key)
            if existing is not None:
                return existing, False
        raise
    return order, True


def _attach_lines(*, order: Order, lines: list[OrderItem]) -> None:
    """Hand the caller the lines just written as if prefetched, so showing the new order reads nothing back.

    This is what `prefetch_related` itself stores; placement is the hot path, one round trip fewer counts.
    """
    items = OrderItem.objects.filter(order=order)
    items._result_cache = lines
    items._prefetch_done = True
    order._prefetched_objects_cache = {"items": items}


def _check_products(*, products: list[Product], quantities: dict) -> None:
    """Raise the client's error when the locked products cannot make one order of these quantities."""
    available = {p.pk for p in products if p.is_active and p.merchant.is_active}
    unavailable = [pk for pk in quantities if pk not in available]
    if unavailable:
        raise ApiError(
            OrderError.PRODUCT_UNAVAILABLE,
            "Some products do not exist or are not for sale.",
            errors={"items": [f"Product {pk} is not available." for pk in sorted(map(str, unavailable))]},
        )
    if len({p.merchant_id for p in products}) > 1:
        raise ApiError(OrderError.MIXED_MERCHANTS, "All products of an order must belong to one merchant.")
    if len({p.currency for p in products}) > 1:
        raise ApiError(OrderError.MIXED_CURRENCIES, "All products of an order must share one currency.")
    short = [p for p in products if p.stock < quantities[p.pk]]
    if short:
        raise ApiError(
            OrderError.INSUFFICIENT_STOCK,
            "Not enough stock for: " + ", ".join(p.name for p in short) + ".",
            status=409,
            extra={
                "products": [
                    {
                        "product": str(p.pk),
                        "name": p.name,
                        "requested": quantities[p.pk],
                        "available": p.stock,
                    }
                    for p in short
                ]
            },
        )


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

    `items` are dicts with sku?, name, quantity, unit_price; the total is the sum of the lines. A known
    `external_id` returns the existing order (the unique (merchant, external_id) constraint settles races).
    `order_placed` is sent inside the transaction, like for API orders.
    """
    initial_status = status or OrderStatus.PENDING
    if initial_status not in OrderStatus.values:
        raise _invalid("status", f"Unknown status {initial_status!r}.")
    if not items:
        raise _invalid("items", "An order needs at least one item.")
    lines = []
    for item in items:
        quantity = item["quantity"]
        try:
            unit_price = Decimal(str(item["unit_price"]))
        except InvalidOperation:
            raise _invalid("items", "Every unit price must be a decimal amount.") from None
        if (
            isinstance(quantity, bool)
            or not isinstance(quantity, int)
            or not 1 <= quantity <= MAX_LINE_QUANTITY
        ):
            raise _invalid("items", f"Every quantity must be a whole number from 1 to {MAX_LINE_QUANTITY}.")
        if not unit_price.is_finite() or unit_price < 0:
            raise _invalid("items", "Every unit price must be a non-negative amount.")
        unit_price = unit_price.quantize(Decimal("0.01"))
        lines.append(
            OrderItem(
                sku=item.get("sku") or "",
                name=item["name"],
                quantity=int(quantity),
                unit_price=unit_price,
                line_total=unit_price * int(quantity),
            )
        )
    total = sum((line.line_total for line in lines), Decimal("0"))
    if total > MAX_ORDER_TOTAL:
        raise ApiError(OrderError.ORDER_TOO_LARGE, "The order total is larger than we can accept.")

    # No lookup first: a new external_id is the common case, and the unique (merchant, external_id)
    # constraint answers for a known one (the insert fails, the savepoint rolls back, the order is read).
    try:
        with transaction.atomic():
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
                currency=currency or settings.DEFAULT_CURRENCY,
                total_amount=total,
                stock_restored=True,  # no catalog stock was taken, so a cancel has nothing to give back
            )
            for line in lines:
                line.order = order
            OrderItem.objects.bulk_create(lines)
            _attach_lines(order=order, lines=lines)
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


def _order_restore_stock(*, order: Order) -> None:
    """Give back the stock an order took, exactly once (guarded by `stock_restored` under the row lock)."""
    if order.stock_restored:
        return
    # Product ids ascending: the same lock order as `order_place`, so a cancel and a placement cannot deadlock.
    lines = order.items.filter(product__isnull=False).order_by("product_id")
    for product_id, quantity in lines.values_list("product_id", "quantity"):
        Product.objects.filter(pk=product_id).update(stock=F("stock") + quantity)
    order.stock_restored = True
    order.save(update_fields=["stock_restored", "updated_at"])


def _order_transition(
    *,
    order: Order,
    status: str,
    actor,
    location: str,
    note: str,
    occurred_at: datetime | None,
    source: str,
    allowed_from: frozenset | None = None,
) -> TrackingEvent:
    if status not in OrderStatus.values:
        raise _invalid("status", f"Unknown status {status!r}.")
    with transaction.atomic():
        # The merchant comes along for the signal's receivers (messages name the shop); only the order is locked.
        locked = Order.objects.select_for_update(of=("self",)).select_related("merchant").get(pk=order.pk)
        latest_at = locked.events.order_by("-occurred_at").values_list("occurred_at", flat=True).first()
        when = occurred_at or timezone.now()
        # A late, out-of-order report belongs on the timeline but must not move the status back.
        late = occurred_at is not None and latest_at is not None and occurred_at < latest_at
        previous = locked.status
        if not late:
            if not can_transition(locked.status, status):
                detail = (
                    f"The order is {locked.status}, which is final."
                    if locked.status in FINAL_STATUSES
                    else f"An order cannot move from {locked.status} to {status}."
                )
                raise ApiError(OrderError.INVALID_TRANSITION, detail, status=409)
            if allowed_from is not None and locked.status not in allowed_from:
                raise ApiError(
                    OrderError.NOT_CANCELLABLE,
                    f"The order is {locked.status}; only the merchant can cancel it now.",
                    status=409,
                )
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
        if late:
            return event
        order_status_changed.send(sender=Order, order=locked, event=event, previous_status=previous)
    order.status = locked.status
    order.stock_restored = locked.stock_restored
    order.updated_at = locked.updated_at
    return event


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
    """Move an order along the lifecycle under a row lock, write its timeline event, emit `order_status_changed`.

    A move the lifecycle forbids is 409 `invalid_transition`. An event whose `occurred_at` is older than the
    order's latest event (a late, out-of-order report) is added to the timeline without moving the status.
    The signal is sent inside the transaction so that receivers write their outbox rows atomically with
    the change. Cancelling gives the stock back exactly once.
    """
    return _order_transition(
        order=order,
        status=status,
        actor=actor,
        location=location,
        note=note,
        occurred_at=occurred_at,
        source=source,
    )


def order_cancel(
    *, order: Order, actor=None, reason: str = "", source: str = EventSource.API
) -> TrackingEvent:
    """Cancel an order (lifecycle: from pending, confirmed, processing); its stock comes back exactly once.

    When the actor is the order's own customer, only pending and confirmed orders may be cancelled
    (409 `not_cancellable` otherwise); merchants, admins and the merchant's platform follow the lifecycle.
    """
    is_own_customer = actor is not None and not actor.is_staff and actor.pk == order.customer_id
    return _order_transition(
        order=order,
        status=OrderStatus.CANCELLED,
        actor=actor,
        location="",
        note=reason,
        occurred_at=None,
        source=source,
        allowed_from=CUSTOMER_CANCELLABLE if is_own_customer else None,
    )


def order_update_contact(
    *, order: Order, phone_number=None, shipping_address: str | None = None, note: str | None = None
) -> Order:
    """Change an order's contact fields; only while it is pending (409 `order_not_editable` after)."""
    fields = {
        name: value
        for name, value in (
            ("phone_number", phone_number),
            ("shipping_address", shipping_address),
            ("note", note),
        )
        if value is not None
    }
    with transaction.atomic():
        locked = Order.objects.select_for_update().get(pk=order.pk)
        if locked.status != OrderStatus.PENDING:
            raise ApiError(
                OrderError.ORDER_NOT_EDITABLE,
                f"The order is {locked.status}; contact details can only change while it is pending.",
                status=409,
            )
        for name, value in fields.items():
            setattr(locked, name, value)
        locked.save(update_fields=[*fields, "updated_at"])
    return locked
