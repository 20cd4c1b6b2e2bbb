"""The dashboard's running order totals (PostgreSQL keeps them with a trigger) always equal the totals
counted over every order, whichever way orders are written: placed, imported from a platform, moved through
their lifecycle, paid, cancelled, changed in bulk, deleted, or emptied with the whole table."""

import threading
from decimal import Decimal

import pytest
from django.db import connection, connections

from orders.models import Order, OrderTally
from orders.selectors import order_totals, order_totals_counted
from orders.services import order_cancel, order_payment_report
from tests.factories import (
    MerchantFactory,
    ProductFactory,
    external_order,
    order_moved_to,
    placed_order,
    totals_rows,
)

pytestmark = pytest.mark.postgres


def assert_tallied():
    counted = totals_rows(order_totals_counted())
    assert totals_rows(order_totals()) == counted
    return counted


@pytest.mark.django_db
def test_the_running_totals_follow_every_way_an_order_is_written(merchant):
    assert assert_tallied() == []

    kes = [
        placed_order(product=ProductFactory(merchant=merchant, price="250.00"), quantity=2) for _ in range(3)
    ]
    ugx = external_order(merchant=merchant, external_id="UG-1", currency="UGX")
    assert_tallied()
    assert {r["status"] for r in order_totals()} == {"pending"}

    order_moved_to(kes[0], "confirmed", "processing", "shipped")
    order_payment_report(order=kes[1], payment_status="paid", reference="MPESA-1")
    order_cancel(order=kes[2], reason="changed mind")
    order_moved_to(ugx, "confirmed")
    counted = assert_tallied()
    assert ("shipped", "KES", "unpaid", 1) in [row[:4] for row in counted]
    assert ("cancelled", "KES", "unpaid", 1) in [row[:4] for row in counted]

    Order.objects.filter(pk=kes[0].pk).update(total_amount="999.99")  # a path no service takes
    Order.objects.filter(currency="UGX").update(status="delivered", payment_status="paid")
    Order.objects.filter(pk=kes[1].pk).update(note="left at the gate")  # no tallied column: no change
    assert_tallied()

    kes[2].items.all().delete()
    kes[2].events.all().delete()
    Order.objects.filter(pk=kes[2].pk).delete()
    assert_tallied()
    assert sum(r["orders"] for r in order_totals()) == 3


@pytest.mark.django_db(transaction=True)
def test_orders_written_at_once_from_many_connections_are_all_counted():
    merchant = MerchantFactory()
    products = [ProductFactory(merchant=merchant, price="100.00", stock=100) for _ in range(8)]
    errors = []

    def place(product):
        try:
            for _ in range(5):
                placed_order(product=product)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=place, args=(product,)) for product in products]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    assert errors == []
    assert assert_tallied() == [("pending", "KES", "unpaid", 40, Decimal("4000.00"))]
    assert OrderTally.objects.values("shard").distinct().count() > 1  # several connections, several shards


@pytest.mark.django_db(transaction=True)
def test_emptying_the_orders_table_empties_the_totals(merchant):
    placed_order(product=ProductFactory(merchant=merchant))
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE orders_order CASCADE")

    assert order_totals() == []
    assert OrderTally.objects.count() == 0
