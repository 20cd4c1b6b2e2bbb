"""Contract: Catalog (`/api/v1/categories/…`, `/api/v1/products/…`)."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.contract.blackbox import (
    BAD_IDS,
    GARBAGE_VALUES,
    PNG,
    approved_merchant,
    assert_money,
    assert_page,
    client_for,
    signed_up,
)

pytestmark = pytest.mark.django_db

PRODUCT_FIELDS = {
    "id",
    "sku",
    "name",
    "description",
    "price",
    "currency",
    "stock",
    "low_stock_threshold",
    "category",
    "merchant",
    "is_active",
    "is_featured",
    "image",
    "created_at",
}


@pytest.fixture
def shop(admin):
    return approved_merchant("shop@example.com", admin)


def _category(admin, name, parent=None):
    body = {"name": name} if parent is None else {"name": name, "parent": parent}
    response = admin.post("/api/v1/categories/", body, format="json")
    assert response.status_code == 201, response.content
    return response.json()["id"]


def _product(merchant, **fields):
    body = {"name": "Kikoy", "price": "1200.00", "stock": 10, **fields}
    response = merchant.post("/api/v1/products/", body, format="json")
    assert response.status_code == 201, response.content
    return response.json()


# --- categories ------------------------------------------------------------------------------------------


def test_admins_build_a_category_tree_with_derived_slugs(admin, anon):
    home = _category(admin, "Home & Garden")
    kitchen = _category(admin, "Kitchen", home)
    response = anon.get(f"/api/v1/categories/{kitchen}/")
    assert response.status_code == 200
    assert response.json()["slug"] == "kitchen"
    listing = anon.get("/api/v1/categories/")
    assert listing.status_code == 200
    assert_page(listing.json())
    slugs = {c["slug"] for c in listing.json()["results"]}
    assert "home-garden" in slugs

    tree = anon.get("/api/v1/categories/tree/")
    assert tree.status_code == 200
    assert isinstance(tree.json(), list)
    (root,) = tree.json()
    assert set(root) == {"id", "name", "slug", "children"}
    assert root["id"] == home
    assert [c["id"] for c in root["children"]] == [kitchen]
    assert root["children"][0]["children"] == []


def test_categories_filter_by_parent_and_search(admin, anon):
    home = _category(admin, "Home")
    kitchen = _category(admin, "Kitchen", home)
    _category(admin, "Toys")
    children = anon.get("/api/v1/categories/", {"parent": home}).json()["results"]
    assert [c["id"] for c in children] == [kitchen]
    found = anon.get("/api/v1/categories/", {"search": "toy"}).json()["results"]
    assert [c["name"] for c in found] == ["Toys"]


def test_moving_a_category_moves_its_subtree(admin, anon):
    a = _category(admin, "A")
    b = _category(admin, "B")
    a1 = _category(admin, "A1", a)
    a11 = _category(admin, "A11", a1)
    response = admin.patch(f"/api/v1/categories/{a1}/", {"parent": b}, format="json")
    assert response.status_code == 200
    tree = {n["id"]: n for n in anon.get("/api/v1/categories/tree/").json()}
    assert tree[a]["children"] == []
    assert tree[b]["children"][0]["id"] == a1
    assert tree[b]["children"][0]["children"][0]["id"] == a11


def test_a_category_cannot_move_under_its_own_descendant(admin):
    a = _category(admin, "A")
    a1 = _category(admin, "A1", a)
    response = admin.patch(f"/api/v1/categories/{a}/", {"parent": a1}, format="json")
    assert 400 <= response.status_code < 500
    response = admin.patch(f"/api/v1/categories/{a}/", {"parent": a}, format="json")
    assert 400 <= response.status_code < 500


def test_deleting_a_category_with_products_is_category_in_use(admin, shop):
    used = _category(admin, "Used")
    child = _category(admin, "Child", used)
    _product(shop, category=child)
    response = admin.delete(f"/api/v1/categories/{used}/")
    assert response.status_code == 409
    assert response.json()["code"] == "category_in_use"
    empty = _category(admin, "Empty")
    assert admin.delete(f"/api/v1/categories/{empty}/").status_code == 204
    assert admin.get(f"/api/v1/categories/{empty}/").status_code == 404


def test_only_admins_write_categories(admin, shop):
    cat = _category(admin, "Locked")
    customer = signed_up("c@example.com")
    for client, expected in ((client_for(), 401), (customer, 403), (shop, 403)):
        assert client.post("/api/v1/categories/", {"name": "X"}, format="json").status_code == expected
        assert (
            client.patch(f"/api/v1/categories/{cat}/", {"name": "X"}, format="json").status_code == expected
        )
        assert client.delete(f"/api/v1/categories/{cat}/").status_code == expected


def test_two_categories_with_the_same_name_do_not_500(admin):
    _category(admin, "Shoes")
    response = admin.post("/api/v1/categories/", {"name": "Shoes"}, format="json")
    assert response.status_code in (201, 400, 409)


@pytest.mark.parametrize("value", GARBAGE_VALUES)
def test_garbage_category_input_is_never_a_500(admin, value):
    cat = _category(admin, "Target")
    for body in ({"name": value}, {"name": "Ok", "parent": value}):
        assert admin.post("/api/v1/categories/", body, format="json").status_code in (201, 400, 409)
        assert admin.patch(f"/api/v1/categories/{cat}/", body, format="json").status_code in (200, 400, 409)
    if value is not None:
        query = {"parent": value, "search": value}
        assert admin.get("/api/v1/categories/", query).status_code in (200, 400)


@pytest.mark.parametrize("bad_id", BAD_IDS)
def test_unknown_category_ids_are_a_404(admin, bad_id):
    assert client_for().get(f"/api/v1/categories/{bad_id}/").status_code == 404
    assert client_for().get(f"/api/v1/categories/{bad_id}/average-price/").status_code == 404
    assert admin.patch(f"/api/v1/categories/{bad_id}/", {"name": "x"}, format="json").status_code == 404
    assert admin.delete(f"/api/v1/categories/{bad_id}/").status_code == 404


def test_category_list_page_size_is_capped_at_100(admin):
    from tests.factories import CategoryFactory

    CategoryFactory.create_batch(102)
    body = client_for().get("/api/v1/categories/", {"page_size": 500}).json()
    assert body["count"] == 102 and len(body["results"]) == 100
    prices = client_for().get("/api/v1/categories/average-prices/", {"page_size": 500}).json()
    assert_page(prices)
    assert len(prices["results"]) == 100


# --- average prices -----------------------------------------------------------------------------------


def test_average_price_covers_active_products_of_the_subtree(admin, shop, anon):
    root = _category(admin, "Root")
    leaf = _category(admin, "Leaf", root)
    empty = _category(admin, "Empty")
    _product(shop, category=root, price="100.00")
    _product(shop, category=leaf, price="201.00")
    _product(shop, category=leaf, price="9999.00", is_active=False)

    response = anon.get(f"/api/v1/categories/{root}/average-price/")
    assert response.status_code == 200
    body = response.json()
    assert {"category", "average_price", "product_count"} <= set(body)
    assert body["category"] == root
    assert body["average_price"] == "150.50"
    assert body["product_count"] == 2

    none = anon.get(f"/api/v1/categories/{empty}/average-price/").json()
    assert none["average_price"] is None
    assert none["product_count"] == 0

    every = anon.get("/api/v1/categories/average-prices/").json()
    assert_page(every)
    by_id = {row["category"]: row for row in every["results"]}
    assert by_id[leaf]["average_price"] == "201.00"
    assert by_id[root]["average_price"] == "150.50"


def test_average_price_has_exactly_the_contract_fields(admin, anon):
    cat = _category(admin, "Exact")
    assert set(anon.get(f"/api/v1/categories/{cat}/average-price/").json()) == {
        "category",
        "average_price",
        "product_count",
    }


# --- products ----------------------------------------------------------------------------------------


def test_an_active_merchant_lists_a_product_with_a_generated_sku(shop, anon):
    product = _product(shop, description="Cotton", low_stock_threshold=3)
    assert set(product) >= PRODUCT_FIELDS
    assert product["sku"]
    assert product["price"] == "1200.00"
    assert product["currency"] == "KES"
    assert product["merchant"] == shop.merchant_id
    assert product["stock"] == 10

    response = anon.get(f"/api/v1/products/{product['id']}/")
    assert response.status_code == 200
    assert set(response.json()) >= PRODUCT_FIELDS
    listing = anon.get("/api/v1/products/")
    assert_page(listing.json())
    assert [p["id"] for p in listing.json()["results"]] == [product["id"]]


def test_skus_are_unique_per_merchant(admin, shop):
    other = approved_merchant("other@example.com", admin)
    _product(shop, sku="TEE-1")
    duplicate = shop.post("/api/v1/products/", {"name": "T", "price": "1.00", "sku": "TEE-1"}, format="json")
    assert duplicate.status_code in (400, 409)
    assert _product(other, sku="TEE-1")["sku"] == "TEE-1"


@pytest.mark.parametrize(
    "price,stored", [("1200", "1200.00"), ("0.5", "0.50"), (99, "99.00"), ("12.30", "12.30")]
)
def test_money_is_a_two_decimal_string(shop, price, stored):
    product = _product(shop, price=price)
    assert product["price"] == stored
    assert_money(product["price"])


def test_product_filters(admin, shop, anon):
    other = approved_merchant("other@example.com", admin)
    parent = _category(admin, "Clothes")
    child = _category(admin, "Shirts", parent)
    cheap = _product(shop, name="Cheap shirt", price="100.00", category=child, stock=0)
    dear = _product(shop, name="Dear dress", price="900.00", category=parent)
    theirs = _product(other, name="Their hat", price="500.00")

    def ids(**query):
        response = anon.get("/api/v1/products/", query)
        assert response.status_code == 200, response.content
        return [p["id"] for p in response.json()["results"]]

    assert set(ids(category=parent)) == {cheap["id"], dear["id"]}
    assert ids(category=child) == [cheap["id"]]
    assert ids(merchant=other.merchant_id) == [theirs["id"]]
    assert set(ids(min_price="400")) == {dear["id"], theirs["id"]}
    assert ids(max_price="100.00") == [cheap["id"]]
    assert ids(in_stock="false") == [cheap["id"]]
    assert cheap["id"] not in ids(in_stock="true")
    assert ids(search="dress") == [dear["id"]]
    assert ids(ordering="price") == [cheap["id"], theirs["id"], dear["id"]]
    assert ids(ordering="-price") == [dear["id"], theirs["id"], cheap["id"]]


@pytest.mark.parametrize(
    "query",
    [
        {"category": "x"},
        {"category": "00000000-0000-0000-0000-000000000000"},
        {"merchant": "nope"},
        {"min_price": "abc"},
        {"max_price": "1e999"},
        {"min_price": "NaN"},
        {"in_stock": "maybe"},
        {"ordering": "password"},
        {"ordering": "-merchant__user__password"},
        {"page": "0"},
        {"page": "99999"},
        {"page_size": "-5"},
        {"search": "\x00"},
        {"search": "x" * 5000},
    ],
)
def test_garbage_product_filters_are_never_a_500(anon, query):
    assert anon.get("/api/v1/products/", query).status_code in (200, 400, 404)


def test_product_page_size_is_capped_at_100(shop):
    from merchants.models import Merchant
    from tests.factories import ProductFactory

    ProductFactory.create_batch(103, merchant=Merchant.objects.get(pk=shop.merchant_id))
    body = client_for().get("/api/v1/products/", {"page_size": 1000}).json()
    assert body["count"] == 103
    assert len(body["results"]) == 100
    assert body["next"]


def test_the_owner_edits_and_deletes_its_product_others_get_404(admin, shop):
    other = approved_merchant("other@example.com", admin)
    customer = signed_up("cust@example.com")
    product = _product(shop)
    url = f"/api/v1/products/{product['id']}/"

    assert other.patch(url, {"price": "1.00"}, format="json").status_code == 404
    assert other.delete(url).status_code == 404
    assert customer.patch(url, {"price": "1.00"}, format="json").status_code in (403, 404)
    assert client_for().patch(url, {"price": "1.00"}, format="json").status_code == 401

    response = shop.patch(url, {"price": "1500", "stock": 3}, format="json")
    assert response.status_code == 200
    assert response.json()["price"] == "1500.00"
    assert response.json()["stock"] == 3
    assert shop.delete(url).status_code == 204
    assert client_for().get(url).status_code == 404


def test_customers_cannot_create_products():
    customer = signed_up("cust@example.com")
    response = customer.post("/api/v1/products/", {"name": "X", "price": "1.00"}, format="json")
    assert response.status_code == 403
    assert (
        client_for().post("/api/v1/products/", {"name": "X", "price": "1.00"}, format="json").status_code
        == 401
    )


@pytest.mark.parametrize("value", GARBAGE_VALUES)
def test_garbage_product_input_is_never_a_500(shop, value):
    product = _product(shop)
    for field in [
        "name",
        "price",
        "stock",
        "low_stock_threshold",
        "category",
        "sku",
        "currency",
        "is_active",
    ]:
        body = {"name": "Ok", "price": "10.00", field: value}
        # 409: the sku the first request just took is taken for the patch
        assert shop.post("/api/v1/products/", body, format="json").status_code in (201, 400, 409)
        patch = shop.patch(f"/api/v1/products/{product['id']}/", {field: value}, format="json")
        assert patch.status_code in (200, 400, 409)


@pytest.mark.parametrize(
    "field,value", [("price", "-1.00"), ("price", "0"), ("stock", -1), ("low_stock_threshold", -3)]
)
def test_negative_prices_and_stock_are_a_400(shop, field, value):
    response = shop.post("/api/v1/products/", {"name": "X", "price": "1.00", field: value}, format="json")
    assert response.status_code == 400
    assert field in response.json()["errors"]


@pytest.mark.parametrize("bad_id", BAD_IDS)
def test_unknown_product_ids_are_a_404(shop, bad_id):
    assert client_for().get(f"/api/v1/products/{bad_id}/").status_code == 404
    assert shop.patch(f"/api/v1/products/{bad_id}/", {"name": "x"}, format="json").status_code == 404
    assert shop.delete(f"/api/v1/products/{bad_id}/").status_code == 404


def test_featured_and_low_stock(admin, shop, anon):
    featured = _product(shop, name="Star", is_featured=True)
    _product(shop, name="Hidden star", is_featured=True, is_active=False)
    low = _product(shop, name="Low", stock=2, low_stock_threshold=2)
    _product(shop, name="Plenty", stock=50, low_stock_threshold=2)
    other = approved_merchant("other@example.com", admin)
    _product(other, name="Their low", stock=0, low_stock_threshold=5)

    response = anon.get("/api/v1/products/featured/")
    assert response.status_code == 200
    body = response.json()
    results = body["results"] if isinstance(body, dict) else body
    assert [p["id"] for p in results] == [featured["id"]]

    low_stock = shop.get("/api/v1/products/low-stock/")
    assert low_stock.status_code == 200
    body = low_stock.json()
    results = body["results"] if isinstance(body, dict) else body
    assert [p["id"] for p in results] == [low["id"]]
    assert anon.get("/api/v1/products/low-stock/").status_code == 401
    assert signed_up("c@example.com").get("/api/v1/products/low-stock/").status_code == 403


def test_inactive_products_are_hidden_from_the_public(shop, anon):
    hidden = _product(shop, is_active=False)
    assert hidden["id"] not in [p["id"] for p in anon.get("/api/v1/products/").json()["results"]]


def test_a_product_image_is_checked_by_content(shop):
    product = _product(shop)
    url = f"/api/v1/products/{product['id']}/"
    good = SimpleUploadedFile("p.png", PNG, content_type="image/png")
    response = shop.patch(url, {"image": good}, format="multipart")
    assert response.status_code == 200
    assert response.json()["image"]

    fake = SimpleUploadedFile("p.png", b"<?php echo 1; ?>", content_type="image/png")
    assert shop.patch(url, {"image": fake}, format="multipart").status_code == 400
    huge = SimpleUploadedFile("p.png", PNG + b"\x00" * (5 * 1024 * 1024), content_type="image/png")
    assert shop.patch(url, {"image": huge}, format="multipart").status_code == 400
    created = shop.post(
        "/api/v1/products/",
        {
            "name": "With pic",
            "price": "5.00",
            "image": SimpleUploadedFile("a.png", PNG, content_type="image/png"),
        },
        format="multipart",
    )
    assert created.status_code == 201
    assert Decimal(created.json()["price"]) == Decimal("5")
