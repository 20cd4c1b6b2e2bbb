"""Every inbound webhook delivery, accepted or not."""

import uuid

from django.db import models
from django.db.models import Q


class WebhookDelivery(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    merchant = models.ForeignKey(
        "merchants.Merchant", on_delete=models.CASCADE, related_name="webhook_deliveries"
    )
    webhook_id = models.CharField(max_length=255, blank=True)
    event_type = models.CharField(max_length=64, blank=True)
    received_at = models.DateTimeField(auto_now_add=True, db_index=True)
    headers = models.JSONField(default=dict)
    # A delivery that failed verification keeps only its first 2 KB (body_truncated) and the hash of all of it.
    body = models.TextField(blank=True)
    body_sha256 = models.CharField(max_length=64, blank=True)
    body_truncated = models.BooleanField(default=False)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    error_code = models.CharField(max_length=64, blank=True)
    response_body = models.JSONField(null=True, blank=True)
    applied = models.BooleanField(default=False)
    order = models.ForeignKey(
        "orders.Order", null=True, blank=True, on_delete=models.SET_NULL, related_name="webhook_deliveries"
    )

    class Meta:
        ordering = ["-received_at"]
        verbose_name_plural = "webhook deliveries"
        constraints = [
            # A message (webhook-id) is applied at most once per merchant; rejected attempts may repeat.
            models.UniqueConstraint(
                fields=["merchant", "webhook_id"], condition=Q(applied=True), name="unique_applied_webhook_id"
            )
        ]
        indexes = [
            models.Index(fields=["merchant", "-received_at"]),
            # The Django admin over 500,000 deliveries: its search by webhook-id, and its filters, whose rare
            # values (a refusal, an error) would otherwise be looked for through every row.
            models.Index(fields=["webhook_id"], name="webhook_delivery_webhook_id"),
            models.Index(fields=["status_code", "-received_at"], name="webhook_delivery_status_code"),
            models.Index(
                fields=["error_code"], condition=~Q(error_code=""), name="webhook_delivery_error_code"
            ),
            models.Index(fields=["event_type", "-received_at"], name="webhook_delivery_event_type"),
        ]

    def __str__(self):
        return f"{self.webhook_id or '-'} {self.event_type or '-'} -> {self.status_code}"


class WebhookRejectedDrop(models.Model):
    """Unverified deliveries of a merchant that were answered but not recorded, per minute (the recording cap,
    WEBHOOK_REJECTED_RECORD_LIMIT_PER_MINUTE, was reached): what a flood cost, without storing it."""

    merchant = models.ForeignKey(
        "merchants.Merchant", on_delete=models.CASCADE, related_name="webhook_rejected_drops"
    )
    minute = models.DateTimeField()
    dropped = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-minute"]
        constraints = [
            models.UniqueConstraint(fields=["merchant", "minute"], name="unique_rejected_drop_minute")
        ]

    def __str__(self):
        return f"{self.merchant_id} {self.minute:%Y-%m-%d %H:%M}: {self.dropped} dropped"
