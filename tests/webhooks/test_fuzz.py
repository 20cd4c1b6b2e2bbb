"""Whatever a sender (or an attacker) posts, the answer is a 4xx or 2xx with a `code` or an order, never a 5xx."""

import json
import time
from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from tests.webhooks.platform import Platform, order_created_event

pytestmark = pytest.mark.django_db

FUZZ = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=12,
)


def mostly(common: st.SearchStrategy, rare: st.SearchStrategy) -> st.SearchStrategy:
    """`common` nine times in ten, so most examples get past the first check into the later ones."""
    return st.integers(0, 9).flatmap(lambda n: rare if n == 0 else common)


event_types = mostly(
    st.sampled_from(["order.created", "order.status_updated", "order.cancelled"]), st.text(max_size=20)
)
header_text = st.text(st.characters(min_codepoint=32, max_codepoint=255), max_size=60)


def _mutated_event(draw_type, data, timestamp):
    return {"type": draw_type, "timestamp": timestamp, "data": data}


def _assert_well_formed(response):
    event(f"{response.status_code} {response.json().get('code', '')}")  # --hypothesis-show-statistics
    assert response.status_code < 500, response.content[:500]
    body = response.json()
    if response.status_code >= 400:
        assert isinstance(body.get("code"), str) and body["code"]
        assert isinstance(body.get("detail"), str)
    else:
        assert "id" in body and "status" in body


@FUZZ
@given(
    body=st.binary(max_size=2000) | st.text(max_size=500).map(str.encode),
    webhook_id=mostly(header_text, st.none()),
    timestamp=mostly(
        st.integers(-400, 400).map(lambda delta: str(int(time.time()) + delta)),
        st.none() | header_text | st.integers(-(10**15), 10**15).map(str),
    ),
    signature=mostly(header_text.map(lambda s: f"v1,{s}"), st.none() | header_text),
    content_type=mostly(
        st.sampled_from(
            ["application/json", "application/json; charset=utf-8", 'application/json;charset="UTF-8"']
        ),
        st.sampled_from(["text/plain", "application/json; charset=latin-1", "application/json;;", ""])
        | header_text,
    ),
)
def test_arbitrary_bytes_and_headers_never_break_the_endpoint(
    platform, body, webhook_id, timestamp, signature, content_type
):
    headers = {
        name: value
        for name, value in (
            ("webhook-id", webhook_id),
            ("webhook-timestamp", timestamp),
            ("webhook-signature", signature),
        )
        if value is not None
    }

    # generic() with CONTENT_TYPE as-is: post() would re-encode the body to the declared charset first.
    response = platform.client.generic("POST", platform.url, body, headers=headers, CONTENT_TYPE=content_type)

    _assert_well_formed(response)


@FUZZ
@given(
    event_type=event_types,
    data=json_values | st.fixed_dictionaries({}, optional={"external_id": json_values}),
    timestamp=json_values | st.datetimes().map(lambda d: d.isoformat()),
    field_overrides=st.dictionaries(
        st.sampled_from(
            [
                "external_id",
                "customer",
                "shipping_address",
                "items",
                "currency",
                "status",
                "occurred_at",
                "reason",
            ]
        ),
        json_values,
        max_size=3,
    ),
)
def test_validly_signed_nonsense_is_answered_with_a_code(
    platform, event_type, data, timestamp, field_overrides
):
    # Signed with the merchant's real secret, so the fuzz reaches parsing, validation and the services.
    if isinstance(data, dict) and event_type == "order.created":
        data = {**order_created_event()["data"], **data, **field_overrides}
    elif isinstance(data, dict):
        data = {"external_id": "SHOP-1001", "status": "shipped", **data, **field_overrides}
    event = _mutated_event(event_type, data, timestamp)

    response = platform.send(event)

    _assert_well_formed(response)


@FUZZ
@given(
    status=st.sampled_from(
        [
            "pending",
            "confirmed",
            "processing",
            "shipped",
            "in_transit",
            "out_for_delivery",
            "delivered",
            "returned",
        ]
        + ["delivery_failed", "cancelled", "lost"]
    ),
    occurred_at=st.datetimes(timezones=st.just(UTC)),
    cancel=st.booleans(),
)
def test_any_sequence_of_reports_for_one_order_is_answered_without_a_5xx(
    platform, status, occurred_at, cancel
):
    platform.send(order_created_event("SHOP-FUZZ"))
    if cancel:
        event = {"type": "order.cancelled", "timestamp": datetime.now(UTC).isoformat(), "data": {}}
        event["data"] = {"external_id": "SHOP-FUZZ", "reason": status}
    else:
        event = {
            "type": "order.status_updated",
            "timestamp": datetime.now(UTC).isoformat(),
            "data": {"external_id": "SHOP-FUZZ", "status": status, "occurred_at": occurred_at.isoformat()},
        }

    response = platform.send(event)

    _assert_well_formed(response)


def test_a_json_body_with_nul_and_lone_surrogate_escapes_is_answered(platform: Platform):
    raw = json.dumps(order_created_event(customer={"name": "\x00", "phone": "\ud800"}, status="\ud800\x00"))

    response = platform.send(None, body=raw)

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_payload"
