"""A stand-in e-commerce platform that signs its deliveries with the independent `standardwebhooks` package."""

import base64
import json
import os
import uuid
from datetime import UTC, datetime, timedelta

from django.test import Client
from standardwebhooks.webhooks import Webhook


def new_secret() -> str:
    return "whsec_" + base64.b64encode(os.urandom(32)).decode()


def order_created_event(external_id: str = "SHOP-1001", **data) -> dict:
    payload = {
        "external_id": external_id,
        "customer": {"name": "Amina Njeri", "phone": "+254712345678", "email": "amina@example.com"},
        "shipping_address": "Moi Avenue 12, Nairobi",
        "items": [
            {"sku": "TEE-M", "name": "T-shirt M", "quantity": 2, "unit_price": "750.00"},
            {"name": "Gift wrap", "quantity": 1, "unit_price": 100},
        ],
        "currency": "KES",
    }
    payload.update(data)
    return {"type": "order.created", "timestamp": datetime.now(UTC).isoformat(), "data": payload}


def status_event(external_id: str, status: str, occurred_at: datetime, **data) -> dict:
    payload = {"external_id": external_id, "status": status, "occurred_at": occurred_at.isoformat(), **data}
    return {"type": "order.status_updated", "timestamp": datetime.now(UTC).isoformat(), "data": payload}


class Platform:
    """Posts events to Ordertrail for one merchant, signed as a Standard Webhooks sender does."""

    def __init__(self, merchant, secret: str):
        self.merchant = merchant
        self.secret = secret
        self.client = Client()
        self.url = f"/api/v1/webhooks/{merchant.pk}/"

    def headers(self, body: str, *, webhook_id=None, secret=None, at=None) -> dict:
        webhook_id = webhook_id or f"msg_{uuid.uuid4().hex}"
        at = at or datetime.now(UTC)
        return {
            "webhook-id": webhook_id,
            "webhook-timestamp": str(int(at.timestamp())),
            "webhook-signature": Webhook(secret or self.secret).sign(webhook_id, at, body),
        }

    def send(
        self,
        event,
        *,
        webhook_id=None,
        secret=None,
        at=None,
        content_type="application/json",
        body=None,
        headers=None,
        url=None,
    ):
        """Sign `event` (or the raw `body`) and post it; `headers` overrides or (value None) removes headers."""
        text = body if body is not None else json.dumps(event)
        sent = self.headers(text, webhook_id=webhook_id, secret=secret, at=at)
        for name, value in (headers or {}).items():
            if value is None:
                sent.pop(name, None)
            else:
                sent[name] = value
        return self.client.post(url or self.url, data=text.encode(), content_type=content_type, headers=sent)


def ago(**kwargs) -> datetime:
    return datetime.now(UTC) - timedelta(**kwargs)
