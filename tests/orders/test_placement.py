"""A customer places orders through POST /api/v1/orders/."""

from decimal import Decimal

import pytest

from catalog.models import Product
from orders.models import Order, TrackingEvent
from orders.signals import order_placed
from tests.contract.blackbox import ITEM_FIELDS, ORDER_FIELDS
from tests.factories import MerchantFactory, ProductFactory, order_body

pytestmark = pytest.mark.django_db
URL = "/api/v1/orders/"


def test_customer_places_an_order_and_gets_it_back_with_the_contract_fields(
    customer_client, customer, product
):
    product.price = Decimal("250.50")
    product.save()

    response = customer_client.post(URL, order_body((product, 3), note="Ring twice"))

    assert response.status_code == 201, response.json()
    body = response.json()
    assert set(body) == ORDER_FIELDS
    assert set(body["items"][0]) == ITEM_FIELDS
    assert body["status"] == "pending"
    assert body["source"] == "api"
    assert body["external_id"] is None
    assert body["merchant"] == str(product.merchant_id)
    assert body["phone_number"] == "+254712000111"
    assert body["email"] == customer.email
    assert body["customer_name"] == customer.get_full_name()
    assert body["items"] == [
        {
            "product": str(product.pk),
            "sku": product.sku,
            "name": product.name,
            "quantity": 3,
            "unit_price": "250.50",
            "line_total": "751.50",
        }
    ]
    assert body["total_amount"] == "751.50"
    assert body["currency"] == "KES"
    assert body["order_number"].startswith("OT-")
    assert len(body["tracking_code"]) >= 10
    product.refresh_from_db()
    assert product.stock == 7
    assert list(TrackingEvent.objects.filter(order_id=body["id"]).values_list("status", flat=True)) == [
        "pending"
    ]


def test_order_numbers_and_tracking_codes_never_repeat(customer_client, merchant):
    products = ProductFactory.create_batch(5, merchant=merchant)
    bodies = [customer_client.post(URL, order_body((p, 1))).json() for p in products]
    assert len({b["order_number"] for b in bodies}) == 5
    assert len({b["tracking_code"] for b in bodies}) == 5
    assert not any(b["order_number"] in b["tracking_code"] for b in bodies)


def test_the_same_product_listed_twice_becomes_one_line(customer_client, product):
    response = customer_client.post(URL, order_body((product, 2), (product, 3)))
    assert response.status_code == 201
    assert [(i["quantity"], i["line_total"]) for i in response.json()["items"]] == [(5, "500.00")]
    product.refresh_from_db()
    assert product.stock == 5


def test_products_of_two_merchants_cannot_share_an_order(customer_client, product):
    other = ProductFactory(merchant=MerchantFactory())
    response = customer_client.post(URL, order_body((product, 1), (other, 1)))
    assert response.status_code == 400
    assert response.json()["code"] == "mixed_merchants"
    assert Order.objects.count() == 0
    assert set(Product.objects.values_list("stock", flat=True)) == {10}


def test_ordering_more_than_is_in_stock_names_the_products_short(customer_client, merchant):
    plenty = ProductFactory(merchant=merchant, stock=10, name="Plenty")
    scarce = ProductFactory(merchant=merchant, stock=1, name="Scarce")

    response = customer_client.post(URL, order_body((plenty, 2), (scarce, 2)))

    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "insufficient_stock"
    assert "Scarce" in body["detail"] and "Plenty" not in body["detail"]
    assert body["products"] == [{"product": str(scarce.pk), "name": "Scarce", "requested": 2, "available": 1}]
    plenty.refresh_from_db()
    assert plenty.stock == 10  # nothing is taken when anything is short
    assert Order.objects.count() == 0


@pytest.mark.parametrize(
    "make_product",
    [
        lambda m: ProductFactory(merchant=m, is_active=False),
        lambda m: ProductFactory(merchant=MerchantFactory(pending=True)),
    ],
    ids=["inactive-product", "merchant-awaiting-kyc"],
)
def test_products_not_for_sale_cannot_be_ordered(customer_client, merchant, make_product):
    response = customer_client.post(URL, order_body((make_product(merchant), 1)))
    assert response.status_code == 400
    assert response.json()["code"] == "product_unavailable"


def test_an_unknown_product_is_a_400_not_a_500(customer_client):
    body = order_body()
    body["items"] = [{"product": "6f1c5a8e-0000-4000-8000-000000000000", "quantity": 1}]
    response = customer_client.post(URL, body)
    assert response.status_code == 400
    assert response.json()["code"] == "product_unavailable"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"items": []}, "items"),
        ({"items": [{"product": "not-a-uuid", "quantity": 1}]}, "items"),
        ({"quantity": 0}, "items"),
        ({"quantity": -3}, "items"),
        ({"quantity": "many"}, "items"),
        ({"phone_number": "12"}, "phone_number"),
        ({"shipping_address": ""}, "shipping_address"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(customer_client, product, change, field):
    body = order_body((product, 1))
    if "quantity" in change:
        body["items"][0]["quantity"] = change.pop("quantity")
    body.update(change)
    response = customer_client.post(URL, body)
    assert response.status_code == 400
    assert response.json()["code"] == "validation_error"
    assert field in response.json()["errors"]
    product.refresh_from_db()
    assert product.stock == 10


def test_only_customers_place_orders(merchant_client, admin_client, api_client, product):
    assert api_client.post(URL, order_body((product, 1))).status_code == 401
    assert merchant_client.post(URL, order_body((product, 1))).status_code == 403
    assert admin_client.post(URL, order_body((product, 1))).status_code == 403
    assert Order.objects.count() == 0


def test_repeating_a_request_with_its_idempotency_key_returns_the_first_order(customer_client, product):
    first = customer_client.post(URL, order_body((product, 2)), HTTP_IDEMPOTENCY_KEY="checkout-42")
    again = customer_client.post(URL, order_body((product, 2)), HTTP_IDEMPOTENCY_KEY="checkout-42")

    assert first.status_code == 201
    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    assert Order.objects.count() == 1
    product.refresh_from_db()
    assert product.stock == 8


def test_idempotency_keys_belong_to_one_customer(customer_client, product):
    from tests.conftest import bearer_client
    from tests.factories import CustomerFactory

    other_client = bearer_client(CustomerFactory())
    mine = customer_client.post(URL, order_body((product, 1)), HTTP_IDEMPOTENCY_KEY="k-1")
    theirs = other_client.post(URL, order_body((product, 1)), HTTP_IDEMPOTENCY_KEY="k-1")
    assert mine.status_code == theirs.status_code == 201
    assert mine.json()["id"] != theirs.json()["id"]


def test_an_overlong_idempotency_key_is_refused(customer_client, product):
    response = customer_client.post(URL, order_body((product, 1)), HTTP_IDEMPOTENCY_KEY="k" * 101)
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_idempotency_key"
    assert Order.objects.count() == 0


def test_placing_an_order_tells_listeners_once_inside_the_transaction(customer_client, product):
    seen = []

    def receiver(sender, order, **kwargs):
        from django.db import connection

        seen.append((order.order_number, connection.in_atomic_block))

    order_placed.connect(receiver)
    try:
        body = customer_client.post(URL, order_body((product, 1)), HTTP_IDEMPOTENCY_KEY="once").json()
        customer_client.post(URL, order_body((product, 1)), HTTP_IDEMPOTENCY_KEY="once")
    finally:
        order_placed.disconnect(receiver)
    assert seen == [(body["order_number"], True)]


def test_a_failing_listener_leaves_no_order_and_no_stock_taken(customer_client, product):
    def receiver(sender, order, **kwargs):
        raise RuntimeError("outbox unavailable")

    customer_client.raise_request_exception = False
    order_placed.connect(receiver)
    try:
        assert customer_client.post(URL, order_body((product, 4))).status_code == 500
    finally:
        order_placed.disconnect(receiver)
    product.refresh_from_db()
    assert product.stock == 10
    assert Order.objects.count() == 0
