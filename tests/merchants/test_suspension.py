"""An operator suspends a merchant and reactivates it: the merchant is told, its writes and webhooks stop, its
customers can still follow their orders, and reactivation gives everything back."""

import pytest
from django.core import mail

from merchants.models import Merchant, WebhookSecret
from tests.conftest import bearer_client
from tests.factories import CustomerFactory, KYCSubmissionFactory, ProductFactory, placed_order
from tests.webhooks.platform import Platform, new_secret, order_created_event

pytestmark = pytest.mark.django_db

REASON = "Chargebacks above 5 % this month; we are looking into it."


def admin_url(merchant, action: str) -> str:
    return f"/api/v1/admin/merchants/{merchant.pk}/{action}/"


@pytest.fixture
def shop(merchant, category):
    """The merchant's platform (with its signing secret), a product and an order a customer placed."""
    secret = new_secret()
    WebhookSecret.objects.create(merchant=merchant, secret=secret)
    product = ProductFactory(merchant=merchant, category=category, stock=10)
    order = placed_order(product=product)
    return Platform(merchant, secret), product, order


def suspend(admin_client, merchant, capture, reason=REASON):
    with capture(execute=True):
        return admin_client.post(admin_url(merchant, "suspend"), {"reason": reason}, format="json")


def test_a_suspended_merchant_is_told_why_and_can_no_longer_write(
    admin_client, admin_user, merchant, merchant_client, shop, django_capture_on_commit_callbacks
):
    platform, product, order = shop
    emails_before = len(mail.outbox)

    response = suspend(admin_client, merchant, django_capture_on_commit_callbacks)

    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["id"], body["is_active"], body["kyc_status"]) == (str(merchant.pk), False, "approved")
    assert body["suspension_reason"] == REASON and body["suspended_at"]
    merchant.refresh_from_db()
    assert merchant.is_suspended and merchant.suspended_by == admin_user
    (email,) = mail.outbox[emails_before:]
    assert email.to == [merchant.user.email]
    assert "suspended" in email.subject.lower()
    assert REASON in email.body

    writes = [
        merchant_client.post("/api/v1/merchants/me/webhook-secrets/rotate/"),
        merchant_client.patch(f"/api/v1/products/{product.pk}/", {"stock": 5}, format="json"),
        merchant_client.post(f"/api/v1/orders/{order.pk}/status/", {"status": "confirmed"}, format="json"),
        platform.send(order_created_event("SHOP-2001")),
    ]
    assert [(w.status_code, w.json()["code"]) for w in writes] == [(403, "merchant_suspended")] * 4
    product.refresh_from_db()
    assert product.stock == 9  # 10, less the order placed before the suspension
    assert not merchant.orders.filter(external_id="SHOP-2001").exists()


def test_a_suspended_merchant_still_reads_and_its_customers_still_track(
    admin_client, merchant, merchant_client, shop, api_client, django_capture_on_commit_callbacks
):
    _, _, order = shop
    suspend(admin_client, merchant, django_capture_on_commit_callbacks)

    me = merchant_client.get("/api/v1/merchants/me/").json()
    assert (me["kyc_status"], me["is_active"]) == ("approved", False)
    assert merchant_client.get("/api/v1/orders/").json()["count"] == 1
    assert merchant_client.get("/api/v1/merchants/me/webhook-secrets/").status_code == 200
    assert merchant_client.get("/api/v1/merchants/me/webhook-deliveries/").status_code == 200

    tracked = api_client.get(f"/api/v1/track/{order.tracking_code}/")
    assert tracked.status_code == 200
    assert tracked.json()["status"] == "pending"
    assert api_client.get(f"/track/{order.tracking_code}/").status_code == 200
    customer_view = bearer_client(order.customer).get(f"/api/v1/orders/{order.pk}/")
    assert customer_view.status_code == 200


def test_customers_cannot_order_from_a_suspended_merchant(
    admin_client, merchant, shop, django_capture_on_commit_callbacks
):
    _, product, _ = shop
    suspend(admin_client, merchant, django_capture_on_commit_callbacks)

    response = bearer_client(CustomerFactory()).post(
        "/api/v1/orders/",
        {
            "items": [{"product": str(product.pk), "quantity": 1}],
            "phone_number": "+254712000222",
            "shipping_address": "Moi Avenue 2, Nairobi",
        },
        format="json",
    )
    assert (response.status_code, response.json()["code"]) == (400, "product_unavailable")
    assert product.order_items.count() == 1  # only the order placed before the suspension


def test_reactivation_restores_writes_and_webhooks_with_the_same_secret(
    admin_client, merchant, merchant_client, shop, django_capture_on_commit_callbacks
):
    platform, product, _ = shop
    suspend(admin_client, merchant, django_capture_on_commit_callbacks)
    emails_before = len(mail.outbox)

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(admin_url(merchant, "reactivate"))

    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["is_active"], body["suspended_at"], body["suspension_reason"]) == (True, None, "")
    (email,) = mail.outbox[emails_before:]
    assert email.to == [merchant.user.email] and "active again" in email.subject
    assert platform.send(order_created_event("SHOP-3001")).status_code == 201
    assert (
        merchant_client.patch(f"/api/v1/products/{product.pk}/", {"stock": 4}, format="json").status_code
        == 200
    )
    assert merchant_client.post("/api/v1/merchants/me/webhook-secrets/rotate/").status_code == 201


def test_suspension_needs_a_reason_and_an_approved_merchant(
    admin_client, merchant, django_capture_on_commit_callbacks
):
    for reason in ("", "   "):
        blank = suspend(admin_client, merchant, django_capture_on_commit_callbacks, reason=reason)
        assert blank.status_code == 400
        assert blank.json()["code"] == "validation_error" and "reason" in blank.json()["errors"]
    pending = KYCSubmissionFactory().merchant
    refused = suspend(admin_client, pending, django_capture_on_commit_callbacks)
    assert (refused.status_code, refused.json()["code"]) == (409, "merchant_not_approved")
    assert Merchant.objects.filter(suspended_at__isnull=False).count() == 0


def test_suspending_twice_or_reactivating_an_active_merchant_is_a_conflict(
    admin_client, merchant, django_capture_on_commit_callbacks
):
    not_suspended = admin_client.post(admin_url(merchant, "reactivate"))
    assert (not_suspended.status_code, not_suspended.json()["code"]) == (409, "merchant_not_suspended")
    assert suspend(admin_client, merchant, django_capture_on_commit_callbacks).status_code == 200
    again = suspend(admin_client, merchant, django_capture_on_commit_callbacks)
    assert (again.status_code, again.json()["code"]) == (409, "merchant_already_suspended")


def test_an_unknown_merchant_is_a_404(admin_client):
    missing = "00000000-0000-4000-8000-000000000000"
    response = admin_client.post(
        f"/api/v1/admin/merchants/{missing}/suspend/", {"reason": "x"}, format="json"
    )
    assert (response.status_code, response.json()["code"]) == (404, "not_found")
    assert admin_client.post(f"/api/v1/admin/merchants/{missing}/reactivate/").status_code == 404


def test_the_merchant_list_filters_suspended_merchants_by_is_active(
    admin_client, merchant, django_capture_on_commit_callbacks
):
    suspend(admin_client, merchant, django_capture_on_commit_callbacks)
    inactive = admin_client.get("/api/v1/admin/merchants/?is_active=false").json()["results"]
    assert [m["id"] for m in inactive] == [str(merchant.pk)]
    assert inactive[0]["suspension_reason"] == REASON
