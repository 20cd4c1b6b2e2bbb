"""Placing orders: a customer's from catalog products (`order_place`), a platform's as reported
(`order_create_external`). Both send `order_placed` inside their transaction, so the notifications app writes
its outbox rows atomically with the order and enqueues the sending on commit.
"""

from collections import OrderedDict
from datetime import date, datetime
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from catalog.models import Product
from core.errors import DomainError, ErrorCode
from core.languages import default_language

from .errors import OrderError
from .lifecycle import OrderStatus
from .limits import IDEMPOTENCY_KEY_MAX_LENGTH, MAX_LINE_QUANTITY, UNIT_PRICE_DECIMAL_PLACES, order_total_fits
from .models import (
    EventSource,
    Order,
    OrderEvent,
    OrderEventType,
    OrderItem,
    OrderNumber,
    OrderSource,
    TrackingEvent,
)
from .payments import PaymentStatus
from .signals import order_placed

_CENT = Decimal(1).scaleb(-UNIT_PRICE_DECIMAL_PLACES)
# What placing an order reads of the locked products and their merchant (the merchant's name, and whether
# and where and in what language it is emailed of new orders, go into the notifications); half the columns,
# and half the values to convert, on the hot path.
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
    "merchant__new_order_emails",
    "merchant__user__email",
    "merchant__user__language",
)


def _next_order_number() -> str:
    # The row's auto-increment (a database sequence on PostgreSQL) cannot hand out the same number twice.
    return f"OT-{OrderNumber.objects.create().pk:08d}"


def _order_for_idempotency_key(*, customer, key: str) -> Order | None:
    return Order.objects.filter(customer=customer, idempotency_key=key).first()


def _invalid(field: str, message: str) -> DomainError:
    return DomainError(ErrorCode.VALIDATION_ERROR, message, errors={field: [message]})


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
        raise DomainError(
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
                .select_related("merchant__user")
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
            if not order_total_fits(total):
                raise DomainError(OrderError.ORDER_TOO_LARGE, "The order total is larger than we can accept.")
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
                language=customer.language or default_language(),
                idempotency_key=idempotency_key,
            )
            _lines_write(order=order, lines=lines)
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


def _lines_write(*, order: Order, lines: list[OrderItem]) -> None:
    """Write a new order's lines in one INSERT and hand the caller them as if prefetched, so showing the new
    order reads nothing back (what `prefetch_related` itself stores; on the hot path a round trip counts).
    """
    for line in lines:
        line.order = order
    OrderItem.objects.bulk_create(lines)
    items = OrderItem.objects.filter(order=order)
    items._result_cache = lines
    items._prefetch_done = True
    order._prefetched_objects_cache = {"items": items}


def _check_products(*, products: list[Product], quantities: dict) -> None:
    """Raise the client's error when the locked products cannot make one order of these quantities."""
    available = {p.pk for p in products if p.is_active and p.merchant.is_active}
    unavailable = [pk for pk in quantities if pk not in available]
    if unavailable:
        raise DomainError(
            OrderError.PRODUCT_UNAVAILABLE,
            "Some products do not exist or are not for sale.",
            errors={"items": [f"Product {pk} is not available." for pk in sorted(map(str, unavailable))]},
        )
    if len({p.merchant_id for p in products}) > 1:
        raise DomainError(OrderError.MIXED_MERCHANTS, "All products of an order must belong to one merchant.")
    if len({p.currency for p in products}) > 1:
        raise DomainError(OrderError.MIXED_CURRENCIES, "All products of an order must share one currency.")
    short = [p for p in products if p.stock < quantities[p.pk]]
    if short:
        raise DomainError(
            OrderError.INSUFFICIENT_STOCK,
            "Not enough stock for: " + ", ".join(p.name for p in short) + ".",
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
    payment_status: str | None = None,
    estimated_delivery: date | None = None,
    language: str | None = None,
) -> tuple[Order, bool]:
    """Record an order an e-commerce platform reported (no catalog stock). Returns (order, created).

    The values come validated: the webhook's validation checks every rule of a platform order (limits in
    `orders.limits`) and the database's constraints refuse what slipped past. `items` are dicts with sku?,
    name, quantity, unit_price; the total is the sum of the lines. A known `external_id` returns the existing
    order (the unique (merchant, external_id) constraint settles races). `order_placed` is sent inside the
    transaction, like for API orders. A payment status other than unpaid gets its payment timeline row.
    """
    if not items:
        raise ValueError("An order needs at least one line.")  # a caller's bug: validation refuses it first
    initial_status = status or OrderStatus.PENDING
    payment_status = payment_status or PaymentStatus.UNPAID
    occurred_at = occurred_at or timezone.now()
    lines = []
    for item in items:
        unit_price = Decimal(str(item["unit_price"])).quantize(_CENT)
        lines.append(
            OrderItem(
                sku=item.get("sku") or "",
                name=item["name"],
                quantity=item["quantity"],
                unit_price=unit_price,
                line_total=unit_price * item["quantity"],
            )
        )
    total = sum((line.line_total for line in lines), Decimal("0"))

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
                payment_status=payment_status,
                estimated_delivery=estimated_delivery,
                language=language or default_language(),
                stock_restored=True,  # no catalog stock was taken, so a cancel has nothing to give back
            )
            _lines_write(order=order, lines=lines)
            TrackingEvent.objects.create(
                order=order,
                status=initial_status,
                occurred_at=occurred_at,
                source=EventSource.WEBHOOK,
                note="Order received from the merchant's platform.",
            )
            if payment_status != PaymentStatus.UNPAID:
                OrderEvent.objects.create(
                    order=order,
                    type=OrderEventType.PAYMENT,
                    payment_status=payment_status,
                    occurred_at=occurred_at,
                    source=EventSource.WEBHOOK,
                    note="Reported with the order.",
                )
            order_placed.send(sender=Order, order=order)
    except IntegrityError:
        existing = Order.objects.filter(merchant=merchant, external_id=external_id).first()
        if existing is not None:
            return existing, False
        raise
    return order, True
