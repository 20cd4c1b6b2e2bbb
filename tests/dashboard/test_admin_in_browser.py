"""The operator's console in headless Chromium: the dashboard's figures lead to the lists they count, and at a
laptop's 1366 px every list shows its key columns without scrolling sideways. Screenshots at 390 and 1366 px
go to test-artifacts/. (The browser, the strict-CSP live server and the sign-in are the KYC tests' own.)"""

import pytest
from django.utils import timezone

from notifications.models import Notification
from tests.factories import (
    KYCSubmissionFactory,
    MerchantFactory,
    ProductFactory,
    StaffFactory,
    external_order,
    order_moved_to,
    placed_order,
)
from tests.merchants import test_admin_in_browser as console
from webhooks.models import WebhookDelivery

pytest.importorskip("playwright.sync_api", reason="needs Playwright (requirements/local.txt)")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The KYC tests' fixtures: Chromium, the live server under a strict CSP, a tab per viewport width.
live_server, page, width = console.live_server, console.page, console.width
screenshot, sign_in = console.screenshot, console.sign_in

# Each list and the column headers that must be on screen at 1366 px.
LISTS = {
    "orders": ("/admin/orders/order/", ["order_number", "status", "payment_status", "total", "created_at"]),
    "products": ("/admin/catalog/product/", ["name", "sku", "merchant", "stock", "price", "is_active"]),
    "notifications": (
        "/admin/notifications/notification/",
        ["created_at", "channel", "recipient", "send_status", "delivery", "error"],
    ),
    "deliveries": (
        "/admin/webhooks/webhookdelivery/",
        ["received_at", "merchant", "webhook_id", "event_type", "status_code", "error_code", "applied"],
    ),
    "merchants": ("/admin/merchants/merchant/", ["company_name", "kyc_status", "is_active", "created_at"]),
    "kyc": ("/admin/merchants/kycsubmission/", ["legal_name", "status", "submitted_at", "document_link"]),
}


def a_few_of_everything():
    """Rows with long values where lists tend to overflow: names, errors, codes."""
    merchant = MerchantFactory(company_name="Duka Kubwa la Vifaa vya Nyumbani na Ofisi Limited")
    for i in range(3):
        product = ProductFactory(
            merchant=merchant, name=f"Solar lantern with USB charging port and radio, model {i}", stock=i + 1
        )
        order = placed_order(product=product)
        order.customer_name = "Wanjiku Njeri Kamau-Odhiambo"
        order.save(update_fields=["customer_name"])
        order_moved_to(order, "confirmed")
        external_order(merchant=merchant, external_id=f"SHOPIFY-LONG-EXTERNAL-IDENTIFIER-{i:04d}")
        KYCSubmissionFactory(legal_name=f"Biashara Kubwa Holdings and Logistics {i} Limited")
    Notification.objects.bulk_create(
        [
            Notification(
                channel="sms",
                recipient=f"+25471200011{i}",
                template="order_status_changed",
                status="failed",
                attempts=5,
                last_error="ProviderError: 502 Bad Gateway from api.africastalking.com after 30 s; giving up",
                provider_message_id=f"ATXid_4d8f2b7c0e9a4f1d8b6c3e2a1f0d9c8b{i}",
                sent_at=timezone.now(),
            )
            for i in range(3)
        ]
    )
    WebhookDelivery.objects.bulk_create(
        [
            WebhookDelivery(
                merchant=merchant,
                webhook_id=f"msg_2QWxJ7m4ZkL9pR3sT6vY8bN1cF5hD0gA{i}",
                event_type="order.status_changed",
                status_code=409,
                error_code="invalid_status_transition",
            )
            for i in range(3)
        ]
    )


@pytest.mark.parametrize("name", sorted(LISTS))
def test_each_list_fits_a_laptop_with_its_key_columns(page, width, live_server, name):
    a_few_of_everything()
    sign_in(page, live_server, StaffFactory(is_superuser=True))
    url, columns = LISTS[name]

    page.goto(f"{live_server.url}{url}")

    assert page.locator("#result_list tbody tr").count() >= 3
    screenshot(page, f"admin-list-{name}", width)
    if width != "1366":
        return  # on a phone the admin scrolls its tables sideways; the screenshot shows how
    widths = page.evaluate(
        "() => { const t = document.querySelector('#result_list');"
        " return [t.scrollWidth, t.closest('.results').clientWidth, window.innerWidth]; }"
    )
    assert widths[0] <= widths[1], f"{name}: the table is {widths[0]} px wide in {widths[1]} px"
    for column in columns:
        header = page.locator(f"#result_list thead th.column-{column}")
        assert header.is_visible(), f"{name}: no visible {column} column"
        box = header.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= widths[2], f"{name}: {column} is off screen"


def test_the_dashboards_figures_lead_to_their_lists(page, width, live_server):
    merchant = MerchantFactory()
    order_moved_to(placed_order(merchant=merchant), "confirmed")
    placed_order(merchant=merchant)
    external_order(merchant=merchant, currency="UGX")
    KYCSubmissionFactory()
    Notification.objects.create(channel="sms", recipient="+254712000111", template="t", status="failed")
    WebhookDelivery.objects.create(merchant=merchant, status_code=401, error_code="invalid_signature")
    sign_in(page, live_server, StaffFactory(is_superuser=True))

    page.click("#dashboard-link")
    page.wait_for_url(f"{live_server.url}/admin/dashboard/")
    assert page.locator("svg.dash-svg").count() == 3  # orders by source, revenue in KES and in UGX
    screenshot(page, "admin-dashboard", width)

    walks = [
        ("KYC submissions awaiting review", "/admin/merchants/kycsubmission/", 1),
        ("Failed notifications", "/admin/notifications/notification/", 1),
        ("Webhook deliveries refused in the last 24 h", "/admin/webhooks/webhookdelivery/", 1),
        ("Confirmed", "/admin/orders/order/", 1),
        ("Unpaid", "/admin/orders/order/", 3),
    ]
    for label, path, rows in walks:
        page.goto(f"{live_server.url}/admin/dashboard/")
        page.locator("a.dash-card", has_text=label).first.click()
        page.wait_for_url(f"{live_server.url}{path}*")
        assert page.locator("#result_list tbody tr").count() == rows, label


def test_an_operator_filters_orders_by_typing_a_merchants_name(page, width, live_server):
    duka, soko = MerchantFactory(company_name="Duka Bora"), MerchantFactory(company_name="Soko Safi")
    ours = placed_order(merchant=duka)
    placed_order(merchant=soko)
    sign_in(page, live_server, StaffFactory(is_superuser=True))
    page.goto(f"{live_server.url}/admin/orders/order/?status__exact=pending")

    page.click("#changelist-filter .select2-selection")
    page.fill(".select2-search__field", "duka")
    page.locator(".select2-results__option", has_text="Duka Bora").click()
    screenshot(page, "admin-filter-merchant", width)
    page.locator(".autocomplete-filter input[type=submit]").click()

    page.wait_for_url(f"**merchant__id__exact={duka.pk}**")
    assert "status__exact=pending" in page.url
    rows = page.locator("#result_list tbody tr")
    assert rows.count() == 1 and ours.order_number in rows.first.inner_text()
