"""Contract: Orders (`/api/v1/orders/…`, `/api/v1/admin/dashboard/`)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.contract.blackbox import (
    BAD_IDS,
    GARBAGE_VALUES,
    ITEM_FIELDS,
    ORDER_FIELDS,
    approved_merchant,
    assert_money,
    assert_page,
    client_for,
    signed_up,
)

pytestmark = pytest.mark.django_db

EVENT_FIELDS = {"status", "location", "note", "occurred_at", "source"}
HAPPY_PATH = ["confirmed", "processing", "shipped", "in_transit", "out_for_delivery", "delivered"]


class World:
    def __init__(self, admin):
        self.admin = admin
        self.shop = approved_merchant("shop@example.com", admin)
        self.rival = approved_merchant("rival@example.com", admin)
        self.buyer = signed_up("buyer@example.com", first_name="Amina", last_name="Otieno")
        self.stranger = signed_up("stranger@example.com")
        self.kikoy = self.product(self.shop, name="Kikoy", price="750.00", stock=5)
        self.shuka = self.product(self.shop, name="Shuka", price="1200.50", stock=2)
        self.hat = self.product(self.rival, name="Hat", price="300.00", stock=9)

    @staticmethod
    def product(merchant, **fields):
        response = merchant.post("/api/v1/products/", fields, format="json")
        assert response.status_code == 201, response.content
        return response.json()

    def order(self, client=None, items=None, **extra):
        body = {
            "items": items or [{"product": self.kikoy["id"], "quantity": 2}],
            "phone_number": "+254712345678",
            "shipping_address": "Moi Avenue 1, Nairobi",
            **extra,
        }
        return (client or self.buyer).post("/api/v1/orders/", body, format="json", **extra.pop("headers", {}))

    def placed(self, **kw):
        response = self.order(**kw)
        assert response.status_code == 201, response.content
        return response.json()

    def stock(self, product):
        return client_for().get(f"/api/v1/products/{product['id']}/").json()["stock"]


@pytest.fixture
def world(admin):
    return World(admin)


def test_a_customer_places_an_order_and_stock_is_taken(world):
    response = world.order(
        items=[{"product": world.kikoy["id"], "quantity": 2}, {"product": world.shuka["id"], "quantity": 1}],
        note="Ring twice",
    )
    assert response.status_code == 201
    order = response.json()
    assert set(order) == ORDER_FIELDS
    assert order["status"] == "pending"
    assert order["source"] == "api"
    assert order["merchant"] == world.shop.merchant_id
    assert order["phone_number"] == "+254712345678"
    assert order["total_amount"] == "2700.50"
    assert order["currency"] == "KES"
    assert_money(order["total_amount"])
    assert len(order["tracking_code"]) >= 10
    assert order["tracking_code"] not in order["order_number"]
    for item in order["items"]:
        assert set(item) == ITEM_FIELDS
        assert_money(item["unit_price"])
        assert_money(item["line_total"])
    kikoy_line = next(i for i in order["items"] if i["product"] == world.kikoy["id"])
    assert kikoy_line == {
        "product": world.kikoy["id"],
        "sku": world.kikoy["sku"],
        "name": "Kikoy",
        "quantity": 2,
        "unit_price": "750.00",
        "line_total": "1500.00",
    }
    assert world.stock(world.kikoy) == 3
    assert world.stock(world.shuka) == 1


def test_the_order_phone_is_stored_in_e164_and_a_bad_one_is_a_400(world):
    assert world.placed(phone_number="0712 345 678")["phone_number"] == "+254712345678"
    response = world.order(phone_number="12")
    assert response.status_code == 400
    assert "phone_number" in response.json()["errors"]


def test_products_of_two_merchants_are_mixed_merchants(world):
    response = world.order(
        items=[{"product": world.kikoy["id"], "quantity": 1}, {"product": world.hat["id"], "quantity": 1}]
    )
    assert response.status_code == 400
    assert response.json()["code"] == "mixed_merchants"
    assert world.stock(world.kikoy) == 5


def test_insufficient_stock_names_the_products_short_and_takes_nothing(world):
    response = world.order(
        items=[{"product": world.kikoy["id"], "quantity": 1}, {"product": world.shuka["id"], "quantity": 3}]
    )
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "insufficient_stock"
    assert "Shuka" in str(body) or world.shuka["id"] in str(body)
    assert world.kikoy["id"] not in str(body.get("products", ""))
    assert world.stock(world.kikoy) == 5
    assert world.stock(world.shuka) == 2


def test_the_same_idempotency_key_returns_the_first_order(world):
    body = {
        "items": [{"product": world.kikoy["id"], "quantity": 1}],
        "phone_number": "+254712345678",
        "shipping_address": "Moi Avenue 1",
    }
    first = world.buyer.post("/api/v1/orders/", body, format="json", HTTP_IDEMPOTENCY_KEY="key-1")
    again = world.buyer.post("/api/v1/orders/", body, format="json", HTTP_IDEMPOTENCY_KEY="key-1")
    assert first.status_code == 201
    assert again.status_code in (200, 201)
    assert again.json()["id"] == first.json()["id"]
    assert world.stock(world.kikoy) == 4
    assert world.buyer.get("/api/v1/orders/").json()["count"] == 1
    other_user = world.stranger.post("/api/v1/orders/", body, format="json", HTTP_IDEMPOTENCY_KEY="key-1")
    assert other_user.status_code == 201
    assert other_user.json()["id"] != first.json()["id"]


@pytest.mark.parametrize("key", ["", " ", "x" * 5000, "ключ"])
def test_odd_idempotency_keys_never_500(world, key):
    body = {
        "items": [{"product": world.kikoy["id"], "quantity": 1}],
        "phone_number": "+254712345678",
        "shipping_address": "Moi Avenue 1",
    }
    response = world.buyer.post("/api/v1/orders/", body, format="json", HTTP_IDEMPOTENCY_KEY=key)
    assert response.status_code in (200, 201, 400)


def test_merchants_and_admins_cannot_place_orders_anonymous_gets_401(world):
    for client in (world.shop, world.admin):
        assert world.order(client=client).status_code == 403
    assert world.order(client=client_for()).status_code == 401


@pytest.mark.parametrize(
    "items",
    [
        [],
        None,
        "x",
        [{}],
        [{"product": "not-a-uuid", "quantity": 1}],
        [{"product": "00000000-0000-0000-0000-000000000000", "quantity": 1}],
        [{"product": "KIKOY", "quantity": 0}],
        [{"product": "KIKOY", "quantity": -1}],
        [{"product": "KIKOY", "quantity": 10**30}],
        [{"product": "KIKOY", "quantity": 2**31}],
        [{"product": "KIKOY", "quantity": "two"}],
        [{"product": "KIKOY", "quantity": 1.5}],
        [{"product": "KIKOY"}],
        [{"product": "KIKOY", "quantity": 1}, {"product": "KIKOY", "quantity": 1}],
        [{"product": ["KIKOY"], "quantity": 1}],
        [[1, 2]],
        [{"product": "KIKOY", "quantity": 1}] * 1000,
    ],
)
def test_bad_items_are_a_4xx_and_take_no_stock(world, items):
    if isinstance(items, list):
        items = [
            {k: (world.kikoy["id"] if v == "KIKOY" else v) for k, v in i.items()}
            if isinstance(i, dict)
            else i
            for i in items
        ]
    response = world.order(items=items)
    assert response.status_code in (201, 400, 409)
    if response.status_code != 201:
        assert world.stock(world.kikoy) == 5


@pytest.mark.parametrize("value", GARBAGE_VALUES)
def test_garbage_order_fields_are_never_a_500(world, value):
    for field in ["phone_number", "shipping_address", "note"]:
        assert world.order(**{field: value}).status_code in (201, 400)


def test_a_non_json_body_is_a_4xx(world):
    for body, ctype in (("{bad", "application/json"), ("[]", "application/json"), ("a=b", "text/plain")):
        response = world.buyer.generic("POST", "/api/v1/orders/", body, content_type=ctype)
        assert 400 <= response.status_code < 500


def test_order_lists_are_scoped_by_role(world):
    mine = world.placed()
    theirs = world.placed(client=world.stranger)
    rival_order = world.placed(items=[{"product": world.hat["id"], "quantity": 1}])

    def ids(client, **query):
        response = client.get("/api/v1/orders/", query)
        assert response.status_code == 200
        assert_page(response.json())
        return {o["id"] for o in response.json()["results"]}

    assert ids(world.buyer) == {mine["id"], rival_order["id"]}
    assert ids(world.stranger) == {theirs["id"]}
    assert ids(world.shop) == {mine["id"], theirs["id"]}
    assert ids(world.rival) == {rival_order["id"]}
    assert ids(world.admin) == {mine["id"], theirs["id"], rival_order["id"]}
    assert client_for().get("/api/v1/orders/").status_code == 401


def test_order_list_filters(world):
    first = world.placed()
    second = world.placed()
    world.shop.post(f"/api/v1/orders/{second['id']}/status/", {"status": "confirmed"}, format="json")
    results = world.buyer.get("/api/v1/orders/", {"status": "confirmed"}).json()["results"]
    assert [o["id"] for o in results] == [second["id"]]
    future = (timezone.now() + timedelta(days=1)).isoformat()
    past = (timezone.now() - timedelta(days=1)).isoformat()
    assert world.buyer.get("/api/v1/orders/", {"created_after": future}).json()["count"] == 0
    assert world.buyer.get("/api/v1/orders/", {"created_after": past}).json()["count"] == 2
    assert world.buyer.get("/api/v1/orders/", {"created_before": past}).json()["count"] == 0
    assert first["id"]


@pytest.mark.parametrize(
    "query",
    [
        {"status": "teleported"},
        {"created_after": "yesterday"},
        {"created_before": "2024-13-45"},
        {"created_after": "9999999999999999"},
        {"page_size": 1000},
        {"page": "last"},
        {"page": 10**20},
        {"status": "\x00"},
        {"created_after": "2024-01-01T00:00:00\x00"},
    ],
)
def test_garbage_order_filters_are_never_a_500(world, query):
    assert world.buyer.get("/api/v1/orders/", query).status_code in (200, 400, 404)


def test_orders_page_size_is_capped_at_100(world):
    kilo = world.product(world.shop, name="Beans", price="1.00", stock=1000)
    for _ in range(101):
        world.placed(items=[{"product": kilo["id"], "quantity": 1}])
    body = world.buyer.get("/api/v1/orders/", {"page_size": 500}).json()
    assert body["count"] == 101
    assert len(body["results"]) == 100


def test_an_order_is_visible_to_owner_merchant_and_admin_only(world):
    order = world.placed()
    url = f"/api/v1/orders/{order['id']}/"
    for client in (world.buyer, world.shop, world.admin):
        response = client.get(url)
        assert response.status_code == 200
        assert set(response.json()) == ORDER_FIELDS
    for client in (world.stranger, world.rival):
        for path in (url, url + "tracking/"):
            assert client.get(path).status_code == 404
        assert client.post(url + "cancel/", {}, format="json").status_code == 404
    assert world.stranger.patch(url, {"note": "x"}, format="json").status_code == 404
    # a merchant may not edit orders at all (role, not object): 403 reveals nothing
    assert world.rival.patch(url, {"note": "x"}, format="json").status_code in (403, 404)
    assert world.rival.post(url + "status/", {"status": "confirmed"}, format="json").status_code == 404
    assert client_for().get(url).status_code == 401


@pytest.mark.parametrize("bad_id", BAD_IDS)
@pytest.mark.parametrize("suffix", ["", "tracking/", "cancel/", "status/"])
def test_unknown_order_ids_are_a_404(world, bad_id, suffix):
    url = f"/api/v1/orders/{bad_id}/{suffix}"
    client = world.admin
    if suffix in ("cancel/", "status/"):
        response = client.post(url, {"status": "confirmed"}, format="json")
    else:
        response = client.get(url)
    assert response.status_code == 404


def test_the_owner_edits_contact_details_while_pending_only(world):
    order = world.placed()
    url = f"/api/v1/orders/{order['id']}/"
    response = world.buyer.patch(
        url, {"phone_number": "0733 000 111", "shipping_address": "Ngong Rd", "note": "Gate B"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["phone_number"] == "+254733000111"
    assert response.json()["shipping_address"] == "Ngong Rd"
    items_before = response.json()["items"]
    world.buyer.patch(url, {"items": [{"product": world.shuka["id"], "quantity": 1}]}, format="json")
    assert world.buyer.get(url).json()["items"] == items_before

    assert world.buyer.patch(url, {"phone_number": "12"}, format="json").status_code == 400
    world.shop.post(url + "status/", {"status": "confirmed"}, format="json")
    late = world.buyer.patch(url, {"note": "too late"}, format="json")
    assert late.status_code == 409
    assert late.json()["code"] == "order_not_editable"


def test_the_merchant_cannot_edit_the_customers_details(world):
    order = world.placed()
    response = world.shop.patch(f"/api/v1/orders/{order['id']}/", {"note": "mine"}, format="json")
    assert response.status_code in (403, 404)


def test_the_merchant_moves_an_order_along_the_lifecycle_and_the_timeline_grows(world):
    order = world.placed()
    url = f"/api/v1/orders/{order['id']}/"
    for status in HAPPY_PATH:
        response = world.shop.post(
            url + "status/", {"status": status, "location": "Nairobi", "note": status}, format="json"
        )
        assert response.status_code == 200, (status, response.content)
        assert response.json()["status"] == status
    events = world.buyer.get(url + "tracking/")
    assert events.status_code == 200
    assert isinstance(events.json(), list)
    assert [e["status"] for e in events.json()] == ["pending", *HAPPY_PATH]
    for event in events.json():
        assert set(event) == EVENT_FIELDS
    assert events.json()[-1]["location"] == "Nairobi"
    occurred = [e["occurred_at"] for e in events.json()]
    assert occurred == sorted(occurred)

    final = world.shop.post(url + "status/", {"status": "processing"}, format="json")
    assert final.status_code == 409
    assert final.json()["code"] == "invalid_transition"


@pytest.mark.parametrize(
    "path,target",
    [
        (["confirmed"], "shipped"),
        ([], "delivered"),
        (["confirmed", "processing", "shipped"], "cancelled"),
        (
            ["confirmed", "processing", "shipped", "in_transit", "out_for_delivery", "delivery_failed"],
            "delivered",
        ),
        (["cancelled"], "confirmed"),
        ([], "pending"),
    ],
)
def test_moves_the_lifecycle_forbids_are_invalid_transition(world, path, target):
    order = world.placed()
    url = f"/api/v1/orders/{order['id']}/status/"
    for status in path:
        assert world.shop.post(url, {"status": status}, format="json").status_code == 200
    response = world.shop.post(url, {"status": target}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "invalid_transition"


def test_a_failed_delivery_can_be_retried_or_returned(world):
    order = world.placed()
    url = f"/api/v1/orders/{order['id']}/status/"
    for status in [*HAPPY_PATH[:-1], "delivery_failed", "out_for_delivery", "delivery_failed", "returned"]:
        assert world.admin.post(url, {"status": status}, format="json").status_code == 200, status


@pytest.mark.parametrize("value", [*GARBAGE_VALUES, "teleported", "PENDING"])
def test_garbage_status_updates_are_a_400(world, value):
    order = world.placed()
    url = f"/api/v1/orders/{order['id']}/status/"
    assert world.shop.post(url, {"status": value}, format="json").status_code == 400
    for field in ("location", "note"):
        response = world.shop.post(url, {"status": "confirmed", field: value}, format="json")
        assert response.status_code in (200, 400, 409)


def test_customers_cannot_set_status(world):
    order = world.placed()
    response = world.buyer.post(
        f"/api/v1/orders/{order['id']}/status/", {"status": "confirmed"}, format="json"
    )
    assert response.status_code in (403, 404)


def test_cancelling_restores_stock_exactly_once(world):
    order = world.placed()
    url = f"/api/v1/orders/{order['id']}/cancel/"
    response = world.buyer.post(url, {"reason": "Changed my mind"}, format="json")
    assert response.status_code == 200
    assert world.buyer.get(f"/api/v1/orders/{order['id']}/").json()["status"] == "cancelled"
    assert world.stock(world.kikoy) == 5
    again = world.buyer.post(url, {}, format="json")
    assert again.status_code == 409
    assert world.stock(world.kikoy) == 5
    assert world.admin.post(url, {}, format="json").status_code == 409
    assert world.stock(world.kikoy) == 5


def test_the_customer_may_cancel_only_while_pending_or_confirmed(world):
    confirmed = world.placed()
    world.shop.post(f"/api/v1/orders/{confirmed['id']}/status/", {"status": "confirmed"}, format="json")
    assert world.buyer.post(f"/api/v1/orders/{confirmed['id']}/cancel/", {}, format="json").status_code == 200

    processing = world.placed()
    for status in ("confirmed", "processing"):
        world.shop.post(f"/api/v1/orders/{processing['id']}/status/", {"status": status}, format="json")
    response = world.buyer.post(f"/api/v1/orders/{processing['id']}/cancel/", {}, format="json")
    assert response.status_code in (403, 409)
    assert world.shop.post(f"/api/v1/orders/{processing['id']}/cancel/", {}, format="json").status_code == 200
    assert world.stock(world.kikoy) == 5


@pytest.mark.parametrize("value", GARBAGE_VALUES)
def test_garbage_cancel_reasons_are_never_a_500(world, value):
    order = world.placed()
    response = world.buyer.post(f"/api/v1/orders/{order['id']}/cancel/", {"reason": value}, format="json")
    assert response.status_code in (200, 400)


def test_stock_never_goes_below_zero(world):
    world.placed(items=[{"product": world.shuka["id"], "quantity": 2}])
    response = world.order(items=[{"product": world.shuka["id"], "quantity": 1}])
    assert response.status_code == 409
    assert world.stock(world.shuka) == 0


def test_the_admin_dashboard(world):
    world.placed()
    response = world.admin.get("/api/v1/admin/dashboard/")
    assert response.status_code == 200
    body = response.json()
    text = str(body)
    assert "pending" in text and "KES" in text
    assert world.buyer.get("/api/v1/admin/dashboard/").status_code == 403
    assert world.shop.get("/api/v1/admin/dashboard/").status_code == 403
    assert client_for().get("/api/v1/admin/dashboard/").status_code == 401
