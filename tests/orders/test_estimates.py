"""A merchant or admin gives a delivery estimate with any status update; an estimate that slips by a day or
more is one SMS to the customer, any other change of estimate is only on the timeline."""

from datetime import date

import pytest

from notifications.models import Notification
from orders.models import OrderEvent
from tests.factories import placed_order

pytestmark = pytest.mark.django_db


def report(client, order, status, **body):
    return client.post(f"/api/v1/orders/{order.pk}/status/", {"status": status, **body}, format="json")


def estimates(order):
    return list(
        OrderEvent.objects.filter(order=order, type="estimate")
        .order_by("id")
        .values_list("estimated_delivery", "source", "actor")
    )


def sms(order):
    return list(
        Notification.objects.filter(order=order, channel="sms")
        .order_by("created_at")
        .values_list("template", "context__estimated_delivery")
    )


def test_a_status_update_with_an_estimate(merchant, merchant_client):
    order = placed_order(merchant=merchant)

    response = report(merchant_client, order, "confirmed", estimated_delivery="2026-03-12")

    assert response.status_code == 200
    assert response.json()["estimated_delivery"] == "2026-03-12"
    assert estimates(order) == [(date(2026, 3, 12), "api", merchant.user.pk)]
    assert sms(order) == [("order_placed", None), ("order_status_changed", "2026-03-12")]


def test_the_current_status_with_a_new_estimate_changes_only_the_estimate(merchant, merchant_client):
    order = placed_order(merchant=merchant)
    report(merchant_client, order, "confirmed", estimated_delivery="2026-03-12")

    earlier = report(merchant_client, order, "confirmed", estimated_delivery="2026-03-11")
    later = report(merchant_client, order, "confirmed", estimated_delivery="2026-03-13")
    same = report(merchant_client, order, "confirmed", estimated_delivery="2026-03-13")

    assert earlier.status_code == later.status_code == same.status_code == 200
    assert same.json()["status"] == "confirmed"
    assert [row[0] for row in estimates(order)] == [date(2026, 3, 12), date(2026, 3, 11), date(2026, 3, 13)]
    # Only the slip (11 -> 13 March) is texted; the earlier estimate and the repeat are not.
    assert sms(order)[2:] == [("order_estimate_changed", "2026-03-13")]
    delay = Notification.objects.get(order=order, template="order_estimate_changed")
    assert delay.context["previous_estimate"] == "2026-03-11"


def test_the_current_status_without_an_estimate_is_still_an_invalid_transition(merchant, merchant_client):
    order = placed_order(merchant=merchant)
    response = report(merchant_client, order, "pending")
    assert (response.status_code, response.json()["code"]) == (409, "invalid_transition")


@pytest.mark.parametrize("value", ["12/03/2026", "2026-02-30", "", None, 20260312])
def test_a_bad_estimate_is_a_400(merchant, merchant_client, value):
    order = placed_order(merchant=merchant)
    response = report(merchant_client, order, "confirmed", estimated_delivery=value)
    assert response.status_code == 400
    assert "estimated_delivery" in response.json()["errors"]
    order.refresh_from_db()
    assert (order.status, order.estimated_delivery) == ("pending", None)
