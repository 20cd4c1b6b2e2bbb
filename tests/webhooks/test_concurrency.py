"""Platforms retry eagerly: copies of one message can arrive at the same moment on different workers."""

import json
import threading
from datetime import UTC, datetime

import pytest
from django.db import connection

from orders.models import Order
from tests.webhooks.platform import Platform, ago, order_created_event, status_event
from webhooks.models import WebhookDelivery

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

COPIES = 6


def _send_together(platform: Platform, requests: list[tuple[str, str]]) -> list:
    """Post pre-signed (body, webhook_id) pairs from one thread each, released at the same instant."""
    signed = [(body, platform.headers(body, webhook_id=webhook_id)) for body, webhook_id in requests]
    barrier = threading.Barrier(len(signed))
    answers = [None] * len(signed)

    def post(index, body, headers):
        try:
            barrier.wait()
            answers[index] = Platform(platform.merchant, platform.secret).client.post(
                platform.url, data=body.encode(), content_type="application/json", headers=headers
            )
        finally:
            connection.close()

    threads = [threading.Thread(target=post, args=(i, *pair)) for i, pair in enumerate(signed)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers


def test_copies_of_one_order_created_message_create_one_order(platform, notifications_sent):
    body = json.dumps(order_created_event("SHOP-7"))

    answers = _send_together(platform, [(body, "msg_same")] * COPIES)

    assert sorted(a.status_code for a in answers) == [200] * (COPIES - 1) + [201]
    assert len({json.dumps(a.json(), sort_keys=True) for a in answers}) == 1
    assert Order.objects.count() == 1
    assert WebhookDelivery.objects.filter(webhook_id="msg_same", applied=True).count() == 1
    assert WebhookDelivery.objects.filter(webhook_id="msg_same").count() == COPIES
    assert notifications_sent == [("placed", "SHOP-7")]


def test_one_order_reported_under_different_webhook_ids_at_once_is_created_once(platform, notifications_sent):
    body = json.dumps(order_created_event("SHOP-8"))

    answers = _send_together(platform, [(body, f"msg_{n}") for n in range(COPIES)])

    assert sorted(a.status_code for a in answers) == [200] * (COPIES - 1) + [201]
    assert len({a.json()["id"] for a in answers}) == 1
    assert Order.objects.count() == 1
    assert notifications_sent == [("placed", "SHOP-8")]


def test_copies_of_one_status_update_move_the_order_once(platform, notifications_sent):
    created = order_created_event("SHOP-9")
    created["timestamp"] = ago(hours=1).isoformat()
    assert platform.send(created).status_code == 201
    body = json.dumps(status_event("SHOP-9", "confirmed", datetime.now(UTC)))

    answers = _send_together(platform, [(body, "msg_confirm")] * COPIES)

    assert [a.status_code for a in answers] == [200] * COPIES
    assert {a.json()["status"] for a in answers} == {"confirmed"}
    assert notifications_sent == [("placed", "SHOP-9"), ("status", "confirmed")]
    assert Order.objects.get().events.filter(status="confirmed").count() == 1
