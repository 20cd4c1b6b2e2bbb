"""Reads for the public tracking page: an order found by its tracking code, with its timeline, and the public
JSON every client of this app (API, page, live stream) sees of it."""

import hashlib
import json
from dataclasses import dataclass

from django.db.models import Prefetch
from django.http import Http404
from rest_framework.utils.encoders import JSONEncoder

from orders.models import Order, TrackingEvent

from .serializers import PublicTrackingSerializer


def tracking_order_by_code(*, code: str) -> Order:
    """The order behind a tracking code (case-insensitive, as typed from an SMS), events oldest first."""
    code = (code or "").strip().upper()
    if "\x00" in code or len(code) > Order._meta.get_field("tracking_code").max_length:
        raise Http404("No order has this tracking code.")  # PostgreSQL refuses NUL in a lookup
    try:
        return (
            Order.objects.select_related("merchant")
            .prefetch_related(
                Prefetch("events", queryset=TrackingEvent.objects.order_by("occurred_at", "id"))
            )
            .get(tracking_code=code)
        )
    except Order.DoesNotExist:
        raise Http404("No order has this tracking code.") from None


@dataclass(frozen=True)
class TrackingSnapshot:
    """The public tracking JSON of one moment: the data, its compact text, and a version that changes
    exactly when the text does (the stream's event id; the page carries it to skip what it already shows)."""

    data: dict
    text: str
    version: str


def tracking_snapshot(*, code: str) -> TrackingSnapshot:
    """The public tracking JSON for a code (Http404 when unknown)."""
    data = PublicTrackingSerializer(tracking_order_by_code(code=code)).data
    text = json.dumps(data, cls=JSONEncoder, ensure_ascii=False, separators=(",", ":"))
    return TrackingSnapshot(data=data, text=text, version=hashlib.sha256(text.encode()).hexdigest()[:20])
