"""Who sees which orders: lists, details, contact changes and timelines, 404 across tenants."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from tests.conftest import bearer_client
from tests.contract.blackbox import ORDER_FIELDS
from tests.factories import (
    CustomerFactory,
    MerchantFactory,
    ProductFactory,
    order_moved_to,
    placed_order,
)

pytestmark = pytest.mark.django_db
URL = "/api/v1/orders/"


@pytest.fixture
def world(customer, merchant):
    """Two customers and two merchants, with orders criss-crossing them."""
    other_customer = CustomerFactory()
    other_merchant = MerchantFactory()
    return {
        "mine_here": placed_order(customer=customer, merchant=merchant),
        "mine_there": placed_order(customer=customer, merchant=other_merchant),
        "theirs_here": placed_order(customer=other_customer, merchant=merchant),
        "theirs_there": placed_order(customer=other_customer, merchant=other_merchant),
    }


def ids(response):
    assert response.status_code == 200, response.json()
    return {row["id"] for row in response.json()["results"]}


def test_each_role_lists_exactly_its_orders(world, customer_client, merchant_client, admin_client):
    assert ids(customer_client.get(URL)) == {str(world["mine_here"].pk), str(world["mine_there"].pk)}
    assert ids(merchant_client.get(URL)) == {str(world["mine_here"].pk), str(world["theirs_here"].pk)}
    assert ids(admin_client.get(URL)) == {str(o.pk) for o in world.values()}


def test_the_list_is_paginated_newest_first_with_the_detail_fields(customer, customer_client, merchant):
    orders = [placed_order(customer=customer, merchant=merchant) for _ in range(3)]
    body = customer_client.get(URL, {"page_size": 2}).json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert body["count"] == 3
    assert [row["id"] for row in body["results"]] == [str(orders[2].pk), str(orders[1].pk)]
    assert set(body["results"][0]) == ORDER_FIELDS
    assert body["next"]


def test_listing_costs_the_same_queries_for_3_or_30_orders(
    customer, customer_client, merchant, merchant_client, django_assert_num_queries
):
    def place(n):
        for _ in range(n):
            product = ProductFactory(merchant=merchant)
            placed_order(customer=customer, product=product, quantity=2)

    place(3)
    # auth user, merchant (role check), count, page of orders, their items
    with django_assert_num_queries(5):
        assert merchant_client.get(URL).json()["count"] == 3
    with django_assert_num_queries(4):
        assert customer_client.get(URL).json()["count"] == 3
    place(27)
    with django_assert_num_queries(5):
        assert len(merchant_client.get(URL, {"page_size": 100}).json()["results"]) == 30
    with django_assert_num_queries(4):
        assert len(customer_client.get(URL, {"page_size": 100}).json()["results"]) == 30


def test_orders_filter_by_status_and_creation_time(customer, customer_client, merchant):
    with time_machine.travel(timezone.now() - timedelta(days=10), tick=False):
        old = placed_order(customer=customer, merchant=merchant)
    confirmed = order_moved_to(placed_order(customer=customer, merchant=merchant), "confirmed")
    fresh = placed_order(customer=customer, merchant=merchant)
    cutoff = (timezone.now() - timedelta(days=1)).isoformat()

    assert ids(customer_client.get(URL, {"status": "confirmed"})) == {str(confirmed.pk)}
    assert ids(customer_client.get(URL, {"status": "pending"})) == {str(old.pk), str(fresh.pk)}
    assert ids(customer_client.get(URL, {"created_before": cutoff})) == {str(old.pk)}
    assert ids(customer_client.get(URL, {"created_after": cutoff})) == {str(confirmed.pk), str(fresh.pk)}
    day = (timezone.now() - timedelta(days=1)).date().isoformat()
    assert ids(customer_client.get(URL, {"created_after": day, "status": "pending"})) == {str(fresh.pk)}


@pytest.mark.parametrize("params", [{"status": "lost"}, {"created_after": "yesterday"}])
def test_a_bad_filter_is_a_400(customer_client, params):
    response = customer_client.get(URL, params)
    assert response.status_code == 400
    assert response.json()["code"] == "validation_error"


def test_a_merchant_awaiting_kyc_cannot_list_orders():
    response = bearer_client(MerchantFactory(pending=True).user).get(URL)
    assert response.status_code == 403
    assert response.json()["code"] == "kyc_required"


def test_anonymous_visitors_see_nothing(api_client, world):
    assert api_client.get(URL).status_code == 401
    assert api_client.get(f"{URL}{world['mine_here'].pk}/").status_code == 401


@pytest.mark.parametrize("suffix", ["", "tracking/"])
def test_details_and_timelines_of_other_tenants_are_not_found(
    world, customer_client, merchant_client, admin_client, suffix
):
    def get(client, name):
        return client.get(f"{URL}{world[name].pk}/{suffix}")

    assert get(customer_client, "mine_there").status_code == 200
    assert get(customer_client, "theirs_here").status_code == 404
    assert get(merchant_client, "theirs_here").status_code == 200
    assert get(merchant_client, "mine_there").status_code == 404
    assert get(admin_client, "theirs_there").status_code == 200
    missing = customer_client.get(f"{URL}6f1c5a8e-0000-4000-8000-000000000000/{suffix}")
    assert missing.status_code == 404
    assert missing.json()["code"] == "not_found"


def test_the_timeline_is_a_plain_list_oldest_first(merchant, merchant_client):
    order = order_moved_to(placed_order(merchant=merchant), "confirmed", "processing")
    body = merchant_client.get(f"{URL}{order.pk}/tracking/").json()
    assert [e["status"] for e in body] == ["pending", "confirmed", "processing"]
    assert set(body[0]) == {"status", "location", "note", "occurred_at", "source"}


def test_the_customer_fixes_the_contact_details_while_pending(customer, customer_client):
    order = placed_order(customer=customer)
    response = customer_client.patch(
        f"{URL}{order.pk}/",
        {"phone_number": "0722000333", "shipping_address": "Ngong Road 7", "note": "Gate B"},
    )
    assert response.status_code == 200, response.json()
    assert response.json()["phone_number"] == "+254722000333"
    assert response.json()["shipping_address"] == "Ngong Road 7"
    order.refresh_from_db()
    assert order.note == "Gate B"


def test_a_bad_phone_number_in_a_patch_is_a_400(customer, customer_client):
    order = placed_order(customer=customer)
    response = customer_client.patch(f"{URL}{order.pk}/", {"phone_number": "abc"})
    assert response.status_code == 400
    assert "phone_number" in response.json()["errors"]


def test_contact_details_are_frozen_once_confirmed(customer, customer_client):
    order = order_moved_to(placed_order(customer=customer), "confirmed")
    response = customer_client.patch(f"{URL}{order.pk}/", {"shipping_address": "Elsewhere"})
    assert response.status_code == 409
    assert response.json()["code"] == "order_not_editable"
    order.refresh_from_db()
    assert order.shipping_address == "Moi Avenue 1, Nairobi"


def test_only_the_owning_customer_edits_an_order(world, customer_client, merchant_client):
    assert customer_client.patch(f"{URL}{world['theirs_here'].pk}/", {"note": "x"}).status_code == 404
    assert merchant_client.patch(f"{URL}{world['mine_here'].pk}/", {"note": "x"}).status_code == 403


def test_items_cannot_be_changed_by_a_patch(customer, customer_client):
    order = placed_order(customer=customer, quantity=2)
    response = customer_client.patch(f"{URL}{order.pk}/", {"items": [], "total_amount": "1.00"})
    assert response.status_code == 200
    assert [i["quantity"] for i in response.json()["items"]] == [2]
    assert response.json()["total_amount"] == "200.00"
