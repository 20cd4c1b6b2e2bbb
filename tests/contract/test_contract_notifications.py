"""Contract: Notifications (outbox rows, admin list/retry, broadcasts)."""

import uuid

import pytest
from django.core import mail

from tests.contract.blackbox import (
    BAD_IDS,
    GARBAGE_VALUES,
    approved_merchant,
    assert_page,
    client_for,
    order_created,
    signed_up,
    webhook_post,
)

pytestmark = pytest.mark.django_db

LIST = "/api/v1/admin/notifications/"
BROADCASTS = "/api/v1/admin/broadcasts/"


@pytest.fixture
def shop(admin):
    return approved_merchant("shop@example.com", admin)


def _place(shop, buyer):
    product = shop.post(
        "/api/v1/products/", {"name": "K", "price": "10.00", "stock": 5}, format="json"
    ).json()
    response = buyer.post(
        "/api/v1/orders/",
        {
            "items": [{"product": product["id"], "quantity": 1}],
            "phone_number": "+254799000111",
            "shipping_address": "x",
        },
        format="json",
    )
    assert response.status_code == 201
    return response.json()


def test_an_order_placed_texts_the_customer_and_emails_the_admins(admin, shop):
    mail.outbox.clear()
    order = _place(shop, signed_up("buyer@example.com"))
    rows = admin.get(LIST, {"page_size": 100}).json()["results"]
    sms = [r for r in rows if r["channel"] == "sms" and r["recipient"] == "+254799000111"]
    assert sms, rows
    assert all(r["status"] in ("pending", "sent", "failed") for r in rows)
    assert any(r.get("order") == order["id"] for r in sms)
    admin_mail = [m for m in mail.outbox if any(a.startswith("admin") for a in m.to)]
    assert admin_mail, [m.to for m in mail.outbox]


def test_a_status_change_notifies_the_customer_with_the_tracking_link(admin, shop):
    secret = shop.get("/api/v1/merchants/me/webhook-secrets/").json()[0]["secret"]
    order = webhook_post(shop.merchant_id, secret, order_created("N-1")).json()
    mail.outbox.clear()
    response = shop.post(f"/api/v1/orders/{order['id']}/status/", {"status": "confirmed"}, format="json")
    assert response.status_code == 200
    to_customer = [m for m in mail.outbox if "wanjiru@example.com" in m.to]
    assert to_customer
    assert f"/track/{order['tracking_code']}/" in to_customer[-1].body
    rows = admin.get(LIST, {"channel": "sms"}).json()["results"]
    assert sum(1 for r in rows if r["recipient"] == "+254712345678") >= 2


def test_the_notification_list_is_paginated_filtered_and_admin_only(admin, shop):
    _place(shop, signed_up("buyer@example.com"))
    body = admin.get(LIST).json()
    assert_page(body)
    for row in body["results"]:
        assert {"id", "channel", "recipient", "template", "status", "attempts", "last_error"} <= set(row)
    failed = admin.get(LIST, {"status": "failed"})
    assert failed.status_code == 200
    assert all(r["status"] == "failed" for r in failed.json()["results"])
    assert shop.get(LIST).status_code == 403
    assert signed_up("c@example.com").get(LIST).status_code == 403
    assert client_for().get(LIST).status_code == 401


@pytest.mark.parametrize(
    "query",
    [{"status": "exploded"}, {"channel": "pigeon"}, {"page": "x"}, {"page_size": 10**9}, {"status": ""}],
)
def test_garbage_notification_filters_are_never_a_500(admin, query):
    assert admin.get(LIST, query).status_code in (200, 400, 404)


@pytest.mark.parametrize("bad_id", [*BAD_IDS, str(uuid.uuid4())])
def test_retrying_an_unknown_notification_is_a_404(admin, bad_id):
    assert admin.post(f"{LIST}{bad_id}/retry/").status_code == 404


def test_retrying_a_sent_notification_never_500s(admin, shop):
    _place(shop, signed_up("buyer@example.com"))
    row = admin.get(LIST).json()["results"][0]
    response = admin.post(f"{LIST}{row['id']}/retry/")
    assert response.status_code in (200, 409)
    assert shop.post(f"{LIST}{row['id']}/retry/").status_code == 403


def test_a_broadcast_is_accepted_and_counts_are_visible(admin, shop):
    signed_up("c1@example.com", phone_number="+254700000001")
    signed_up("c2@example.com", phone_number="+254700000002")
    response = admin.post(
        BROADCASTS,
        {"audience": "customers", "channels": ["sms", "email"], "subject": "Hi", "message": "We are up."},
        format="json",
    )
    assert response.status_code == 202
    body = response.json()
    assert set(body) == {"id", "recipients"}
    assert body["recipients"] >= 2
    detail = admin.get(f"{BROADCASTS}{body['id']}/")
    assert detail.status_code == 200
    assert {"sent", "failed"} <= set(detail.json())
    assert detail.json()["sent"] + detail.json()["failed"] <= detail.json().get("total", 10**6)


@pytest.mark.parametrize("audience", ["admins", "merchants", "customers"])
def test_every_audience_is_accepted(admin, shop, audience):
    response = admin.post(
        BROADCASTS, {"audience": audience, "channels": ["email"], "message": "m"}, format="json"
    )
    assert response.status_code == 202


@pytest.mark.parametrize(
    "body",
    [
        {"audience": "everyone", "channels": ["sms"], "message": "m"},
        {"audience": "admins", "channels": ["pigeon"], "message": "m"},
        {"audience": "admins", "channels": [], "message": "m"},
        {"audience": "admins", "channels": "sms", "message": "m"},
        {"audience": "admins", "channels": ["sms"]},
        {"audience": "admins", "channels": ["sms"], "message": ""},
        {"channels": ["sms"], "message": "m"},
        {},
    ],
)
def test_invalid_broadcasts_are_a_400(admin, body):
    response = admin.post(BROADCASTS, body, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "validation_error"


@pytest.mark.parametrize("value", GARBAGE_VALUES)
def test_garbage_broadcast_fields_are_never_a_500(admin, value):
    for field in ["audience", "channels", "subject", "message"]:
        body = {"audience": "admins", "channels": ["email"], "message": "m", field: value}
        assert admin.post(BROADCASTS, body, format="json").status_code in (202, 400)


def test_broadcasts_are_admin_only(shop):
    body = {"audience": "admins", "channels": ["sms"], "message": "m"}
    assert shop.post(BROADCASTS, body, format="json").status_code == 403
    assert client_for().post(BROADCASTS, body, format="json").status_code == 401


@pytest.mark.parametrize("bad_id", [*BAD_IDS, str(uuid.uuid4())])
def test_an_unknown_broadcast_is_a_404(admin, bad_id):
    assert admin.get(f"{BROADCASTS}{bad_id}/").status_code == 404
