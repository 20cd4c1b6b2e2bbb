"""Order lists cost the same queries for a page of 2 or 50 and for a few or many orders (issue 18)."""

import pytest
from django.db import connection

from core.pagination import DeepPagePaginator
from orders.admin import OrderAdmin
from tests.conftest import bearer_client
from tests.factories import (
    CustomerFactory,
    MerchantFactory,
    ProductFactory,
    external_order,
    order_moved_to,
    placed_order,
)
from tests.query_counts import assert_list_queries

pytestmark = pytest.mark.django_db
URL = "/api/v1/orders/"
# On PostgreSQL the Django admin asks the planner for an estimate (EXPLAIN) before it counts exactly.
EXPLAIN = 1 if connection.vendor == "postgresql" else 0


@pytest.fixture
def shop(customer, merchant):
    shop = {"customer": customer, "merchant": merchant, "n": 0}
    place(shop, 3)
    return shop


def place(shop, n):
    """`n` orders of the customer at the merchant, every other one confirmed, every third from its platform."""
    for _ in range(n):
        shop["n"] += 1
        if shop["n"] % 3 == 0:
            order = external_order(merchant=shop["merchant"], external_id=f"EXT-{shop['n']}")
        else:
            product = ProductFactory(merchant=shop["merchant"])
            order = placed_order(customer=shop["customer"], product=product, quantity=2)
        if shop["n"] % 2 == 0:
            order_moved_to(order, "confirmed")


def grow(shop):
    return lambda: place(shop, 12)


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"status": "confirmed"},
        {"created_after": "2000-01-01T00:00:00Z", "created_before": "2100-01-01T00:00:00Z"},
    ],
    ids=["all", "status", "dates"],
)
def test_each_role_lists_its_orders_in_constant_queries(shop, admin_user, django_assert_num_queries, params):
    # the user (JWT), [the merchant (role)], COUNT, the page, the page's lines
    customer, merchant, admin = (
        bearer_client(u) for u in (shop["customer"], shop["merchant"].user, admin_user)
    )
    assert_list_queries(django_assert_num_queries, customer, URL, 4, grow=grow(shop), params=params)
    assert_list_queries(django_assert_num_queries, merchant, URL, 5, grow=grow(shop), params=params)
    assert_list_queries(django_assert_num_queries, admin, URL, 4, grow=grow(shop), params=params)


def test_a_deep_page_is_the_plain_slice(shop, merchant_client, django_assert_num_queries, monkeypatch):
    """From DeepPagePaginator.defer_from on, a page is read by its keys first: same orders, order, queries."""
    place(shop, 15)
    plain = [merchant_client.get(URL, {"page_size": 3, "page": page}).json() for page in (1, 2, 6)]

    monkeypatch.setattr(DeepPagePaginator, "defer_from", 3)
    for page, expected in zip((1, 2, 6), plain, strict=True):
        with django_assert_num_queries(5):
            assert merchant_client.get(URL, {"page_size": 3, "page": page}).json() == expected


def test_an_orders_timeline_costs_the_same_however_long(customer_client, merchant, django_assert_num_queries):
    order = placed_order(customer=customer_client.user, product=ProductFactory(merchant=merchant))
    url = f"{URL}{order.pk}/tracking/"
    # the user, the order (visible to them) and its lines, its events
    with django_assert_num_queries(4):
        assert len(customer_client.get(url).json()) == 1
    order_moved_to(order, "confirmed", "processing", "shipped", "in_transit")
    with django_assert_num_queries(4):
        assert len(customer_client.get(url).json()) == 5


@pytest.mark.parametrize(
    "params",
    [{}, {"status__exact": "confirmed"}, {"source__exact": "webhook"}, {"q": "EXT-"}, {"q": "Wanjiru"}],
    ids=["all", "status", "source", "search-external-id", "search-name"],
)
def test_the_django_admin_changelist(
    shop, admin_user, client, django_assert_num_queries, monkeypatch, params
):
    client.force_login(admin_user)
    MerchantFactory()
    # the session, the user, [EXPLAIN], COUNT, the page (the merchant filter is an autocomplete: it lists no
    # merchants, however many there are)
    expected = 4 + EXPLAIN
    for per_page in (2, 100):
        monkeypatch.setattr(OrderAdmin, "list_per_page", per_page)
        assert_list_queries(
            django_assert_num_queries,
            client,
            "/admin/orders/order/",
            expected,
            grow=grow(shop),
            params=params,
            page_sizes=(None,),
        )


def test_the_admin_search_finds_an_order_by_number_or_tracking_code_in_any_case(shop, admin_user, client):
    client.force_login(admin_user)
    order = placed_order(customer=CustomerFactory(), product=ProductFactory(merchant=shop["merchant"]))

    for term in (order.order_number.lower(), f" {order.tracking_code.lower()} "):
        page = client.get("/admin/orders/order/", {"q": term}).content.decode()
        assert order.order_number in page
        assert "1 result" in page


@pytest.mark.postgres
def test_above_the_threshold_the_admin_pages_by_the_planners_estimate_without_counting(
    shop, admin_user, client, monkeypatch
):
    from django.db import connection as db
    from django.test.utils import CaptureQueriesContext

    from core.pagination import EstimatedCountPaginator

    client.force_login(admin_user)
    monkeypatch.setattr(EstimatedCountPaginator, "exact_up_to", 0)
    with CaptureQueriesContext(db) as queries:
        response = client.get("/admin/orders/order/")

    assert response.status_code == 200
    sql = [q["sql"] for q in queries.captured_queries]
    assert any(s.startswith("EXPLAIN") for s in sql)
    assert not any("COUNT(" in s for s in sql)
