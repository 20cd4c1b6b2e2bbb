"""The public tracking JSON of one moment, as every client of this app sees it: the API, the page (built from
it), the live stream (sent as it is)."""

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC

from django.utils import timezone
from rest_framework.utils.encoders import JSONEncoder

from .selectors import tracking_order_by_code
from .serializers import PublicTrackingSerializer


@dataclass(frozen=True)
class TrackingSnapshot:
    """The data, its compact text, and a version that changes exactly when the text does (the stream's event
    id; the page carries it to skip what it already shows)."""

    data: dict
    text: str
    version: str


def tracking_snapshot(*, code: str) -> TrackingSnapshot:
    """The public tracking JSON for a code (Http404 when unknown). Timestamps in UTC, as the API's, whichever
    thread or request builds it."""
    order = tracking_order_by_code(code=code)
    with timezone.override(UTC):
        data = PublicTrackingSerializer(order).data
        text = json.dumps(data, cls=JSONEncoder, ensure_ascii=False, separators=(",", ":"))
    return TrackingSnapshot(data=data, text=text, version=hashlib.sha256(text.encode()).hexdigest()[:20])
