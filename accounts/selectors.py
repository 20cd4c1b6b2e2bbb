"""Reads on accounts."""

from django.db.models import Q, QuerySet
from django.utils import timezone

from .models import Merchant, WebhookSecret


def merchant_webhook_secrets_valid(*, merchant: Merchant) -> QuerySet[WebhookSecret]:
    """The secrets a webhook signature is checked against: the current one and those still in their grace."""
    return WebhookSecret.objects.filter(merchant=merchant).filter(
        Q(expires_at__isnull=True) | Q(expires_at__gt=timezone.now())
    )
