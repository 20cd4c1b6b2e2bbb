"""Orders reported by a merchant's e-commerce platform (the service the webhooks app calls)."""

import threading
from datetime import timedelta
from decimal import InvalidOperation

import pytest
from django.db import IntegrityError, connections
from django.utils import timezone

from core.errors import DomainError
from orders.models import Order, TrackingEvent
from orders.placement import order_create_external
from orders.services import order_cancel, order_set_status
from orders.signals import order_placed
from tests.factories import MerchantFactory, external_order

pytestmark = pytest.mark.django_db


def test_a_reported_order_is_recorded_with_its_lines_and_first_event(merchant):
    occurred = timezone.now() - timedelta(minutes=3)
    order = external_order(merchant=merchant, currency="UGX", status="confirmed", occurred_at=occurred)

    assert (order.source, order.external_id, order.status, order.currency) == (
        "webhook",
        "EXT-1",
        "confirmed",
        "UGX",
    )
    assert order.customer is None
    assert str(order.total_amount) == "3000.00"
    line = order.items.get()
    assert (line.product, line.sku, line.quantity, str(line.line_total)) == (None, "X-1", 2, "3000.00")
    event = TrackingEvent.objects.get(order=order)
    assert (event.status, event.source, event.occurred_at) == ("confirmed", "webhook", occurred)


def test_the_same_external_id_twice_is_one_order_and_one_announcement(merchant):
    announced = []
    receiver = lambda sender, order, **kw: announced.append(order.pk)  # noqa: E731
    order_placed.connect(receiver)
    try:
        first = external_order(merchant=merchant)
        order, created = order_create_external(
            merchant=merchant,
            external_id="EXT-1",
            customer_name="Someone Else",
            phone_number="+254712000999",
            shipping_address="Elsewhere",
            items=[{"name": "Other", "quantity": 1, "unit_price": "1.00"}],
        )
    finally:
        order_placed.disconnect(receiver)
    assert (order.pk, created) == (first.pk, False)
    assert announced == [first.pk]
    assert Order.objects.count() == 1


def test_external_ids_are_per_merchant(merchant):
    assert external_order(merchant=merchant).pk != external_order(merchant=MerchantFactory()).pk


@pytest.mark.parametrize(
    "items, refusal",
    [
        ([], ValueError),
        ([{"name": "Kettle", "quantity": 0, "unit_price": "1.00"}], IntegrityError),
        ([{"name": "Kettle", "quantity": 1, "unit_price": "-1.00"}], IntegrityError),
        ([{"name": "Kettle", "quantity": 1, "unit_price": "lots"}], InvalidOperation),
    ],
)
def test_impossible_lines_are_refused_before_anything_is_written(merchant, items, refusal):
    # The webhook's validation answers these with field errors (tests/contract); the service takes validated
    # values, and a caller that skipped validation still cannot store them.
    with pytest.raises(refusal):
        order_create_external(
            merchant=merchant,
            external_id="EXT-9",
            customer_name="A",
            phone_number="+254712000999",
            shipping_address="B",
            items=items,
        )
    assert Order.objects.count() == 0


def test_the_platform_moves_and_cancels_its_orders_through_the_lifecycle(merchant):
    order = external_order(merchant=merchant)
    order_set_status(order=order, status="confirmed", source="webhook", location="Kampala")
    order_cancel(order=order, reason="customer called", source="webhook")
    assert order.status == "cancelled"
    with pytest.raises(DomainError) as refused:
        order_set_status(order=order, status="processing", source="webhook")
    assert refused.value.code == "invalid_transition"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_reports_of_one_order_create_it_once():
    merchant = MerchantFactory()
    barrier = threading.Barrier(2)
    outcomes = []

    def report():
        try:
            barrier.wait(timeout=30)
            order, created = order_create_external(
                merchant=merchant,
                external_id="RACE-1",
                customer_name="A",
                phone_number="+254712000999",
                shipping_address="B",
                items=[{"name": "Kettle", "quantity": 1, "unit_price": "10.00"}],
            )
            outcomes.append((order.pk, created))
        except Exception as exc:
            outcomes.append(("exception", repr(exc)))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=report) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(created for _, created in outcomes) == [False, True], outcomes
    assert len({pk for pk, _ in outcomes}) == 1
    assert Order.objects.filter(external_id="RACE-1").count() == 1
