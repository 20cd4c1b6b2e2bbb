"""Operators open /admin/ and see "Ordertrail operations", a link to the dashboard, and no bookkeeping models;
the dashboard counts what needs them, each figure a link to the list it counts, and charts the last 30 days."""

import re
from datetime import timedelta
from html import unescape

import pytest
from django.utils import timezone

from notifications.models import Notification
from orders.models import Order
from tests.factories import (
    KYCSubmissionFactory,
    ProductFactory,
    StaffFactory,
    external_order,
    order_moved_to,
    placed_order,
)
from webhooks.models import WebhookDelivery

pytestmark = pytest.mark.django_db
DASHBOARD = "/admin/dashboard/"


def links(page: str) -> dict[str, str]:
    """Each link's text (tags and spaces squeezed) by its href."""
    found = {}
    for href, text in re.findall(r'<a [^>]*href="([^"]+)"[^>]*>(.*?)</a>', page, re.S):
        found[" ".join(re.sub(r"<[^>]+>", " ", text).split())] = unescape(href)
    return found


def rows_of(client, url: str) -> int:
    page = client.get(url).content.decode()
    return len(re.findall(r'<tr[^>]*>\s*<td class="action-checkbox">', page)) or page.count('class="field-')


def test_the_index_is_branded_links_the_dashboard_and_hides_bookkeeping_models(admin_session):
    page = admin_session.get("/admin/").content.decode()

    assert "<title>Operations | Ordertrail operations</title>" in page
    assert "Ordertrail operations</a>" in page
    assert 'href="/admin/dashboard/"' in page
    for hidden in ("/admin/token_blacklist/", "/admin/accounts/emailotp/", "/admin/axes/accesslog/"):
        assert hidden not in page
    assert "/admin/orders/order/" in page
    # off the index, still reachable by their URL
    assert admin_session.get("/admin/accounts/emailotp/").status_code == 200
    assert admin_session.get("/admin/token_blacklist/outstandingtoken/").status_code == 200


def test_each_figure_links_to_the_list_it_counts(admin_session, merchant):
    order_moved_to(placed_order(merchant=merchant), "confirmed")
    paid = placed_order(merchant=merchant)
    Order.objects.filter(pk=paid.pk).update(payment_status="paid")
    order_moved_to(placed_order(merchant=merchant), "cancelled")
    refund = order_moved_to(placed_order(merchant=merchant), "cancelled")
    Order.objects.filter(pk=refund.pk).update(payment_status="paid")
    KYCSubmissionFactory()
    for channel, status, delivery in [
        ("sms", "failed", ""),
        ("email", "failed", ""),
        ("sms", "outcome_unknown", ""),
        ("sms", "sent", "failed"),  # accepted, never reached the phone
    ]:
        Notification.objects.create(
            channel=channel,
            recipient="a@example.com" if channel == "email" else "+254700000001",
            template="t",
            status=status,
            delivery_status=delivery,
            sent_at=timezone.now() if status == "sent" else None,
        )
    WebhookDelivery.objects.bulk_create(
        [
            WebhookDelivery(merchant=merchant, status_code=401, error_code="invalid_signature"),
            WebhookDelivery(merchant=merchant, status_code=401, error_code="invalid_signature"),
            WebhookDelivery(merchant=merchant, status_code=409, error_code="invalid_transition"),
            WebhookDelivery(merchant=merchant, status_code=200, applied=True),
        ]
    )
    old = WebhookDelivery.objects.create(merchant=merchant, status_code=401, error_code="invalid_signature")
    WebhookDelivery.objects.filter(pk=old.pk).update(received_at=timezone.now() - timedelta(hours=25))

    page = admin_session.get(DASHBOARD).content.decode()
    found = links(page)

    expected = {
        "1 KYC submissions awaiting review": 1,
        "2 Failed notifications": 2,
        "1 Notifications of unknown outcome": 1,
        "1 Undelivered SMS": 1,
        "3 Webhook deliveries refused in the last 24 h": 3,
        "1 Cancelled or returned orders awaiting a refund": 1,
        "1 Pending": 1,
        "1 Confirmed": 1,
        "2 Cancelled": 2,
        "2 Paid": 2,
        "2 Unpaid": 2,
        "invalid_signature (2)": 2,
        "invalid_transition (1)": 1,
    }
    for text, count in expected.items():
        assert text in found, (text, sorted(found.items()))
        listing = admin_session.get(found[text])
        assert listing.status_code == 200, found[text]
        shown = listing.context["cl"].result_count
        assert shown == count, (text, found[text], shown)


def test_the_charts_are_inline_svg_by_source_and_currency(admin_session, merchant):
    placed_order(merchant=merchant, quantity=2)  # API, 200.00 KES
    external_order(merchant=merchant, currency="UGX")  # webhook, 3000.00 UGX
    order_moved_to(placed_order(merchant=merchant, quantity=5), "cancelled")  # no revenue
    old = placed_order(merchant=merchant)
    Order.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=40))

    response = admin_session.get(DASHBOARD)
    page = response.content.decode()

    assert page.count('class="dash-svg"') == 3  # orders by source, revenue in KES, revenue in UGX
    assert "<script" not in page.split('id="content-main"')[1]
    assert re.search(r"Orders per day by source:.*API 2.*Webhook 1", page, re.S)
    assert re.search(r"Revenue per day in KES:.*KES revenue 200", page, re.S)
    assert re.search(r"Revenue per day in UGX:.*UGX revenue 3,000", page, re.S)
    today = timezone.localdate().strftime("%d %b")
    assert f"<title>{today}: 2 API</title>" in page
    assert f"<title>{today}: 1 Webhook</title>" in page


def test_the_dashboard_costs_the_same_queries_for_few_or_many_rows(
    admin_session, merchant, django_assert_num_queries
):
    def grow(n):
        for i in range(n):
            external_order(merchant=merchant, external_id=f"D-{i}-{n}", currency=("KES", "UGX")[i % 2])
            placed_order(product=ProductFactory(merchant=merchant))
            WebhookDelivery.objects.create(merchant=merchant, status_code=400 + i % 2, error_code=f"e{i}")

    grow(1)
    # session, user, orders by status/currency/payment, KYC queue, notifications by status, undelivered SMS,
    # orders per day, deliveries
    with django_assert_num_queries(8):
        small = admin_session.get(DASHBOARD)
    grow(8)
    with django_assert_num_queries(8):
        large = admin_session.get(DASHBOARD)
    assert small.status_code == large.status_code == 200
    assert "2 in all" in small.content.decode() and "18 in all" in large.content.decode()


def test_staff_without_the_orders_permission_get_no_dashboard(client):
    client.force_login(StaffFactory())
    assert client.get(DASHBOARD).status_code == 403
    assert 'href="/admin/dashboard/"' not in client.get("/admin/").content.decode()
    client.logout()
    assert client.get(DASHBOARD).status_code == 302  # to the admin's sign-in
