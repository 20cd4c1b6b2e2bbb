"""Catalog lists cost the same queries for a page of 2 or 50 and for a few or many rows (issue 18)."""

import itertools

import pytest

from catalog.admin import ProductAdmin
from catalog.models import Category
from core.pagination import DeepPagePaginator
from tests.conftest import bearer_client
from tests.factories import CategoryFactory, MerchantFactory, ProductFactory
from tests.query_counts import assert_list_queries

pytestmark = pytest.mark.django_db
PRODUCTS = "/api/v1/products/"
_names = itertools.count()


@pytest.fixture
def shop():
    """A merchant selling in a small tree: a root, a child and a grandchild."""
    root = CategoryFactory(name="Electronics")
    child = CategoryFactory(name="Phones", parent=root)
    grandchild = CategoryFactory(name="Android", parent=child)
    merchant = MerchantFactory()
    shop = {"merchant": merchant, "categories": [root, child, grandchild]}
    stock_products(shop, 3)
    return shop


def stock_products(shop, n):
    for i in range(n):
        ProductFactory(
            merchant=shop["merchant"],
            category=shop["categories"][i % 3],
            name=f"Samsung Galaxy {next(_names)}",
            price="1500.00",
            stock=i % 4,
            low_stock_threshold=5,
            is_featured=True,
        )


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, 2),  # COUNT + the page
        ({"merchant": "MERCHANT"}, 2),
        ({"min_price": "1000", "max_price": "2000"}, 2),
        ({"in_stock": "true"}, 2),
        ({"search": "galaxy"}, 2),
        ({"ordering": "price"}, 2),
        ({"category": "ROOT"}, 3),  # the category's tree bounds, COUNT, the page
    ],
)
def test_the_public_product_list(shop, api_client, django_assert_num_queries, params, expected):
    params = {
        key: {"MERCHANT": str(shop["merchant"].pk), "ROOT": str(shop["categories"][0].pk)}.get(value, value)
        for key, value in params.items()
    }
    assert_list_queries(
        django_assert_num_queries,
        api_client,
        PRODUCTS,
        expected,
        grow=lambda: stock_products(shop, 30),
        params=params,
    )


def test_a_merchants_own_product_list(shop, django_assert_num_queries):
    client = bearer_client(shop["merchant"].user)
    # the user (JWT), the merchant (its inactive products too), COUNT, the page
    assert_list_queries(django_assert_num_queries, client, PRODUCTS, 4, grow=lambda: stock_products(shop, 30))


def test_featured_and_low_stock(shop, api_client, django_assert_num_queries):
    grow = lambda: stock_products(shop, 30)  # noqa: E731
    assert_list_queries(django_assert_num_queries, api_client, f"{PRODUCTS}featured/", 2, grow=grow)
    # the user, the merchant (permission), the merchant again (its products), COUNT, the page
    merchant_client = bearer_client(shop["merchant"].user)
    assert_list_queries(django_assert_num_queries, merchant_client, f"{PRODUCTS}low-stock/", 4, grow=grow)


def test_categories_and_their_average_prices(shop, api_client, django_assert_num_queries):
    def grow():
        parent = shop["categories"][1]
        for _ in range(30):
            CategoryFactory(name=f"Range {next(_names)}", parent=parent)
        Category.objects.rebuild()

    # COUNT + the page (average prices: COUNT + one aggregate for the whole page)
    assert_list_queries(django_assert_num_queries, api_client, "/api/v1/categories/", 2, grow=grow)
    assert_list_queries(
        django_assert_num_queries, api_client, "/api/v1/categories/average-prices/", 2, grow=grow
    )


def test_a_deep_page_reads_the_same_rows_in_the_same_order_and_queries(
    shop, api_client, django_assert_num_queries, monkeypatch
):
    """Pages from DeepPagePaginator.defer_from on are read by their keys first: pinned to the plain slice."""
    stock_products(shop, 30)
    plain = [api_client.get(PRODUCTS, {"page_size": 4, "page": page}).json() for page in (1, 3, 9)]

    monkeypatch.setattr(DeepPagePaginator, "defer_from", 4)
    for page, expected in zip((1, 3, 9), plain, strict=True):
        with django_assert_num_queries(2):  # COUNT + the page, deferred or not
            assert api_client.get(PRODUCTS, {"page_size": 4, "page": page}).json() == expected


@pytest.mark.parametrize(
    "params",
    [{}, {"is_active__exact": "1"}, {"q": "galaxy"}, {"q": "Shop"}],
    ids=["all", "active", "search", "merchant"],
)
def test_the_django_admin_changelist(
    shop, admin_user, client, django_assert_num_queries, monkeypatch, params
):
    client.force_login(admin_user)
    # the session, the user, COUNT, the page with merchants, the currencies and the category tree (filters),
    # and for a search the merchants whose name matches
    expected = 6 + (1 if "q" in params else 0)
    for per_page in (2, 100):
        monkeypatch.setattr(ProductAdmin, "list_per_page", per_page)
        assert_list_queries(
            django_assert_num_queries,
            client,
            "/admin/catalog/product/",
            expected,
            grow=lambda: stock_products(shop, 30),
            params=params,
            page_sizes=(None,),
        )
