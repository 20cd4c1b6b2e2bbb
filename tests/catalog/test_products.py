"""Merchants manage their own products; everyone browses the active ones."""

import pytest

from catalog.models import Product
from tests.catalog.images import png, upload, webp
from tests.conftest import bearer_client
from tests.factories import CategoryFactory, MerchantFactory, ProductFactory

pytestmark = pytest.mark.django_db

PNG = png((60, 40))
WEBP = webp((60, 40))


def test_a_merchant_lists_a_product_and_gets_a_generated_sku(merchant_client, merchant, category):
    response = merchant_client.post(
        "/api/v1/products/",
        {"name": "Tecno Spark 20", "price": "15999.00", "stock": 12, "category": str(category.pk)},
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["sku"].startswith("TECN-")
    assert body["merchant"] == str(merchant.pk)
    assert body["currency"] == "KES"
    assert body["price"] == "15999.00"
    assert body["image"] is None
    for field in (
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
        "thumbnail",
        "created_at",
    ):
        assert field in body
    assert body["thumbnail"] is None

    again = merchant_client.post("/api/v1/products/", {"name": "Tecno Spark 20", "price": "15999.00"}).json()
    assert again["sku"] != body["sku"]


def test_a_sku_is_unique_per_merchant_only(merchant_client):
    first = merchant_client.post("/api/v1/products/", {"name": "Sugar 1kg", "price": "180", "sku": "SUG-1"})
    assert first.status_code == 201
    duplicate = merchant_client.post(
        "/api/v1/products/", {"name": "Sugar 2kg", "price": "350", "sku": "SUG-1"}
    )
    assert duplicate.status_code == 409
    assert duplicate.json()["code"] == "sku_taken"
    assert "sku" in duplicate.json()["errors"]

    other = bearer_client(MerchantFactory().user)
    assert (
        other.post("/api/v1/products/", {"name": "Sugar", "price": "170", "sku": "SUG-1"}).status_code == 201
    )

    second = merchant_client.post(
        "/api/v1/products/", {"name": "Salt", "price": "50", "sku": "SALT-1"}
    ).json()
    clash = merchant_client.patch(f"/api/v1/products/{second['id']}/", {"sku": "SUG-1"})
    assert clash.status_code == 409
    assert clash.json()["code"] == "sku_taken"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("price", "0"),
        ("price", "-5"),
        ("price", "abc"),
        ("price", "12345678901234"),
        ("stock", -1),
        ("stock", 2**40),
        ("low_stock_threshold", -3),
        ("currency", "KSHS"),
        ("currency", "K1S"),
        ("sku", "has spaces"),
        ("category", "00000000-0000-0000-0000-000000000000"),
        ("category", "not-a-uuid"),
        ("name", ""),
    ],
)
def test_bad_product_input_is_a_400_naming_the_field(merchant_client, field, value):
    data = {"name": "Kettle", "price": "2500.00", field: value}
    response = merchant_client.post("/api/v1/products/", data, format="json")
    assert response.status_code == 400, response.json()
    assert response.json()["code"] == "validation_error"
    assert field in response.json()["errors"]
    assert not Product.objects.exists()


def test_a_product_image_is_accepted_by_its_content(merchant_client):
    response = merchant_client.post(
        "/api/v1/products/",
        {"name": "Blender", "price": "4500", "image": upload(PNG, "whatever.bin")},
        format="multipart",
    )
    assert response.status_code == 201, response.json()
    image_url = response.json()["image"]
    assert image_url.startswith("http://testserver/media/products/") and image_url.endswith(".png")
    assert response.json()["thumbnail"].startswith("http://testserver/media/products/thumbnails/")

    replaced = merchant_client.patch(
        f"/api/v1/products/{response.json()['id']}/",
        {"image": upload(WEBP, "photo.png")},
        format="multipart",
    )
    assert replaced.status_code == 200
    assert replaced.json()["image"].endswith(".webp")

    removed = merchant_client.patch(
        f"/api/v1/products/{response.json()['id']}/", {"image": None}, format="json"
    )
    assert removed.json()["image"] is None
    assert removed.json()["thumbnail"] is None


@pytest.mark.parametrize(
    "content",
    [b"GIF89a" + b"\x00" * 64, b"<?php echo 1; ?>", b"%PDF-1.7 not an image"],
)
def test_an_image_that_is_not_jpeg_png_or_webp_is_refused(merchant_client, content):
    response = merchant_client.post(
        "/api/v1/products/",
        {"name": "Blender", "price": "4500", "image": upload(content, "photo.jpg")},
        format="multipart",
    )
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_image"
    assert "image" in response.json()["errors"]
    assert not Product.objects.exists()


def test_an_image_over_five_megabytes_is_refused(merchant_client):
    big = PNG + b"\x00" * (5 * 1024 * 1024)
    response = merchant_client.post(
        "/api/v1/products/",
        {"name": "Blender", "price": "4500", "image": upload(big, "big.png")},
        format="multipart",
    )
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_image"


def test_anonymous_visitors_and_customers_cannot_write_products(api_client, customer_client, product):
    url = f"/api/v1/products/{product.pk}/"
    assert api_client.post("/api/v1/products/", {"name": "X", "price": "1"}).status_code == 401
    assert api_client.patch(url, {"price": "1"}).status_code == 401
    assert api_client.delete(url).status_code == 401
    for response in (
        customer_client.post("/api/v1/products/", {"name": "X", "price": "1"}),
        customer_client.patch(url, {"price": "1"}),
        customer_client.delete(url),
    ):
        assert response.status_code == 403
        assert response.json()["code"] == "permission_denied"
    product.refresh_from_db()
    assert str(product.price) == "100.00"


def test_a_merchant_awaiting_kyc_cannot_sell_yet(product):
    pending = bearer_client(MerchantFactory(pending=True).user)
    for response in (
        pending.post("/api/v1/products/", {"name": "X", "price": "10"}),
        pending.patch(f"/api/v1/products/{product.pk}/", {"price": "1"}),
        pending.get("/api/v1/products/low-stock/"),
    ):
        assert response.status_code == 403
        assert response.json()["code"] == "kyc_required"
    assert Product.objects.count() == 1


def test_a_merchant_cannot_touch_another_merchants_product(product):
    rival = bearer_client(MerchantFactory().user)
    url = f"/api/v1/products/{product.pk}/"
    for response in (rival.patch(url, {"price": "1.00"}), rival.delete(url)):
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"
    product.refresh_from_db()
    assert str(product.price) == "100.00"


def test_the_owner_edits_and_deletes_its_product(merchant_client, product):
    url = f"/api/v1/products/{product.pk}/"
    response = merchant_client.patch(
        url, {"price": "120.50", "stock": 0, "is_featured": True, "currency": "usd"}
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["price"], body["stock"], body["is_featured"], body["currency"]) == ("120.50", 0, True, "USD")
    assert body["sku"] == product.sku
    assert merchant_client.patch(url, {"price": "0"}).status_code == 400
    assert merchant_client.delete(url).status_code == 204
    assert not Product.objects.filter(pk=product.pk).exists()
    assert merchant_client.get(url).status_code == 404


def test_inactive_products_are_hidden_from_everyone_but_their_merchant(api_client, merchant_client, merchant):
    hidden = ProductFactory(merchant=merchant, is_active=False)
    ProductFactory(merchant=merchant)
    assert api_client.get(f"/api/v1/products/{hidden.pk}/").status_code == 404
    assert api_client.get("/api/v1/products/").json()["count"] == 1
    assert merchant_client.get(f"/api/v1/products/{hidden.pk}/").status_code == 200
    assert merchant_client.get("/api/v1/products/").json()["count"] == 2
    rival = bearer_client(MerchantFactory().user)
    assert rival.get(f"/api/v1/products/{hidden.pk}/").status_code == 404


def test_shoppers_filter_search_and_sort_products(api_client):
    electronics = CategoryFactory(name="Electronics")
    phones = CategoryFactory(name="Phones", parent=electronics)
    android = CategoryFactory(name="Android", parent=phones)
    groceries = CategoryFactory(name="Groceries")
    shop, other_shop = MerchantFactory(), MerchantFactory()
    phone = ProductFactory(merchant=shop, category=android, name="Tecno Camon", price="25000.00", stock=3)
    tv = ProductFactory(merchant=shop, category=electronics, name="Hisense TV", price="42000.00", stock=0)
    flour = ProductFactory(
        merchant=other_shop, category=groceries, name="Jogoo Maize Flour", price="150.00", description="2kg"
    )

    def ids(query):
        response = api_client.get(f"/api/v1/products/{query}")
        assert response.status_code == 200, response.json()
        return [p["id"] for p in response.json()["results"]]

    assert set(ids(f"?category={electronics.pk}")) == {str(phone.pk), str(tv.pk)}
    assert ids(f"?category={phones.pk}") == [str(phone.pk)]
    assert ids(f"?merchant={other_shop.pk}") == [str(flour.pk)]
    assert set(ids("?min_price=200&max_price=30000")) == {str(phone.pk)}
    assert set(ids("?in_stock=true")) == {str(phone.pk), str(flour.pk)}
    assert ids("?in_stock=false") == [str(tv.pk)]
    assert ids("?search=maize") == [str(flour.pk)]
    assert ids("?search=2kg") == [str(flour.pk)]
    assert ids("?ordering=price") == [str(flour.pk), str(phone.pk), str(tv.pk)]
    assert ids("?ordering=-price") == [str(tv.pk), str(phone.pk), str(flour.pk)]
    assert ids("?category=00000000-0000-0000-0000-000000000000") == []
    for bad in ("?category=nope", "?min_price=cheap", "?merchant=1", "?in_stock=maybe"):
        response = api_client.get(f"/api/v1/products/{bad}")
        assert response.status_code == 400, bad
        assert response.json()["code"] == "validation_error"


def test_featured_shows_only_featured_active_products(api_client):
    star = ProductFactory(is_featured=True)
    ProductFactory(is_featured=True, is_active=False)
    ProductFactory()
    body = api_client.get("/api/v1/products/featured/").json()
    assert [p["id"] for p in body["results"]] == [str(star.pk)]


def test_a_merchant_sees_its_own_products_running_low(merchant_client, merchant):
    low = ProductFactory(merchant=merchant, stock=2, low_stock_threshold=5)
    at_threshold = ProductFactory(merchant=merchant, stock=5, low_stock_threshold=5)
    ProductFactory(merchant=merchant, stock=50, low_stock_threshold=5)
    ProductFactory(stock=0)  # someone else's
    body = merchant_client.get("/api/v1/products/low-stock/").json()
    assert [p["id"] for p in body["results"]] == [str(low.pk), str(at_threshold.pk)]
    assert all(p["stock"] <= p["low_stock_threshold"] for p in body["results"])


def test_the_product_list_costs_the_same_for_one_or_fifty_per_page(api_client, django_assert_num_queries):
    merchant = MerchantFactory()
    category = CategoryFactory()
    for i in range(60):
        ProductFactory(merchant=merchant, category=category, sku=f"P-{i}")
    for page_size in (1, 50):
        with django_assert_num_queries(3):  # the category's tree bounds, COUNT, the page
            response = api_client.get(f"/api/v1/products/?page_size={page_size}&category={category.pk}")
        assert len(response.json()["results"]) == page_size


def test_a_product_created_or_edited_with_an_image_stays_active(merchant_client):
    created = merchant_client.post(
        "/api/v1/products/",
        {"name": "Kikoi", "price": "900", "image": upload(PNG, "k.png")},
        format="multipart",
    )
    assert created.status_code == 201
    assert created.json()["is_active"] is True

    merchant_client.patch(f"/api/v1/products/{created.json()['id']}/", {"is_featured": True}, format="json")
    edited = merchant_client.patch(
        f"/api/v1/products/{created.json()['id']}/", {"image": upload(WEBP, "k.webp")}, format="multipart"
    )
    assert (edited.json()["is_active"], edited.json()["is_featured"]) == (True, True)

    hidden = merchant_client.patch(
        f"/api/v1/products/{created.json()['id']}/", {"is_active": "false"}, format="multipart"
    )
    assert hidden.json()["is_active"] is False
