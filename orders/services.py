"""Lifecycle writes on orders: a reported status (with its delivery estimate), a payment status, a cancel,
contact details. Placing orders lives in `placement.py`; the status policy in `lifecycle.py`, the payment
policy in `payments.py`.

`order_status_report` is the one way a status is applied, whoever reports it (a platform, a merchant, an
admin, a customer cancelling), and `_status_move` under it is the only place an order's status changes;
`order_payment_report` is the same for the payment status. Their signals are sent INSIDE the transaction:
the notifications app writes its outbox rows atomically with the change and enqueues the sending on commit.
"""

from datetime import date, datetime

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from catalog.models import Product
from core.errors import DomainError, ErrorCode

from .errors import OrderError
from .lifecycle import CUSTOMER_CANCELLABLE, OrderStatus, can_transition, forward_path, transition_refusal
from .models import EventSource, Order, OrderEvent, OrderEventType, TrackingEvent
from .payments import PaymentStatus, payment_path, payment_refusal
from .signals import order_estimate_changed, order_payment_changed, order_status_changed

# On a report filed without being applied: a newer report of the same kind came first.
LATE_NOTE = "Reported after a newer report; filed, not applied."


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


def _order_locked(*, order: Order | None, merchant, external_id: str | None) -> Order:
    """The order's row, locked; found by instance or by the platform's (merchant, external_id).

    Raises Order.DoesNotExist for an external_id never created. The merchant comes along for the signal's
    receivers (messages name the shop); only the order is locked.
    """
    orders = Order.objects.select_for_update(of=("self",)).select_related("merchant")
    if order is not None:
        return orders.get(pk=order.pk)
    return orders.get(merchant=merchant, external_id=external_id)


def _status_move(*, order: Order, status: str, location: str, note: str, reported: dict) -> TrackingEvent:
    """The only place an order's status changes: one lifecycle step of a locked order, with its timeline row.

    Cancelling gives the stock back exactly once.
    """
    if not can_transition(order.status, status):
        raise DomainError(OrderError.INVALID_TRANSITION, transition_refusal(order.status, status))
    order.status = status
    order.save(update_fields=["status", "updated_at"])
    if status == OrderStatus.CANCELLED:
        _order_restore_stock(order=order)
    return TrackingEvent.objects.create(order=order, status=status, location=location, note=note, **reported)


def order_status_report(
    *,
    order: Order | None = None,
    merchant=None,
    external_id: str | None = None,
    status: str,
    source: str = EventSource.API,
    actor=None,
    occurred_at: datetime | None = None,
    location: str = "",
    note: str = "",
    allow_implied: bool = False,
    allowed_from: frozenset | None = None,
    estimated_delivery: date | None = None,
) -> Order:
    """Apply a status someone reports, under one row lock; returns the order as it now is.

    The order is given, or found by its platform's `merchant` and `external_id` (Order.DoesNotExist when
    unknown). A report whose `occurred_at` is older than the order's latest event (late, out of order) is
    filed on the timeline without moving the status. Otherwise the move must be one lifecycle step (409
    `invalid_transition`) or, with `allow_implied` (a platform's report), a walk along the main path: each
    implied step gets its timeline row, and reporting the status the order has changes nothing. One
    `order_status_changed` is sent per report, carrying the implied steps' events. `allowed_from` narrows
    the statuses the reporter may move the order from (a customer cancelling; 409 `not_cancellable`).

    A new `estimated_delivery` is a timeline row of its own (`OrderEvent`). With a status move it rides on
    `order_status_changed`; alone (the status repeated: a platform's repeat, or the API reporting the status
    the order has) it sends `order_estimate_changed`. A late report's estimate is stale and is not applied.
    """
    if status not in OrderStatus.values:
        message = f"Unknown status {status!r}."
        raise DomainError(ErrorCode.VALIDATION_ERROR, message, errors={"status": [message]})
    with transaction.atomic():
        locked = _order_locked(order=order, merchant=merchant, external_id=external_id)
        # Who reported it and when, on every timeline row the report writes.
        reported = {"occurred_at": occurred_at or timezone.now(), "source": source, "actor": actor}
        if occurred_at is not None:
            latest_at = locked.events.order_by("-occurred_at").values_list("occurred_at", flat=True).first()
            if latest_at is not None and occurred_at < latest_at:
                # A late, out-of-order report belongs on the timeline but must not move the status back.
                TrackingEvent.objects.create(
                    order=locked, status=status, location=location, note=note, **reported
                )
                return locked
        previous = locked.status
        if allow_implied:
            path = forward_path(current=previous, target=status)
        elif status == previous and estimated_delivery is not None:
            path = []  # a new estimate for the status the order has
        else:
            path = [status] if can_transition(previous, status) else None
        if path is None:
            raise DomainError(OrderError.INVALID_TRANSITION, transition_refusal(previous, status))
        if allowed_from is not None and previous not in allowed_from:
            raise DomainError(
                OrderError.NOT_CANCELLABLE,
                f"The order is {previous}; only the merchant can cancel it now.",
            )
        previous_estimate = locked.estimated_delivery
        estimate_event = _estimate_change(
            order=locked, estimated_delivery=estimated_delivery, reported=reported
        )
        if not path:
            # The status repeated: nothing changes but, maybe, the estimate.
            if estimate_event is not None:
                order_estimate_changed.send(
                    sender=Order, order=locked, event=estimate_event, previous_estimate=previous_estimate
                )
            _order_refresh(order=order, locked=locked)
            return locked
        implied_note = f"Implied by the platform reporting {status}."
        implied_events = [
            _status_move(order=locked, status=step, location="", note=implied_note, reported=reported)
            for step in path[:-1]
        ]
        event = _status_move(order=locked, status=status, location=location, note=note, reported=reported)
        # One signal for the whole report: the customer hears once, of the status reported.
        order_status_changed.send(
            sender=Order, order=locked, event=event, previous_status=previous, implied_events=implied_events
        )
    _order_refresh(order=order, locked=locked)
    return locked


def _order_refresh(*, order: Order | None, locked: Order) -> None:
    """Bring the caller's instance up to date with what a report changed on the locked row."""
    if order is None:
        return
    for field in ("status", "stock_restored", "payment_status", "estimated_delivery", "updated_at"):
        setattr(order, field, getattr(locked, field))


def _estimate_change(*, order: Order, estimated_delivery: date | None, reported: dict) -> OrderEvent | None:
    """Set a locked order's delivery estimate; its timeline row, or None when nothing changes."""
    if estimated_delivery is None or estimated_delivery == order.estimated_delivery:
        return None
    order.estimated_delivery = estimated_delivery
    order.save(update_fields=["estimated_delivery", "updated_at"])
    return OrderEvent.objects.create(
        order=order, type=OrderEventType.ESTIMATE, estimated_delivery=estimated_delivery, **reported
    )


def order_payment_report(
    *,
    order: Order | None = None,
    merchant=None,
    external_id: str | None = None,
    payment_status: str,
    reference: str = "",
    source: str = EventSource.API,
    actor=None,
    occurred_at: datetime | None = None,
    allow_implied: bool = False,
) -> Order:
    """Apply a payment status someone reports, under the order's row lock; returns the order as it now is.

    Found like `order_status_report` finds it. A report older than the order's latest payment report is
    filed on the timeline without being applied, and repeating the payment status the order has changes
    nothing (a duplicate is harmless); a further partial refund (a new `reference`) is a change of its own.
    The move must be one the payment policy allows (409 `invalid_payment_transition`, e.g. a refund before
    any payment), or, with `allow_implied` (a platform's report), a refund of an unpaid order, which implies
    `paid`. Each status walked gets its `OrderEvent`; one `order_payment_changed` is sent per change.
    """
    with transaction.atomic():
        locked = _order_locked(order=order, merchant=merchant, external_id=external_id)
        reported = {"occurred_at": occurred_at or timezone.now(), "source": source, "actor": actor}
        latest = (
            locked.history.filter(type=OrderEventType.PAYMENT)
            .order_by("-occurred_at", "-id")
            .values_list("occurred_at", "reference")
            .first()
        )
        if occurred_at is not None and latest is not None and occurred_at < latest[0]:
            OrderEvent.objects.create(
                order=locked,
                type=OrderEventType.PAYMENT,
                payment_status=payment_status,
                reference=reference,
                note=LATE_NOTE,
                **reported,
            )
            return locked
        previous = locked.payment_status
        path = payment_path(current=previous, target=payment_status, allow_implied=allow_implied)
        if path is None:
            raise DomainError(
                OrderError.INVALID_PAYMENT_TRANSITION, payment_refusal(previous, payment_status)
            )
        further_refund = payment_status == PaymentStatus.PARTIALLY_REFUNDED and reference
        if not path and further_refund and latest is not None and reference != latest[1]:
            path = [payment_status]
        if not path:
            return locked
        for step in path[:-1]:
            note = f"Implied by the platform reporting {payment_status}."
            OrderEvent.objects.create(
                order=locked, type=OrderEventType.PAYMENT, payment_status=step, note=note, **reported
            )
        event = OrderEvent.objects.create(
            order=locked,
            type=OrderEventType.PAYMENT,
            payment_status=payment_status,
            reference=reference,
            **reported,
        )
        locked.payment_status = payment_status
        locked.save(update_fields=["payment_status", "updated_at"])
        order_payment_changed.send(sender=Order, order=locked, event=event, previous_payment_status=previous)
    _order_refresh(order=order, locked=locked)
    return locked


def order_set_status(*, order: Order, status: str, **report) -> Order:
    """Move an order exactly one lifecycle step (409 `invalid_transition` otherwise); `report` is actor,
    location, note, occurred_at and source, as `order_status_report` takes them."""
    return order_status_report(order=order, status=status, allow_implied=False, **report)


def order_cancel(*, order: Order, actor=None, reason: str = "", source: str = EventSource.API) -> Order:
    """Cancel an order (lifecycle: from pending, confirmed, processing); its stock comes back exactly once.

    When the actor is the order's own customer, only pending and confirmed orders may be cancelled
    (409 `not_cancellable` otherwise); merchants, admins and the merchant's platform follow the lifecycle.
    """
    is_own_customer = actor is not None and not actor.is_staff and actor.pk == order.customer_id
    return order_status_report(
        order=order,
        status=OrderStatus.CANCELLED,
        source=source,
        actor=actor,
        note=reason,
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
            raise DomainError(
                OrderError.ORDER_NOT_EDITABLE,
                f"The order is {locked.status}; contact details can only change while it is pending.",
            )
        for name, value in fields.items():
            setattr(locked, name, value)
        locked.save(update_fields=[*fields, "updated_at"])
    return locked
