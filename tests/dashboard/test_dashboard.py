"""Admins read the platform's figures at GET /api/v1/admin/dashboard/."""

import pytest
from django.utils import timezone

from notifications.models import Notification
from tests.factories import MerchantFactory, ProductFactory, external_order, order_moved_to, placed_order

pytestmark = pytest.mark.django_db
URL = "/api/v1/admin/dashboard/"


def test_the_dashboard_counts_orders_revenue_kyc_queue_and_failed_messages(admin_client, merchant):
    placed_order(merchant=merchant, quantity=2)  # 200.00 KES
    order_moved_to(placed_order(merchant=merchant), "confirmed")  # 100.00 KES
    order_moved_to(placed_order(merchant=merchant, quantity=5), "cancelled")  # no revenue
    placed_order(product=ProductFactory(merchant=merchant, currency="USD"), quantity=1)  # 100.00 USD
    external_order(merchant=merchant, currency="UGX")  # 3000.00 UGX
    MerchantFactory(pending=True, kyc_status="submitted")
    MerchantFactory(pending=True)
    Notification.objects.bulk_create(
        [
            Notification(channel="sms", recipient="+254700000001", template="t", status="failed"),
            Notification(channel="sms", recipient="+254700000003", template="t", status="outcome_unknown"),
            Notification(
                channel="sms",
                recipient="+254700000004",
                template="t",
                status="sent",
                sent_at=timezone.now(),
                delivery_status="failed",
                delivery_reason="AbsentSubscriber",
            ),
            Notification(
                channel="sms",
                recipient="+254700000002",
                template="t",
                status="sent",
                sent_at=timezone.now(),
            ),
        ]
    )

    body = admin_client.get(URL).json()

    assert body["orders_total"] == 5
    assert body["orders_by_status"]["pending"] == 3
    assert body["orders_by_status"]["confirmed"] == 1
    assert body["orders_by_status"]["cancelled"] == 1
    assert body["orders_by_status"]["delivered"] == 0
    assert body["revenue_by_currency"] == {"KES": "300.00", "USD": "100.00", "UGX": "3000.00"}
    assert body["merchants_awaiting_kyc"] == 1
    assert body["failed_notifications"] == Notification.objects.filter(status="failed").count()
    assert body["failed_notifications"] >= 1
    assert body["outcome_unknown_notifications"] == 1
    assert body["undelivered_sms"] == 1


def test_only_admins_see_the_dashboard(customer_client, merchant_client, api_client):
    assert customer_client.get(URL).status_code == 403
    assert merchant_client.get(URL).status_code == 403
    assert api_client.get(URL).status_code == 401
