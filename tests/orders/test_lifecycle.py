"""Orders move along one lifecycle, through POST /orders/{id}/status/ and /cancel/ only."""

import pytest

from catalog.models import Product
from orders.lifecycle import FINAL_STATUSES, TRANSITIONS, OrderStatus
from orders.models import TrackingEvent
from orders.signals import order_status_changed
from tests.conftest import bearer_client
from tests.factories import external_order, order_moved_to, placed_order

pytestmark = pytest.mark.django_db

# A way to reach each status from pending, along the lifecycle.
PATH_TO = {
    OrderStatus.PENDING: [],
    OrderStatus.CONFIRMED: ["confirmed"],
    OrderStatus.PROCESSING: ["confirmed", "processing"],
    OrderStatus.SHIPPED: ["confirmed", "processing", "shipped"],
    OrderStatus.IN_TRANSIT: ["confirmed", "processing", "shipped", "in_transit"],
    OrderStatus.OUT_FOR_DELIVERY: ["confirmed", "processing", "shipped", "in_transit", "out_for_delivery"],
    OrderStatus.DELIVERY_FAILED: [
        *["confirmed", "processing", "shipped", "in_transit", "out_for_delivery"],
        "delivery_failed",
    ],
    OrderStatus.DELIVERED: [
        "confirmed",
        "processing",
        "shipped",
        "in_transit",
        "out_for_delivery",
        "delivered",
    ],
    OrderStatus.CANCELLED: ["cancelled"],
    OrderStatus.RETURNED: [
        *["confirmed", "processing", "shipped", "in_transit", "out_for_delivery"],
        *["delivery_failed", "returned"],
    ],
}
ALLOWED = [(current, target) for current, targets in TRANSITIONS.items() for target in targets]
FORBIDDEN = [
    (current, target)
    for current in OrderStatus.values
    for target in OrderStatus.values
    if target not in TRANSITIONS[current]
]


def status_url(order):
    return f"/api/v1/orders/{order.pk}/status/"


def test_the_map_is_the_contracts_lifecycle():
    assert set(PATH_TO) == set(TRANSITIONS) == set(OrderStatus.values)
    assert set(FINAL_STATUSES) == {"delivered", "cancelled", "returned"}
    # Spelled out from the contract, independently of the map.
    assert set(ALLOWED) == {
        ("pending", "confirmed"),
        ("confirmed", "processing"),
        ("processing", "shipped"),
        ("shipped", "in_transit"),
        ("in_transit", "out_for_delivery"),
        ("out_for_delivery", "delivered"),
        ("out_for_delivery", "delivery_failed"),
        ("delivery_failed", "out_for_delivery"),
        ("delivery_failed", "returned"),
        ("pending", "cancelled"),
        ("confirmed", "cancelled"),
        ("processing", "cancelled"),
    }


@pytest.mark.parametrize(("current", "target"), ALLOWED)
def test_the_merchant_moves_an_order_along_every_allowed_step(merchant, merchant_client, current, target):
    order = order_moved_to(placed_order(merchant=merchant), *PATH_TO[current])

    response = merchant_client.post(
        status_url(order), {"status": target, "location": "Nairobi", "note": "ok"}
    )

    assert response.status_code == 200, response.json()
    assert response.json()["status"] == target
    last = TrackingEvent.objects.filter(order=order).last()
    assert (last.status, last.location, last.note, last.actor) == (target, "Nairobi", "ok", merchant.user)


@pytest.mark.parametrize(("current", "target"), FORBIDDEN)
def test_every_move_the_lifecycle_forbids_is_a_409(merchant, admin_client, current, target):
    order = order_moved_to(placed_order(merchant=merchant), *PATH_TO[current])
    events_before = TrackingEvent.objects.filter(order=order).count()

    response = admin_client.post(status_url(order), {"status": target})

    assert response.status_code == 409
    assert response.json()["code"] == "invalid_transition"
    order.refresh_from_db()
    assert order.status == current
    assert TrackingEvent.objects.filter(order=order).count() == events_before


@pytest.mark.parametrize("final", sorted(FINAL_STATUSES))
def test_final_states_stay_final(merchant, merchant_client, final):
    order = order_moved_to(placed_order(merchant=merchant), *PATH_TO[final])
    for target in OrderStatus.values:
        assert merchant_client.post(status_url(order), {"status": target}).status_code == 409
    assert merchant_client.post(f"/api/v1/orders/{order.pk}/cancel/").status_code == 409
    order.refresh_from_db()
    assert order.status == final


def test_an_unknown_status_is_a_400(merchant, merchant_client):
    order = placed_order(merchant=merchant)
    response = merchant_client.post(status_url(order), {"status": "teleported"})
    assert response.status_code == 400
    assert "status" in response.json()["errors"]


def test_a_customer_cannot_set_a_status_even_on_their_own_order(customer, customer_client):
    order = placed_order(customer=customer)
    response = customer_client.post(status_url(order), {"status": "confirmed"})
    assert response.status_code in (403, 404)
    order.refresh_from_db()
    assert order.status == "pending"


def test_another_merchant_cannot_see_or_move_the_order(merchant):
    from tests.factories import MerchantFactory

    order = placed_order(merchant=merchant)
    outsider = bearer_client(MerchantFactory().user)
    assert outsider.post(status_url(order), {"status": "confirmed"}).status_code == 404
    assert outsider.post(f"/api/v1/orders/{order.pk}/cancel/").status_code == 404


def test_a_merchant_awaiting_kyc_is_told_so(merchant):
    from tests.factories import MerchantFactory

    pending = MerchantFactory(pending=True)
    response = bearer_client(pending.user).post(
        status_url(placed_order(merchant=merchant)), {"status": "confirmed"}
    )
    assert response.status_code == 403
    assert response.json()["code"] == "kyc_required"


def test_each_status_change_is_announced_with_the_previous_status(merchant, merchant_client):
    order = placed_order(merchant=merchant)
    seen = []

    def receiver(sender, order, event, previous_status, **kwargs):
        from django.db import connection

        seen.append((previous_status, order.status, event.status, connection.in_atomic_block))

    order_status_changed.connect(receiver)
    try:
        merchant_client.post(status_url(order), {"status": "confirmed"})
        merchant_client.post(status_url(order), {"status": "shipped"})  # refused: no signal
        merchant_client.post(f"/api/v1/orders/{order.pk}/cancel/", {"reason": "out of stock"})
    finally:
        order_status_changed.disconnect(receiver)
    assert seen == [
        ("pending", "confirmed", "confirmed", True),
        ("confirmed", "cancelled", "cancelled", True),
    ]


def test_cancelling_twice_gives_the_stock_back_once(customer, customer_client):
    order = placed_order(customer=customer, quantity=4)
    product = Product.objects.get(order_items__order=order)
    assert product.stock == 6

    first = customer_client.post(f"/api/v1/orders/{order.pk}/cancel/", {"reason": "changed my mind"})
    second = customer_client.post(f"/api/v1/orders/{order.pk}/cancel/")

    assert first.status_code == 200
    assert first.json()["status"] == "cancelled"
    assert second.status_code == 409
    assert second.json()["code"] == "invalid_transition"
    product.refresh_from_db()
    assert product.stock == 10
    assert list(TrackingEvent.objects.filter(order=order).values_list("status", "note")) == [
        ("pending", "Order placed."),
        ("cancelled", "changed my mind"),
    ]


def test_cancelling_through_the_status_endpoint_also_gives_the_stock_back(merchant, merchant_client):
    order = order_moved_to(placed_order(merchant=merchant, quantity=3), "confirmed", "processing")
    assert merchant_client.post(status_url(order), {"status": "cancelled"}).status_code == 200
    assert Product.objects.get(order_items__order=order).stock == 10


@pytest.mark.parametrize("status", ["pending", "confirmed"])
def test_a_customer_cancels_their_own_order_early(customer, customer_client, status):
    order = order_moved_to(placed_order(customer=customer), *PATH_TO[status])
    assert customer_client.post(f"/api/v1/orders/{order.pk}/cancel/").status_code == 200


def test_once_processing_only_the_merchant_can_cancel(customer, customer_client, merchant, merchant_client):
    order = order_moved_to(placed_order(customer=customer, merchant=merchant), "confirmed", "processing")

    refused = customer_client.post(f"/api/v1/orders/{order.pk}/cancel/")
    assert refused.status_code == 409
    assert refused.json()["code"] == "not_cancellable"

    assert merchant_client.post(f"/api/v1/orders/{order.pk}/cancel/").status_code == 200


def test_an_admin_cancels_any_order(admin_client):
    order = placed_order()
    response = admin_client.post(f"/api/v1/orders/{order.pk}/cancel/", {"reason": "fraud"})
    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"


def test_cancelling_a_webhook_order_touches_no_catalog_stock(merchant, merchant_client, product):
    order = external_order(merchant=merchant)
    assert merchant_client.post(f"/api/v1/orders/{order.pk}/cancel/").status_code == 200
    product.refresh_from_db()
    assert product.stock == 10


def test_a_late_report_joins_the_timeline_without_moving_the_status_back(merchant):
    from datetime import timedelta

    from django.utils import timezone

    from orders.services import order_set_status

    order = order_moved_to(placed_order(merchant=merchant), "confirmed", "processing")
    order_set_status(order=order, status="confirmed", occurred_at=timezone.now() - timedelta(hours=1))
    order.refresh_from_db()
    assert order.status == "processing"
    assert TrackingEvent.objects.filter(order=order, status="confirmed").count() == 2
