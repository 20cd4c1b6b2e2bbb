"""Many buyers at once, on PostgreSQL with real connections: no overselling, no deadlock, no 5xx."""

from collections import Counter

import pytest

from catalog.models import Product
from orders.models import Order
from tests.concurrency import bearer_clients, run_together
from tests.factories import CustomerFactory, MerchantFactory, ProductFactory, order_body

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
URL = "/api/v1/orders/"


def buyers(n):
    return bearer_clients(CustomerFactory() for _ in range(n))


def test_fifty_buyers_for_ten_items_make_exactly_ten_orders():
    product = ProductFactory(merchant=MerchantFactory(), stock=10)
    clients = buyers(50)

    results = run_together([lambda c=c: c.post(URL, order_body((product, 1))) for c in clients])

    statuses = Counter(status for status, _ in results)
    assert statuses == {201: 10, 409: 40}, results
    assert {body["code"] for status, body in results if status == 409} == {"insufficient_stock"}
    product.refresh_from_db()
    assert product.stock == 0
    assert Order.objects.count() == 10


def test_buyers_locking_two_products_in_opposite_orders_do_not_deadlock():
    merchant = MerchantFactory()
    first, second = ProductFactory(merchant=merchant, stock=10), ProductFactory(merchant=merchant, stock=10)
    clients = buyers(40)
    bodies = [
        order_body((first, 1), (second, 1)) if i % 2 else order_body((second, 1), (first, 1))
        for i in range(len(clients))
    ]

    results = run_together([lambda c=c, b=b: c.post(URL, b) for c, b in zip(clients, bodies, strict=True)])

    statuses = Counter(status for status, _ in results)
    assert statuses == {201: 10, 409: 30}, results
    assert {body["code"] for status, body in results if status == 409} == {"insufficient_stock"}
    assert set(Product.objects.values_list("stock", flat=True)) == {0}
    assert Order.objects.count() == 10


def test_two_concurrent_posts_with_one_idempotency_key_create_one_order():
    product = ProductFactory(merchant=MerchantFactory(), stock=10)
    (client,) = buyers(1)

    for attempt in range(5):  # several rounds: the race window differs a little each time
        key = f"checkout-{attempt}"
        results = run_together(
            [
                lambda k=key: client.post(URL, order_body((product, 1)), HTTP_IDEMPOTENCY_KEY=k)
                for _ in range(2)
            ]
        )
        assert sorted(status for status, _ in results) == [200, 201], results
        assert results[0][1]["id"] == results[1][1]["id"]

    assert Order.objects.count() == 5
    product.refresh_from_db()
    assert product.stock == 5


def test_same_key_on_the_last_item_returns_the_first_order_rather_than_out_of_stock():
    product = ProductFactory(merchant=MerchantFactory(), stock=1)
    (client,) = buyers(1)

    results = run_together(
        [
            lambda: client.post(URL, order_body((product, 1)), HTTP_IDEMPOTENCY_KEY="last-one")
            for _ in range(4)
        ]
    )

    assert sorted(status for status, _ in results) == [200, 200, 200, 201], results
    assert len({body["id"] for _, body in results}) == 1
    assert Order.objects.count() == 1
