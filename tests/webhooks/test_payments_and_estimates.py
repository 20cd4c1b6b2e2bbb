"""A platform reports payments (order.payment_updated), delivery estimates and the customer's language; late and
repeated reports are safe, and the customer hears once, in their language."""

from datetime import date

import pytest

from notifications.models import Notification
from orders.models import Order, OrderEvent
from tests.factories import payment_history
from tests.webhooks.platform import ago, order_created_event, status_event

pytestmark = pytest.mark.django_db


def payment_event(external_id: str, payment_status: str, *, at=None, **data) -> dict:
    """`order.payment_updated`; its envelope `timestamp` is when the payment status changed."""
    return {
        "type": "order.payment_updated",
        "timestamp": (at or ago(seconds=0)).isoformat(),
        "data": {"external_id": external_id, "payment_status": payment_status, **data},
    }


def created(platform, external_id="SHOP-1001", **data):
    event = order_created_event(external_id, **data)
    event["timestamp"] = ago(hours=2).isoformat()
    response = platform.send(event)
    assert response.status_code == 201, response.json()
    return Order.objects.get(pk=response.json()["id"])


def sms_templates(order):
    return list(
        Notification.objects.filter(order=order, channel="sms")
        .order_by("created_at")
        .values_list("template", "context__language")
    )


def test_an_order_created_paid_with_an_estimate_in_swahili(platform):
    response = platform.send(
        order_created_event("SHOP-SW", payment_status="paid", estimated_delivery="2026-03-12", language="sw")
    )

    assert response.status_code == 201
    body = response.json()
    assert (body["payment_status"], body["estimated_delivery"], body["language"]) == (
        "paid",
        "2026-03-12",
        "sw",
    )
    order = Order.objects.get(pk=body["id"])
    assert payment_history(order) == [("paid", "", "Reported with the order.")]
    assert sms_templates(order) == [("order_placed", "sw")]


def test_an_order_created_without_them_is_unpaid_in_the_default_language(platform, settings):
    settings.DEFAULT_LANGUAGE = "sw"
    body = platform.send(order_created_event("SHOP-DEF")).json()
    assert (body["payment_status"], body["estimated_delivery"], body["language"]) == ("unpaid", None, "sw")


def test_a_payment_report_marks_the_order_paid_once(platform):
    order = created(platform)

    first = platform.send(
        payment_event(order.external_id, "paid", reference="QJ12ABC3DE"), webhook_id="msg_pay"
    )
    same_message = platform.send(
        payment_event(order.external_id, "paid", reference="QJ12ABC3DE"), webhook_id="msg_pay"
    )
    same_news = platform.send(payment_event(order.external_id, "paid", reference="QJ12ABC3DE"))

    assert first.status_code == same_message.status_code == same_news.status_code == 200
    assert first.json()["payment_status"] == "paid"
    assert payment_history(order) == [("paid", "QJ12ABC3DE", "")]
    assert sms_templates(order) == [("order_placed", "en"), ("order_payment_changed", "en")]


def test_a_refund_reported_before_its_payment_keeps_the_refund_and_files_the_payment(platform):
    order = created(platform)
    paid_at, refunded_at = ago(minutes=30), ago(minutes=5)

    refund = platform.send(payment_event(order.external_id, "refunded", at=refunded_at, reference="RF-1"))
    late_payment = platform.send(payment_event(order.external_id, "paid", at=paid_at, reference="PAY-1"))

    assert refund.status_code == late_payment.status_code == 200
    assert late_payment.json()["payment_status"] == "refunded"
    # The refund implied the payment; the payment's own report, older, is on the timeline where it happened,
    # filed without moving anything.
    assert payment_history(order) == [
        ("paid", "PAY-1", "Reported after a newer report; filed, not applied."),
        ("paid", "", "Implied by the platform reporting refunded."),
        ("refunded", "RF-1", ""),
    ]
    assert sms_templates(order)[1:] == [("order_payment_changed", "en")]  # told once, of the refund


def test_payment_reports_in_order_and_a_newer_one_the_rules_refuse(platform):
    order = created(platform)
    platform.send(payment_event(order.external_id, "paid", at=ago(minutes=20)))
    platform.send(payment_event(order.external_id, "refunded", at=ago(minutes=10)))

    refused = platform.send(payment_event(order.external_id, "paid", at=ago(minutes=1)))

    assert refused.status_code == 409
    assert refused.json()["code"] == "invalid_payment_transition"
    order.refresh_from_db()
    assert order.payment_status == "refunded"


def test_payment_reports_for_unknown_orders_or_statuses_are_refused(platform):
    created(platform)
    unknown = platform.send(payment_event("SHOP-NOPE", "paid"))
    assert (unknown.status_code, unknown.json()["code"]) == (404, "unknown_order")

    bad = platform.send(payment_event("SHOP-1001", "settled"))
    assert bad.status_code == 400
    assert bad.json()["code"] == "invalid_payload"
    assert "data.payment_status" in bad.json()["errors"]


@pytest.mark.parametrize(
    "data",
    [
        {"estimated_delivery": "12/03/2026"},
        {"estimated_delivery": "2026-02-30"},
        {"language": "fr"},
        {"payment_status": "free"},
    ],
)
def test_bad_new_fields_on_order_created_are_400(platform, data):
    response = platform.send(order_created_event("SHOP-BAD", **data))
    assert response.status_code == 400
    assert f"data.{next(iter(data))}" in response.json()["errors"]


def test_a_status_update_carries_a_new_estimate(platform):
    order = created(platform, estimated_delivery="2026-03-12")

    response = platform.send(
        status_event(order.external_id, "shipped", ago(minutes=5), estimated_delivery="2026-03-11")
    )

    assert response.json()["estimated_delivery"] == "2026-03-11"
    estimates = OrderEvent.objects.filter(order=order, type="estimate").values_list(
        "estimated_delivery", flat=True
    )
    assert list(estimates) == [date(2026, 3, 11)]
    # One SMS, the status's, carrying the estimate: no separate one for the estimate.
    assert [t for t, _ in sms_templates(order)] == ["order_placed", "order_status_changed"]
    sms = Notification.objects.get(order=order, template="order_status_changed", channel="sms")
    assert sms.context["estimated_delivery"] == "2026-03-11"


def test_a_later_estimate_alone_is_one_sms_an_earlier_one_none(platform):
    order = created(platform, estimated_delivery="2026-03-12")
    platform.send(status_event(order.external_id, "shipped", ago(minutes=30)))

    platform.send(
        status_event(order.external_id, "shipped", ago(minutes=20), estimated_delivery="2026-03-11")
    )
    platform.send(
        status_event(order.external_id, "shipped", ago(minutes=10), estimated_delivery="2026-03-14")
    )
    platform.send(status_event(order.external_id, "shipped", ago(minutes=5), estimated_delivery="2026-03-14"))

    order.refresh_from_db()
    assert order.estimated_delivery == date(2026, 3, 14)
    assert OrderEvent.objects.filter(order=order, type="estimate").count() == 2
    delays = Notification.objects.filter(order=order, template="order_estimate_changed")
    assert [(n.context["estimated_delivery"], n.context["previous_estimate"]) for n in delays] == [
        ("2026-03-14", "2026-03-11")
    ]


def test_a_late_status_report_does_not_bring_back_its_stale_estimate(platform):
    order = created(platform)
    platform.send(status_event(order.external_id, "shipped", ago(minutes=5), estimated_delivery="2026-03-14"))

    platform.send(
        status_event(order.external_id, "processing", ago(minutes=30), estimated_delivery="2026-03-10")
    )

    order.refresh_from_db()
    assert (order.status, order.estimated_delivery) == ("shipped", date(2026, 3, 14))
