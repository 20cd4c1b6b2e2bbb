"""Validating a webhook event: the fast path for the usual payloads, the DRF serializers for the rest.

Building and walking the DRF serializers cost more CPU than anything else the webhook does before touching the
database. The functions below accept only what those serializers accept, and give the values they would give;
whenever they cannot vouch for a value (anything invalid, and a few valid but unusual forms such as numbers sent
as strings where a string is expected), they give up and the serializers decide, so every error answer still
comes from DRF, word for word. Plain functions and immutable constants only: nothing here is shared and mutable
across requests or threads.
"""

import re
from datetime import date, datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from core.errors import DomainError
from core.languages import Language
from core.phone import phone_parse
from orders.lifecycle import OrderStatus
from orders.limits import order_total_fits
from orders.payments import PaymentStatus

from .errors import WebhookError
from .serializers import (
    EVENT_DATA_SERIALIZERS,
    WebhookCustomerSerializer,
    WebhookEnvelopeSerializer,
    WebhookItemSerializer,
    WebhookOrderCancelledDataSerializer,
    WebhookOrderCreatedDataSerializer,
    WebhookOrderPaymentUpdatedDataSerializer,
    WebhookOrderStatusUpdatedDataSerializer,
    order_items_total,
)


class _Unsure(Exception):
    """The light path cannot vouch for this payload; the serializers decide."""


_ABSENT = object()
# The limits below are read from the serializers' declared fields, so the two paths cannot drift apart.
_CUSTOMER = WebhookCustomerSerializer._declared_fields
_ITEM = WebhookItemSerializer._declared_fields
_CREATED = WebhookOrderCreatedDataSerializer._declared_fields
_STATUS_UPDATED = WebhookOrderStatusUpdatedDataSerializer._declared_fields
_CANCELLED = WebhookOrderCancelledDataSerializer._declared_fields
_PAYMENT_UPDATED = WebhookOrderPaymentUpdatedDataSerializer._declared_fields
_ITEMS = _CREATED["items"]
_QUANTITY = _ITEM["quantity"]
# unit_price, a DecimalField(min_value=0): up to max_digits - decimal_places whole digits and decimal_places decimals.
_WHOLE_DIGITS = _ITEM["unit_price"].max_digits - _ITEM["unit_price"].decimal_places
_CENT = Decimal(1).scaleb(-_ITEM["unit_price"].decimal_places)
_PRICE = re.compile(rf"[0-9]{{1,{_WHOLE_DIGITS}}}(?:\.[0-9]{{1,{_ITEM['unit_price'].decimal_places}}})?")
_MAX_WHOLE_PRICE = 10**_WHOLE_DIGITS
_CURRENCY = re.compile(r"[A-Z]{3}")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_STATUSES = frozenset(OrderStatus.values)
_PAYMENT_STATUSES = frozenset(PaymentStatus.values)
_LANGUAGES = frozenset(Language.values)


def _surrogate_free(value: str) -> bool:
    if value.isascii():
        return True
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _text(data: dict, name: str, fields: dict):
    """The declared `CharField` (or `EmailField`) `fields[name]` for a JSON string: its max_length, required
    and allow_blank (trimmed, as DRF trims)."""
    field = fields[name]
    value = data.get(name, _ABSENT)
    if value is _ABSENT:
        if field.required:
            raise _Unsure
        return _ABSENT
    if type(value) is not str:
        raise _Unsure
    value = value.strip()
    if not value:
        if field.allow_blank:
            return ""
        raise _Unsure
    too_long = field.max_length is not None and len(value) > field.max_length
    if too_long or "\x00" in value or not _surrogate_free(value):
        raise _Unsure
    return value


def _datetime(data: dict, name: str) -> datetime:
    """`DateTimeField()` for an ISO 8601 string with an offset (a naive one is left to DRF)."""
    value = data.get(name)
    if type(value) is not str or not settings.USE_TZ:
        raise _Unsure
    try:
        parsed = parse_datetime(value)
        if parsed is None or parsed.utcoffset() is None:
            raise _Unsure
        return parsed.astimezone(timezone.get_current_timezone())
    except (ValueError, OverflowError):
        raise _Unsure from None


def _date(data: dict, name: str):
    """An optional `DateField()` for a plain `YYYY-MM-DD` string (other ISO 8601 forms are left to DRF)."""
    value = data.get(name, _ABSENT)
    if value is _ABSENT:
        return _ABSENT
    if type(value) is not str or not _DATE.fullmatch(value):
        raise _Unsure
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise _Unsure from None


def _choice(data: dict, name: str, choices: frozenset, *, required: bool):
    """A `ChoiceField`: exactly one of the values (no trimming)."""
    value = data.get(name, _ABSENT)
    if value is _ABSENT and not required:
        return _ABSENT
    if type(value) is not str or value not in choices:
        raise _Unsure
    return value


def _optional(validated: dict, name: str, value) -> None:
    if value is not _ABSENT:
        validated[name] = value


def _mapping(value) -> dict:
    if type(value) is not dict:
        raise _Unsure
    return value


def _customer(value) -> dict:
    value = _mapping(value)
    customer = {"name": _text(value, "name", _CUSTOMER)}
    phone = value.get("phone")
    if type(phone) is not str:
        raise _Unsure
    phone = phone.strip()
    if not phone or "\x00" in phone or not phone.isascii():
        raise _Unsure
    number = phone_parse(phone)
    if not number or not number.is_valid():
        raise _Unsure
    customer["phone"] = number
    email = _text(value, "email", _CUSTOMER)
    if email is not _ABSENT:
        if email:
            try:
                validate_email(email)
            except DjangoValidationError:
                raise _Unsure from None
        customer["email"] = email
    return customer


def _item(value) -> dict:
    value = _mapping(value)
    item = {}
    sku = _text(value, "sku", _ITEM)
    if sku is not _ABSENT:
        item["sku"] = sku
    item["name"] = _text(value, "name", _ITEM)
    quantity = value.get("quantity")
    if type(quantity) is not int or not _QUANTITY.min_value <= quantity <= _QUANTITY.max_value:
        raise _Unsure
    item["quantity"] = quantity
    price = value.get("unit_price")
    if type(price) is int:
        if not 0 <= price < _MAX_WHOLE_PRICE:
            raise _Unsure
    elif type(price) is not str or not _PRICE.fullmatch(price):
        raise _Unsure
    item["unit_price"] = Decimal(price).quantize(_CENT)
    return item


def _order_created_data(data: dict) -> dict:
    validated = {
        "external_id": _text(data, "external_id", _CREATED),
        "customer": _customer(data.get("customer")),
        "shipping_address": _text(data, "shipping_address", _CREATED),
    }
    items = data.get("items")
    if type(items) is not list or not (1 if not _ITEMS.allow_empty else 0) <= len(items) <= _ITEMS.max_length:
        raise _Unsure
    validated["items"] = [_item(item) for item in items]
    if not order_total_fits(order_items_total(validated["items"])):
        raise _Unsure
    currency = data.get("currency", _ABSENT)
    if currency is not _ABSENT:
        if type(currency) is not str or not _CURRENCY.fullmatch(currency):
            raise _Unsure
        validated["currency"] = currency
    _optional(validated, "status", _choice(data, "status", _STATUSES, required=False))
    _optional(validated, "payment_status", _choice(data, "payment_status", _PAYMENT_STATUSES, required=False))
    _optional(validated, "estimated_delivery", _date(data, "estimated_delivery"))
    _optional(validated, "language", _choice(data, "language", _LANGUAGES, required=False))
    return validated


def _optional_text(validated: dict, data: dict, name: str, fields: dict) -> None:
    _optional(validated, name, _text(data, name, fields))


def _order_status_updated_data(data: dict) -> dict:
    validated = {
        "external_id": _text(data, "external_id", _STATUS_UPDATED),
        "status": _choice(data, "status", _STATUSES, required=True),
    }
    _optional_text(validated, data, "location", _STATUS_UPDATED)
    _optional_text(validated, data, "note", _STATUS_UPDATED)
    validated["occurred_at"] = _datetime(data, "occurred_at")
    _optional(validated, "estimated_delivery", _date(data, "estimated_delivery"))
    return validated


def _order_cancelled_data(data: dict) -> dict:
    validated = {"external_id": _text(data, "external_id", _CANCELLED)}
    _optional_text(validated, data, "reason", _CANCELLED)
    return validated


def _order_payment_updated_data(data: dict) -> dict:
    validated = {
        "external_id": _text(data, "external_id", _PAYMENT_UPDATED),
        "payment_status": _choice(data, "payment_status", _PAYMENT_STATUSES, required=True),
    }
    _optional_text(validated, data, "reference", _PAYMENT_UPDATED)
    return validated


_LIGHT_DATA = {
    "order.created": _order_created_data,
    "order.status_updated": _order_status_updated_data,
    "order.cancelled": _order_cancelled_data,
    "order.payment_updated": _order_payment_updated_data,
}


def event_validate_light(payload: dict) -> dict | None:
    """The event as `WebhookEnvelopeSerializer` plus its type's data serializer would validate it, or None
    when the light path cannot vouch for it (then the serializers decide, and word any error)."""
    light_data = _LIGHT_DATA.get(payload.get("type")) if type(payload.get("type")) is str else None
    if light_data is None:
        return None
    try:
        return {
            "type": payload["type"],
            "timestamp": _datetime(payload, "timestamp"),
            "data": light_data(_mapping(payload.get("data"))),
        }
    except _Unsure:
        return None


def _flatten_errors(errors, prefix: str = "") -> dict[str, list[str]]:
    """DRF's nested errors as `{"data.items.0.quantity": ["..."]}`."""
    if isinstance(errors, dict):
        flat: dict[str, list[str]] = {}
        for key, value in errors.items():
            path = prefix if key == "non_field_errors" else f"{prefix}.{key}" if prefix else str(key)
            for sub_path, messages in _flatten_errors(value, path).items():
                flat.setdefault(sub_path, []).extend(messages)
        return flat
    if isinstance(errors, list) and any(isinstance(item, dict | list) for item in errors):
        flat = {}
        for index, item in enumerate(errors):
            for sub_path, messages in _flatten_errors(
                item, f"{prefix}.{index}" if prefix else str(index)
            ).items():
                flat.setdefault(sub_path, []).extend(messages)
        return flat
    messages = errors if isinstance(errors, list) else [errors]
    return {prefix or "body": [str(message) for message in messages]}


def invalid_payload(errors: dict) -> DomainError:
    """The contract's one 400 answer for a webhook payload, `errors` keyed by where it is wrong."""
    return DomainError(WebhookError.INVALID_PAYLOAD, "The payload is not a valid event.", errors=errors)


def event_validate(payload: dict) -> dict:
    """The event of a parsed body, validated: by the fast path when it can vouch for it, else by the
    serializers, whose errors are the answer (400 `invalid_payload`, `errors` says where)."""
    event = event_validate_light(payload)
    if event is not None:
        return event

    envelope = WebhookEnvelopeSerializer(data=payload)
    envelope_valid = envelope.is_valid()
    event_type = envelope.validated_data["type"] if envelope_valid else payload.get("type")
    if isinstance(event_type, str) and event_type and event_type not in EVENT_DATA_SERIALIZERS:
        # The contract has one 400 code for webhooks: an unknown type is a payload that fails validation.
        raise invalid_payload(
            {"type": [f"Unsupported event type; expected one of: {', '.join(EVENT_DATA_SERIALIZERS)}."]}
        )
    if not envelope_valid:
        raise invalid_payload(_flatten_errors(envelope.errors))
    event = dict(envelope.validated_data)
    data = EVENT_DATA_SERIALIZERS[event["type"]](data=event["data"])
    if not data.is_valid():
        raise invalid_payload(_flatten_errors(data.errors, "data"))
    event["data"] = data.validated_data
    return event
