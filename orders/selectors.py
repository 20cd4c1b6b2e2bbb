"""Reads on orders: what each user may see, and the figures of all orders."""

from datetime import date, timedelta

from django.db import connection
from django.db.models import Count, Prefetch, Q, QuerySet, Sum
from django.db.models.functions import TruncDate
from django.http import Http404
from django.utils import timezone

from .lifecycle import BAD_END_STATUSES, OrderStatus
from .models import Order, OrderItem, OrderTally, TrackingEvent
from .payments import REFUND_AWAITED, PaymentStatus


def order_visible_to(*, user) -> QuerySet[Order]:
    """Every order `user` may see: admins all, merchants theirs, customers their own, anyone else none."""
    orders = Order.objects.all()
    if user.is_staff:
        return orders
    if user.is_merchant:
        merchant = getattr(user, "merchant", None)
        return orders.filter(merchant=merchant) if merchant is not None else orders.none()
    if user.is_customer:
        return orders.filter(customer=user)
    return orders.none()


def order_list_for(*, user) -> QuerySet[Order]:
    """`order_visible_to` with what an order's representation needs, in a constant number of queries."""
    return order_visible_to(user=user).prefetch_related(
        Prefetch("items", queryset=OrderItem.objects.order_by("id"))
    )


def order_get_for(*, user, order_id) -> Order:
    """One order `user` may see; another tenant's order is simply not found (404, never 403)."""
    try:
        return order_list_for(user=user).get(pk=order_id)
    except (Order.DoesNotExist, ValueError):
        raise Http404 from None


def order_events(*, order: Order) -> QuerySet[TrackingEvent]:
    """An order's timeline, oldest first."""
    return order.events.order_by("occurred_at", "id")


def order_totals() -> list[dict]:
    """`{status, currency, payment_status, orders, amount}` for every combination that has orders. The
    dashboard's counts, payment figures and revenue are all derived from it.

    On PostgreSQL from the running totals (`OrderTally`, kept by a trigger): a few hundred rows, read in
    one statement (one snapshot), however many orders there are. Elsewhere from the orders themselves;
    tests pin both to the same answer."""
    if connection.vendor == "postgresql":
        rows = OrderTally.objects.values("status", "currency", "payment_status").annotate(
            orders=Sum("orders"), amount=Sum("amount")
        )
        return [row for row in rows.order_by() if row["orders"]]
    return order_totals_counted()


def order_totals_counted() -> list[dict]:
    """`order_totals` aggregated from every order (what the running totals must always equal)."""
    return list(
        Order.objects.order_by()
        .values("status", "currency", "payment_status")
        .annotate(orders=Count("*"), amount=Sum("total_amount"))
    )


def order_count_by_status(*, totals: list[dict] | None = None) -> dict[str, int]:
    """How many orders are in each status, every status listed (0 when none)."""
    by_status = dict.fromkeys(OrderStatus.values, 0)
    for row in order_totals() if totals is None else totals:
        by_status[row["status"]] += row["orders"]
    return by_status


def order_count_by_payment_status(*, totals: list[dict] | None = None) -> dict[str, int]:
    """How many orders are in each payment status, every payment status listed (0 when none)."""
    counts = dict.fromkeys(PaymentStatus.values, 0)
    for row in order_totals() if totals is None else totals:
        counts[row["payment_status"]] += row["orders"]
    return counts


def order_awaiting_refund_count(*, totals: list[dict] | None = None) -> int:
    """Orders that ended badly (cancelled, returned) while the customer's money is still held."""
    return sum(
        row["orders"]
        for row in (order_totals() if totals is None else totals)
        if row["status"] in BAD_END_STATUSES and row["payment_status"] in REFUND_AWAITED
    )


def order_revenue_by_currency(*, totals: list[dict] | None = None) -> dict:
    """The sum of order totals per currency; orders that ended badly earned nothing and are left out."""
    revenue: dict = {}
    for row in sorted(order_totals() if totals is None else totals, key=lambda row: row["currency"]):
        if row["status"] not in BAD_END_STATUSES:
            revenue[row["currency"]] = revenue.get(row["currency"], 0) + row["amount"]
    return revenue


def order_daily_figures(*, days: int = 30) -> tuple[list[date], list[dict]]:
    """The last `days` local days (today last) and, for each day, source and currency with orders, the orders
    placed and their revenue (orders that ended badly earned nothing), in one pass over the days' orders
    (through the `created_at` index)."""
    today = timezone.localdate()
    first = today - timedelta(days=days - 1)
    since = timezone.make_aware(timezone.datetime.combine(first, timezone.datetime.min.time()))
    rows = (
        Order.objects.filter(created_at__gte=since)
        .annotate(day=TruncDate("created_at", tzinfo=timezone.get_current_timezone()))
        .order_by()
        .values("day", "source", "currency")
        .annotate(
            orders=Count("*"),
            revenue=Sum("total_amount", filter=~Q(status__in=BAD_END_STATUSES), default=0),
        )
    )
    return [first + timedelta(days=i) for i in range(days)], list(rows)
