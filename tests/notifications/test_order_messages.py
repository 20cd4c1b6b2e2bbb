"""Who is written to about an order, and in which language: the customer in the order's language (from the
platform, else their profile, else DEFAULT_LANGUAGE), the admins in DEFAULT_LANGUAGE, the merchant (API orders,
unless turned off) in its account's language."""

import pytest
from django.urls import reverse

from merchants.models import WebhookSecret
from notifications.messages import message_render_email
from notifications.models import Notification
from orders.models import Order
from tests.conftest import bearer_client
from tests.factories import CustomerFactory, ProductFactory, order_body
from tests.webhooks.platform import Platform, new_secret, order_created_event

pytestmark = pytest.mark.django_db


def rows(order):
    return sorted(
        Notification.objects.filter(order=order).values_list("template", "recipient", "context__language")
    )


def place(customer, product) -> Order:
    response = bearer_client(customer).post("/api/v1/orders/", order_body((product, 1)), format="json")
    assert response.status_code == 201, response.json()
    return Order.objects.get(pk=response.json()["id"])


def test_an_api_order_is_written_in_the_customers_profile_language(merchant, settings):
    settings.ADMIN_NOTIFICATION_EMAILS = ["ops@ordertrail.test"]
    customer = bearer_client(CustomerFactory())
    assert customer.patch("/api/v1/auth/me/", {"language": "sw"}, format="json").json()["language"] == "sw"
    merchant.user.language = "sw"
    merchant.user.save(update_fields=["language"])

    order = place(customer.user, ProductFactory(merchant=merchant))

    assert order.language == "sw"
    assert rows(order) == [
        ("order_placed", "+254712000111", "sw"),
        ("order_placed_admin", "ops@ordertrail.test", "en"),
        ("order_placed_merchant", merchant.user.email, "sw"),
    ]


def test_without_a_profile_language_the_default_language_is_used(merchant, settings):
    settings.DEFAULT_LANGUAGE = "sw"
    settings.ADMIN_NOTIFICATION_EMAILS = ["ops@ordertrail.test"]
    order = place(CustomerFactory(), ProductFactory(merchant=merchant))
    assert order.language == "sw"
    assert {language for _, _, language in rows(order)} == {"sw"}


def test_a_profile_language_must_be_one_we_write_in(customer_client):
    response = customer_client.patch("/api/v1/auth/me/", {"language": "fr"}, format="json")
    assert response.status_code == 400
    assert "language" in response.json()["errors"]


def test_a_merchant_can_turn_off_its_new_order_emails(merchant, merchant_client, settings):
    settings.ADMIN_NOTIFICATION_EMAILS = []
    response = merchant_client.patch("/api/v1/merchants/me/", {"new_order_emails": False}, format="json")
    assert response.json()["new_order_emails"] is False

    order = place(CustomerFactory(), ProductFactory(merchant=merchant))

    assert [template for template, _, _ in rows(order)] == ["order_placed"]


def test_the_merchants_own_platform_orders_are_not_emailed_to_it(merchant, settings):
    settings.ADMIN_NOTIFICATION_EMAILS = ["ops@ordertrail.test"]
    platform = Platform(merchant, WebhookSecret.objects.create(merchant=merchant, secret=new_secret()).secret)
    body = platform.send(order_created_event("SHOP-1", language="sw")).json()
    assert rows(body["id"]) == [
        ("order_placed", "+254712345678", "sw"),
        ("order_placed_admin", "ops@ordertrail.test", "en"),
    ]


def test_the_admin_email_links_to_the_orders_admin_page_and_shows_the_payment_status(merchant, settings):
    settings.ADMIN_NOTIFICATION_EMAILS = ["ops@ordertrail.test"]
    settings.PUBLIC_BASE_URL = "https://ordertrail.example"
    order = place(
        CustomerFactory(), ProductFactory(merchant=merchant, name="Kiondo basket", price="12400.00")
    )
    row = Notification.objects.get(order=order, template="order_placed_admin")

    subject, text, html = message_render_email(template=row.template, context=row.context)

    admin_url = "https://ordertrail.example" + reverse("admin:orders_order_change", args=[order.pk])
    assert subject == f"New order {order.order_number} — KES 12,400.00 — {merchant.company_name}"
    assert admin_url in text and admin_url in html
    assert f"https://ordertrail.example/track/{order.tracking_code}/" in text
    assert "Kiondo basket" in html and "Moi Avenue 1, Nairobi" in text and "Payment: Unpaid" in text
