"""The dashboard costs the same queries for a few or many orders: one pass serves counts and revenue."""

import pytest

from tests.factories import ProductFactory, external_order, order_moved_to, placed_order

pytestmark = pytest.mark.django_db
URL = "/api/v1/admin/dashboard/"


def orders(merchant, n, start=0):
    for i in range(start, start + n):
        if i % 3 == 0:
            external_order(merchant=merchant, external_id=f"DASH-{i}", currency="UGX")
        else:
            order = placed_order(product=ProductFactory(merchant=merchant))
            if i % 3 == 2:
                order_moved_to(order, "cancelled")


def test_the_dashboard_reads_every_order_once(admin_client, merchant, django_assert_num_queries):
    orders(merchant, 3)
    # the user (JWT), orders and amounts per status and currency, the KYC queue, failed or unknown
    # notifications (by status), undelivered SMS (a partial index)
    with django_assert_num_queries(5):
        small = admin_client.get(URL).json()
    orders(merchant, 12, start=3)
    with django_assert_num_queries(5):
        large = admin_client.get(URL).json()

    assert (small["orders_total"], large["orders_total"]) == (3, 15)
    assert large["orders_by_status"]["cancelled"] == 5
    assert set(large["revenue_by_currency"]) == {"KES", "UGX"}
