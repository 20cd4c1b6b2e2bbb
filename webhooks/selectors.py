"""Reads on webhook deliveries."""

from datetime import datetime

from django.db.models import Count, QuerySet

from .models import WebhookDelivery


def webhook_delivery_list(*, merchant) -> QuerySet[WebhookDelivery]:
    """Every delivery received for `merchant`, newest first, accepted or not."""
    return WebhookDelivery.objects.filter(merchant=merchant).order_by("-received_at", "-id")


def webhook_delivery_refusals_since(*, since: datetime) -> dict[str, int]:
    """Deliveries received since `since` that were refused (answered 4xx or 5xx), by error code, most first:
    one query through the `received_at` index."""
    rows = (
        WebhookDelivery.objects.filter(received_at__gte=since, status_code__gte=400)
        .order_by()
        .values("error_code")
        .annotate(deliveries=Count("*"))
    )
    counts = {row["error_code"] or "(none)": row["deliveries"] for row in rows}
    return dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))
