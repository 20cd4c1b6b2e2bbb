"""The light validation path accepts only what the serializers accept, with the values they would give."""

import copy
import json
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from phonenumber_field.phonenumber import PhoneNumber

from tests.webhooks.platform import order_created_event, status_event
from webhooks.serializers import EVENT_DATA_SERIALIZERS, WebhookEnvelopeSerializer
from webhooks.validation import event_validate_light

EQUIVALENCE = settings(
    max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)


def _by_serializers(payload: dict) -> dict | None:
    envelope = WebhookEnvelopeSerializer(data=payload)
    if not envelope.is_valid() or envelope.validated_data["type"] not in EVENT_DATA_SERIALIZERS:
        return None
    event = dict(envelope.validated_data)
    data = EVENT_DATA_SERIALIZERS[event["type"]](data=event["data"])
    if not data.is_valid():
        return None
    event["data"] = data.validated_data
    return event


def _comparable(value):
    """Equal values of the same type and form: Decimal("1.5") and Decimal("1.50") differ here."""
    if isinstance(value, dict):
        return {key: _comparable(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_comparable(item) for item in value]
    if isinstance(value, Decimal):
        return ("decimal", str(value))
    if isinstance(value, datetime):
        return ("datetime", value.isoformat(), str(value.tzinfo))
    if isinstance(value, PhoneNumber):
        return (type(value).__name__, str(value), value.is_valid())
    return (type(value).__name__, value)


def _assert_light_agrees(payload: dict) -> dict | None:
    light = event_validate_light(json.loads(json.dumps(payload)))
    if light is not None:
        expected = _by_serializers(json.loads(json.dumps(payload)))
        assert _comparable(light) == _comparable(expected), payload
    return light


def _payment_updated(external_id: str = "SHOP-1001", payment_status: str = "paid", **data) -> dict:
    return {
        "type": "order.payment_updated",
        "timestamp": datetime.now(UTC).isoformat(),
        "data": {"external_id": external_id, "payment_status": payment_status, **data},
    }


def _cancelled(external_id: str = "SHOP-1001", **data) -> dict:
    return {
        "type": "order.cancelled",
        "timestamp": datetime.now(UTC).isoformat(),
        "data": {"external_id": external_id, **data},
    }


@pytest.mark.parametrize(
    "payload",
    [
        order_created_event(),
        order_created_event(status="confirmed", currency="USD"),
        order_created_event(customer={"name": "  Amina  ", "phone": " 0712345678 ", "email": ""}),
        order_created_event(items=[{"name": "Box", "quantity": 1, "unit_price": "0"}]),
        status_event("SHOP-1", "shipped", datetime.now(UTC), location="Nairobi", note=""),
        status_event("SHOP-1", "delivered", datetime.now(timezone(timedelta(hours=3)))),
        _cancelled(reason="Out of stock"),
        _cancelled(),
        order_created_event(payment_status="paid", estimated_delivery="2026-03-12", language="sw"),
        status_event("SHOP-1", "shipped", datetime.now(UTC), estimated_delivery="2026-03-12"),
        _payment_updated(reference="QJ12ABC3DE"),
        _payment_updated(payment_status="refunded"),
    ],
)
def test_the_usual_events_take_the_light_path_with_the_serializers_values(payload):
    assert _assert_light_agrees(payload) is not None


ABSENT = "<absent>"
TEXT = [
    ABSENT,
    "",
    " ",
    "x",
    " x ",
    "\x00",
    "a\x00b",
    "\ud800",
    "é",
    "KES",
    "kes",
    " KES",
    "KES\n",
    "pending",
]
TEXT += [
    " shipped",
    "a" * 64,
    "a" * 65,
    "a" * 100,
    "a" * 101,
    "a" * 200,
    "a" * 201,
    "a" * 2001,
    " " + "a" * 200,
]
TEXT += [0, 1, -5, 10**13, 1.5, 2.0, True, False, None, [], {}, ["x"], {"x": 1}]
PRICES = TEXT + ["750.00", "750.5", "750.505", "-1", "-0", "0", "0.00", "1e3", "0001.10", "0000000000.5"]
PRICES += ["12345678901", "1234567890.12", "9999999999.99", " 5 ", "NaN", "Infinity", "5.", ".5", "٥"]
PRICES += [0, 100, -1, 9_999_999_999, 10**10, 10**12, 0.5, 1e3]
PHONES = TEXT + ["+254712345678", "0712345678", " +254712345678 ", "+1", "07123", "+254 712 345 678", "+٢٥٤"]
EMAILS = TEXT + ["amina@example.com", "not-an-email", " a@b.co ", "a@b", "a@" + "b" * 320 + ".com"]
TIMES = TEXT + [
    "2026-03-01T09:00:00Z",
    "2026-03-01T09:00:00",
    "2026-03-01T09:00:00+03:00",
    "2026-13-01T09:00:00Z",
]
TIMES += [
    "2026-03-01",
    "9999-12-31T23:59:59-23:59",
    "0001-01-01T00:00:00+05:00",
    "2026-03-01 09:00Z",
    " 2026-03-01T09:00Z",
]
QUANTITIES = TEXT + [2, 1_000_000, 1_000_001, "2", 2.0, 10**30]
DATES = TEXT + ["2026-03-12", "2026-3-12", "20260312", "2026-W11-4", "2026-02-30", "2026-03-12T09:00:00Z"]
DATES += [" 2026-03-12", "2026-03-12 ", "٢٠٢٦-٠٣-١٢", "0000-01-01", "9999-12-31", "2026-13-01", 20260312]
PAYMENT_STATUSES = TEXT + ["paid", "unpaid", "partially_refunded", "refunded", "PAID", " paid"]
LANGUAGES = TEXT + ["en", "sw", "EN", "sw ", "fr"]
ITEMS = [ABSENT, [], "x", [None], [[]], [{}], [{"name": "n", "quantity": 1, "unit_price": 1}] * 501]
ITEMS += [[{"name": "n", "quantity": 1, "unit_price": 1}] * 500]
ITEMS += [[{"name": "n", "quantity": 1_000_000, "unit_price": "9999999999.99"}] * 2]
_BIG = {"name": "n", "quantity": 100, "unit_price": "9999999999.99"}  # 999999999999.00, just under the most
ITEMS += [
    [_BIG],
    [_BIG, {"name": "n", "quantity": 1, "unit_price": "0.99"}],
    [_BIG, {"name": "n", "quantity": 1, "unit_price": "1"}],
]
CUSTOMERS = [ABSENT, None, "x", [], {}]

ORDER_FIELDS = {
    "external_id": TEXT,
    "shipping_address": TEXT,
    "currency": TEXT,
    "status": TEXT,
    "items": ITEMS,
    "customer": CUSTOMERS,
    "payment_status": PAYMENT_STATUSES,
    "estimated_delivery": DATES,
    "language": LANGUAGES,
    "customer.name": TEXT,
    "customer.phone": PHONES,
    "customer.email": EMAILS,
    "item.sku": TEXT,
    "item.name": TEXT,
    "item.quantity": QUANTITIES,
    "item.unit_price": PRICES,
    "timestamp": TIMES,
    "type": TEXT + [" order.created", "order.created "],
    "data": CUSTOMERS,
}
UPDATE_FIELDS = {
    "external_id": TEXT,
    "status": TEXT,
    "location": TEXT,
    "note": TEXT,
    "occurred_at": TIMES,
    "reason": TEXT,
    "estimated_delivery": DATES,
}
PAYMENT_FIELDS = {
    "external_id": TEXT,
    "payment_status": PAYMENT_STATUSES,
    "reference": TEXT,
    "timestamp": TIMES,
}


def _set(target: dict, key: str, value) -> None:
    if value == ABSENT:
        target.pop(key, None)
    else:
        # A copy: the value lists are shared, and setting one shared {} both as `data` and as its `customer`
        # would make a payload that contains itself.
        target[key] = copy.deepcopy(value)


def _order_created(overrides) -> dict:
    payload = order_created_event()
    for key, value in overrides:
        if key in ("timestamp", "type", "data"):
            _set(payload, key, value)
            continue
        scope, _, name = key.rpartition(".")
        data = payload["data"] if isinstance(payload.get("data"), dict) else {}
        target = {"": data, "customer": data.get("customer"), "item": (data.get("items") or [None])[0]}[scope]
        if isinstance(target, dict):
            _set(target, name, value)
    return payload


@pytest.mark.parametrize("field", ORDER_FIELDS)
def test_order_created_light_path_agrees_for_each_field(field):
    for value in ORDER_FIELDS[field]:
        _assert_light_agrees(_order_created([(field, value)]))


@pytest.mark.parametrize("event_type", ["order.status_updated", "order.cancelled"])
@pytest.mark.parametrize("field", UPDATE_FIELDS)
def test_update_and_cancel_light_paths_agree_for_each_field(event_type, field):
    for value in UPDATE_FIELDS[field]:
        payload = status_event("SHOP-1", "shipped", datetime.now(UTC))
        payload["type"] = event_type
        _set(payload["data"], field, value)
        _assert_light_agrees(payload)


@pytest.mark.parametrize("field", PAYMENT_FIELDS)
def test_payment_updated_light_path_agrees_for_each_field(field):
    for value in PAYMENT_FIELDS[field]:
        payload = _payment_updated()
        _set(payload if field == "timestamp" else payload["data"], field, value)
        _assert_light_agrees(payload)


@EQUIVALENCE
@given(
    fields=st.dictionaries(
        st.sampled_from(list(PAYMENT_FIELDS)),
        st.sampled_from(PAYMENT_STATUSES + DATES) | st.text(max_size=8),
        max_size=3,
    ),
    data=st.sampled_from([None, [], "x", {}]),
)
def test_payment_updated_light_path_never_disagrees(fields, data):
    payload = _payment_updated()
    for key, value in fields.items():
        _set(payload if key == "timestamp" else payload["data"], key, value)
    _assert_light_agrees(payload)
    payload["data"] = data
    assert _assert_light_agrees(payload) is None


def _field_and_value(fields: dict):
    return st.one_of(
        *(
            st.tuples(st.just(name), st.sampled_from(values) | st.text(max_size=8))
            for name, values in fields.items()
        )
    )


@EQUIVALENCE
@given(overrides=st.lists(_field_and_value(ORDER_FIELDS), min_size=2, max_size=3))
def test_order_created_light_path_agrees_for_combinations(overrides):
    _assert_light_agrees(_order_created(overrides))


@EQUIVALENCE
@given(
    event_type=st.sampled_from(
        ["order.status_updated", "order.cancelled", " order.cancelled", "order.unknown"]
    ),
    fields=st.dictionaries(
        st.sampled_from(["external_id", "status", "location", "note", "occurred_at", "reason"]),
        st.sampled_from(TIMES) | st.text(max_size=8),
        max_size=2,
    ),
    data=st.sampled_from([None, [], "x", {}]),
)
def test_update_and_cancel_light_paths_never_disagree(event_type, fields, data):
    payload = status_event("SHOP-1", "shipped", datetime.now(UTC))
    payload["type"] = event_type
    for key, value in fields.items():
        _set(payload["data"], key, value)
    _assert_light_agrees(payload)
    payload["data"] = data
    assert _assert_light_agrees(payload) is None


def test_overrides_never_make_a_payload_that_contains_itself():
    shared = {}  # one object given twice, as the strategies draw from shared lists
    payload = _order_created([("data", shared), ("customer", shared)])
    assert json.loads(json.dumps(payload))["data"] == {"customer": {}}
    assert shared == {}
