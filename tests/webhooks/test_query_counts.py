"""A platform's order.created is the webhook hot path: its database round trips are counted."""

import pytest

from notifications.models import Notification
from tests.webhooks.platform import order_created_event

pytestmark = pytest.mark.django_db

# The merchant with its valid secrets (one query), SAVEPOINT (BEGIN in production), the delivery (its claim), SAVEPOINT (the
# order's own), the order number, the order, its lines, its timeline event, the outbox rows, RELEASE, the
# delivery's answer, RELEASE (COMMIT). The answer is built from the lines just written.
ORDER_CREATED_QUERIES = 12


def test_an_order_created_delivery_costs_twelve_queries(platform, settings, django_assert_num_queries):
    settings.ADMIN_NOTIFICATION_EMAILS = ["ops@ordertrail.test"]

    with django_assert_num_queries(ORDER_CREATED_QUERIES):
        response = platform.send(order_created_event("SHOP-QC-1"))

    assert response.status_code == 201
    assert [item["line_total"] for item in response.json()["items"]] == ["1500.00", "100.00"]
    assert Notification.objects.filter(order_id=response.json()["id"]).count() == 2


def test_a_duplicate_delivery_is_answered_from_the_record(platform, django_assert_num_queries):
    first = platform.send(order_created_event("SHOP-QC-2"), webhook_id="msg_qc")

    # The merchant with its secrets, SAVEPOINT, the claim fails, ROLLBACK TO and RELEASE (one ROLLBACK in
    # production), the first answer, the record of this copy.
    with django_assert_num_queries(7):
        again = platform.send(order_created_event("SHOP-QC-2"), webhook_id="msg_qc")

    assert again.status_code == 200
    assert again.json() == first.json()
