"""Contract: Public tracking (`/api/v1/track/{code}/`, `/track/{code}/`)."""

import pytest

from tests.contract.blackbox import approved_merchant, client_for, signed_up

pytestmark = pytest.mark.django_db


@pytest.fixture
def order(admin):
    shop = approved_merchant("shop@example.com", admin)
    product = shop.post(
        "/api/v1/products/", {"name": "Kikoy", "price": "10.00", "stock": 3}, format="json"
    ).json()
    buyer = signed_up("buyer@example.com")
    placed = buyer.post(
        "/api/v1/orders/",
        {
            "items": [{"product": product["id"], "quantity": 1}],
            "phone_number": "+254711222333",
            "shipping_address": "Secret Lane 7, Karen",
        },
        format="json",
    ).json()
    shop.post(
        f"/api/v1/orders/{placed['id']}/status/",
        {"status": "confirmed", "location": "Nairobi hub", "note": "Packed"},
        format="json",
    )
    placed["shop"] = shop
    return placed


def test_anyone_with_the_code_sees_status_and_timeline_without_personal_data(order):
    response = client_for().get(f"/api/v1/track/{order['tracking_code']}/")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"order_number", "status", "merchant", "events"} | {
        "estimated_delivery",
        "merchant_contact",
    }
    assert body["order_number"] == order["order_number"]
    assert body["status"] == "confirmed"
    assert body["merchant"]
    assert [e["status"] for e in body["events"]] == ["pending", "confirmed"]
    for event in body["events"]:
        assert set(event) == {"status", "location", "note", "occurred_at"}
    assert body["events"][1]["location"] == "Nairobi hub"
    text = response.content.decode()
    for secret in ("+254711222333", "711222333", "Secret Lane", "buyer@example.com"):
        assert secret not in text


def test_a_stale_bearer_token_does_not_break_public_tracking(order):
    response = client_for("garbage.token.here").get(f"/api/v1/track/{order['tracking_code']}/")
    assert response.status_code == 200


@pytest.mark.parametrize("code", ["NOPE", "0000000000", "x" * 300, "' OR 1=1 --", "..", "ORD-1", "💥"])
def test_unknown_codes_are_a_json_404(code):
    response = client_for().get(f"/api/v1/track/{code}/")
    assert response.status_code == 404
    assert response.json()["code"]


def test_the_order_number_is_not_a_tracking_code(order):
    assert order["tracking_code"] != order["order_number"]
    assert len(order["tracking_code"]) >= 10
    assert client_for().get(f"/api/v1/track/{order['order_number']}/").status_code == 404


def test_the_html_page_shows_the_order_and_404s_for_unknown_codes(order):
    response = client_for().get(f"/track/{order['tracking_code']}/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert order["order_number"] in page
    assert "Nairobi hub" in page
    assert "+254711222333" not in page and "Secret Lane" not in page

    missing = client_for().get("/track/NO-SUCH-CODE/")
    assert missing.status_code == 404
    assert missing["Content-Type"].startswith("text/html")


def test_tracking_codes_differ_between_orders(admin):
    shop = approved_merchant("s2@example.com", admin)
    product = shop.post("/api/v1/products/", {"name": "K", "price": "1.00", "stock": 9}, format="json").json()
    buyer = signed_up("b2@example.com")
    body = {
        "items": [{"product": product["id"], "quantity": 1}],
        "phone_number": "+254700000001",
        "shipping_address": "x",
    }
    codes = {buyer.post("/api/v1/orders/", body, format="json").json()["tracking_code"] for _ in range(5)}
    assert len(codes) == 5


@pytest.mark.parametrize("path", ["/api/v1/track/%00/", "/api/v1/track/AB%00CD/", "/track/%00/"])
def test_a_nul_byte_in_a_tracking_code_is_a_404(path):
    assert client_for().get(path).status_code == 404
