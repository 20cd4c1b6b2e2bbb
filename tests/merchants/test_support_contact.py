"""A merchant publishes a support contact for its customers: it shows on its orders' tracking, never the
customer's details."""

import pytest

from tests.conftest import bearer_client
from tests.factories import MerchantFactory, external_order

pytestmark = pytest.mark.django_db
ME = "/api/v1/merchants/me/"


def tracking(order) -> dict:
    return bearer_client(order.merchant.user).get(f"/api/v1/track/{order.tracking_code}/").json()


def test_the_merchant_sets_its_support_contact_and_customers_see_it_on_tracking(merchant, merchant_client):
    order = external_order(merchant=merchant, estimated_delivery="2026-03-12")
    assert tracking(order)["merchant_contact"] == {}
    assert tracking(order)["estimated_delivery"] == "2026-03-12"

    response = merchant_client.patch(
        ME, {"support_email": "help@duka.example", "support_phone": "0712 345 678"}, format="json"
    )

    assert response.status_code == 200
    assert (response.json()["support_email"], response.json()["support_phone"]) == (
        "help@duka.example",
        "+254712345678",
    )
    body = tracking(order)
    assert body["merchant_contact"] == {"email": "help@duka.example", "phone": "+254712345678"}
    assert "+254712000222" not in str(body)  # the customer's phone is never public

    cleared = merchant_client.patch(ME, {"support_email": ""}, format="json")
    assert cleared.json()["support_email"] == ""
    assert tracking(order)["merchant_contact"] == {"phone": "+254712345678"}


@pytest.mark.parametrize("body", [{"support_email": "not-an-email"}, {"support_phone": "12"}])
def test_a_bad_contact_is_a_400(merchant_client, body):
    response = merchant_client.patch(ME, body, format="json")
    assert response.status_code == 400
    assert set(response.json()["errors"]) == set(body)


def test_a_merchant_awaiting_kyc_cannot_publish_a_contact_yet():
    pending = bearer_client(MerchantFactory(pending=True).user)
    response = pending.patch(ME, {"support_email": "help@duka.example"}, format="json")
    assert (response.status_code, response.json()["code"]) == (403, "kyc_required")
    assert pending.get(ME).status_code == 200
