"""The delivery log costs the same queries for a page of 2 or 50 and for a few or many deliveries (issue 18),
in the merchant's API and in the Django admin."""

import itertools

import pytest
from django.db import connection

from tests.factories import MerchantFactory
from tests.query_counts import assert_list_queries
from tests.webhooks.platform import new_secret, order_created_event
from webhooks.admin import WebhookDeliveryAdmin

pytestmark = pytest.mark.django_db
URL = "/api/v1/merchants/me/webhook-deliveries/"
# On PostgreSQL the Django admin asks the planner for an estimate (EXPLAIN) before it counts exactly.
EXPLAIN = 1 if connection.vendor == "postgresql" else 0
_shop_ids = itertools.count()


def deliver(platform, n):
    """`n` order.created deliveries, every third one forged (401)."""
    for i in range(n):
        number = next(_shop_ids)
        secret = new_secret() if i % 3 == 2 else None
        platform.send(order_created_event(f"SHOP-QC-{number}"), webhook_id=f"msg_qc_{number}", secret=secret)


@pytest.mark.parametrize("params", [{}, {"outcome": "rejected"}, {"status_code": "201"}], ids=str)
def test_a_merchant_lists_its_deliveries(platform, merchant_client, django_assert_num_queries, params):
    deliver(platform, 3)
    # the user (JWT), the merchant (permission), COUNT, the page
    assert_list_queries(
        django_assert_num_queries, merchant_client, URL, 4, grow=lambda: deliver(platform, 9), params=params
    )


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"status_code": "401"},
        {"error_code": "invalid_signature"},
        {"event_type": "order.created"},
        {"q": "Shop"},
    ],
    ids=["all", "status-code", "error-code", "event-type", "search-merchant"],
)
def test_the_django_admin_changelist(
    platform, admin_user, client, django_assert_num_queries, monkeypatch, params
):
    deliver(platform, 3)
    MerchantFactory()
    client.force_login(admin_user)
    # the session, the user, the error codes present (filter), [EXPLAIN], COUNT, the page (+ the merchants
    # whose name matches, for a search)
    expected = 5 + EXPLAIN + (1 if "q" in params else 0)
    for per_page in (2, 100):
        monkeypatch.setattr(WebhookDeliveryAdmin, "list_per_page", per_page)
        assert_list_queries(
            django_assert_num_queries,
            client,
            "/admin/webhooks/webhookdelivery/",
            expected,
            grow=lambda: deliver(platform, 6),
            params=params,
            page_sizes=(None,),
        )


def test_the_admin_finds_a_delivery_by_webhook_id_or_order_number(platform, admin_user, client):
    deliver(platform, 3)
    response = platform.send(order_created_event("SHOP-FIND"), webhook_id="msg_find_me")
    client.force_login(admin_user)

    for term in ("msg_find_me", response.json()["order_number"].lower()):
        page = client.get("/admin/webhooks/webhookdelivery/", {"q": term}).content.decode()
        assert "msg_find_me" in page
        assert "1 result" in page
