"""A merchant reads the log of what its platform sent; operators read it in the Django admin."""

import pytest

from tests.conftest import bearer_client
from tests.factories import CustomerFactory, MerchantFactory
from tests.webhooks.platform import new_secret, order_created_event
from webhooks.models import WebhookDelivery

pytestmark = pytest.mark.django_db
URL = "/api/v1/merchants/me/webhook-deliveries/"


@pytest.fixture
def log(platform):
    """Three deliveries: one accepted (201), one forged (401), one for a text/plain body (415)."""
    platform.send(order_created_event("SHOP-1"), webhook_id="msg_ok")
    platform.send(order_created_event("SHOP-2"), webhook_id="msg_forged", secret=new_secret())
    platform.send(order_created_event("SHOP-3"), webhook_id="msg_plain", content_type="text/plain")
    return platform


def test_a_merchant_sees_every_delivery_accepted_or_not_newest_first(log, merchant_client):
    response = merchant_client.get(URL)

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 3
    assert [d["webhook_id"] for d in body["results"]] == ["msg_plain", "msg_forged", "msg_ok"]
    assert set(body["results"][0]) == {
        "id",
        "webhook_id",
        "event_type",
        "received_at",
        "status_code",
        "error_code",
    }
    assert body["results"][1]["error_code"] == "invalid_signature"
    assert body["results"][2]["event_type"] == "order.created"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("outcome=accepted", ["msg_ok"]),
        ("outcome=rejected", ["msg_plain", "msg_forged"]),
        ("status_code=401", ["msg_forged"]),
        ("outcome=rejected&status_code=415", ["msg_plain"]),
    ],
)
def test_deliveries_can_be_filtered_by_outcome_and_status_code(log, merchant_client, query, expected):
    response = merchant_client.get(f"{URL}?{query}")

    assert [d["webhook_id"] for d in response.json()["results"]] == expected


@pytest.mark.parametrize("query", ["outcome=maybe", "status_code=abc", "status_code=99999"])
def test_a_bad_filter_is_a_400_with_a_code(log, merchant_client, query):
    response = merchant_client.get(f"{URL}?{query}")

    assert response.status_code == 400
    assert response.json()["code"] == "validation_error"


def test_a_merchant_never_sees_another_merchants_deliveries(log):
    other = MerchantFactory()

    response = bearer_client(other.user).get(URL)

    assert response.json()["count"] == 0


def test_listing_deliveries_costs_the_same_queries_for_one_or_many(
    log, merchant_client, django_assert_num_queries
):
    for n in range(10):
        log.send(order_created_event(f"SHOP-X{n}"))
    # user (authentication), merchant (permission), count, page
    with django_assert_num_queries(4):
        response = merchant_client.get(f"{URL}?page_size=100")
    assert response.json()["count"] == 13


def test_a_merchant_awaiting_kyc_gets_kyc_required():
    pending = MerchantFactory(pending=True)

    response = bearer_client(pending.user).get(URL)

    assert response.status_code == 403
    assert response.json()["code"] == "kyc_required"


def test_a_customer_cannot_list_deliveries():
    response = bearer_client(CustomerFactory()).get(URL)

    assert response.status_code == 403


def test_operators_read_deliveries_in_the_admin_but_cannot_change_them(log, admin_user, client):
    client.force_login(admin_user)
    delivery = WebhookDelivery.objects.get(webhook_id="msg_forged")

    changelist = client.get("/admin/webhooks/webhookdelivery/")
    detail = client.get(f"/admin/webhooks/webhookdelivery/{delivery.pk}/change/")

    assert changelist.status_code == 200
    assert b"msg_forged" in changelist.content
    assert detail.status_code == 200
    assert b'name="_save"' not in detail.content
    assert client.get("/admin/webhooks/webhookdelivery/add/").status_code == 403
    assert (
        client.post(f"/admin/webhooks/webhookdelivery/{delivery.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )
    assert WebhookDelivery.objects.filter(pk=delivery.pk).exists()
