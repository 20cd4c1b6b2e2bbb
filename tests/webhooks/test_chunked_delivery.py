"""Platforms that stream their body (`Transfer-Encoding: chunked`, no Content-Length) are heard in full,
through gunicorn as production runs it; a streamed body over the limit is still refused unread."""

import json

import pytest
import requests

from orders.models import Order
from tests.scaleout.servers import Gunicorn, production_env
from tests.webhooks.platform import order_created_event
from webhooks.models import WebhookDelivery

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.django_db(transaction=True),
    pytest.mark.timeout(300),
]
PROXY = {"X-Forwarded-Proto": "https"}  # behind the TLS-terminating proxy, as production settings expect


def _chunks(data: bytes, size: int = 1000):
    """A generator body: requests sends it chunked, without Content-Length."""
    for start in range(0, len(data), size):
        yield data[start : start + size]


@pytest.fixture
def web():
    with Gunicorn(env=production_env(), workers=1, threads=2) as server:
        yield server.base


def test_a_chunked_delivery_is_read_verified_and_applied(web, platform):
    body = json.dumps(order_created_event("SHOP-CHUNKED"))
    headers = {
        **PROXY,
        **platform.headers(body, webhook_id="msg_chunked"),
        "Content-Type": "application/json",
    }

    response = requests.post(f"{web}{platform.url}", data=_chunks(body.encode()), headers=headers, timeout=60)

    assert response.request.headers.get("Transfer-Encoding") == "chunked"
    assert "Content-Length" not in response.request.headers
    assert response.status_code == 201, response.text
    assert response.json()["external_id"] == "SHOP-CHUNKED"
    assert Order.objects.filter(merchant=platform.merchant, external_id="SHOP-CHUNKED").count() == 1
    delivery = WebhookDelivery.objects.get(webhook_id="msg_chunked")
    assert (delivery.status_code, delivery.applied, delivery.body) == (201, True, body)


def test_a_chunked_body_over_the_limit_is_413_and_recorded(web, platform):
    event = order_created_event("SHOP-BIG")
    event["data"]["shipping_address"] = "x" * (300 * 1024)
    body = json.dumps(event)
    headers = {**PROXY, **platform.headers(body, webhook_id="msg_big"), "Content-Type": "application/json"}

    response = requests.post(f"{web}{platform.url}", data=_chunks(body.encode()), headers=headers, timeout=60)

    assert response.status_code == 413
    assert response.json()["code"] == "payload_too_large"
    assert not Order.objects.filter(external_id="SHOP-BIG").exists()
    delivery = WebhookDelivery.objects.get(webhook_id="msg_big")
    assert delivery.status_code == 413
    # Refused before verification (issue 15, row 1): its first 2 KB are kept, and the hash of what was read.
    assert (len(delivery.body), delivery.body_truncated) == (2048, True)
