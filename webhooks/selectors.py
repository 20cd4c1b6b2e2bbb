"""Reads on webhook deliveries."""

from django.db.models import QuerySet

from .models import WebhookDelivery


def webhook_delivery_list(*, merchant) -> QuerySet[WebhookDelivery]:
    """Every delivery received for `merchant`, newest first, accepted or not."""
    return WebhookDelivery.objects.filter(merchant=merchant).order_by("-received_at", "-id")
