"""The outbox: one row per message, written in the transaction of the change that caused it."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models.functions import Upper
from django.utils import timezone


class Channel(models.TextChoices):
    SMS = "sms", "SMS"
    EMAIL = "email", "Email"


class NotificationStatus(models.TextChoices):
    """Where a message is on its way out. `sending`: a worker claimed it and the provider call is in flight
    (since `claimed_at`). `outcome_unknown`: the provider may or may not have sent it (no answer, an answer
    nobody could read, or a worker that stopped mid-send); never resent without an admin's `force`.
    """

    PENDING = "pending", "Pending"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"
    OUTCOME_UNKNOWN = "outcome_unknown", "Outcome unknown"


class DeliveryStatus(models.TextChoices):
    """What the provider's delivery report says about a sent SMS (blank until a report arrives)."""

    NONE = "", "No report"
    IN_TRANSIT = "in_transit", "In transit"
    DELIVERED = "delivered", "Delivered"
    FAILED = "failed", "Not delivered"


class Audience(models.TextChoices):
    ADMINS = "admins", "Admins"
    MERCHANTS = "merchants", "Merchants"
    CUSTOMERS = "customers", "Customers"


class Broadcast(models.Model):
    """A system alert an admin sends to a whole audience through the outbox."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    audience = models.CharField(max_length=16, choices=Audience.choices)
    channels = models.JSONField(default=list)
    subject = models.CharField(max_length=200, blank=True)
    message = models.TextField()
    # Users reached on at least one channel (a user with both a phone and an email counts once).
    recipients = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        permissions = [("send_broadcast", "Can send broadcasts")]

    def __str__(self):
        return f"Broadcast to {self.audience} at {self.created_at:%Y-%m-%d %H:%M}"


class Notification(models.Model):
    """One message to one recipient on one channel; rendered from `template` and `context` when sent."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    channel = models.CharField(max_length=8, choices=Channel.choices)
    recipient = models.CharField(max_length=254)
    template = models.CharField(max_length=64)
    context = models.JSONField(default=dict)
    status = models.CharField(
        max_length=16, choices=NotificationStatus.choices, default=NotificationStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    provider_message_id = models.CharField(max_length=128, blank=True)
    provider_cost = models.CharField(max_length=32, blank=True)
    last_error = models.TextField(blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # Set (and committed, with status `sending`) by the worker that is about to call the provider; cleared
    # when it records the outcome. A row still `sending` after the lease expired means the worker died or lost
    # the database mid-send: its outcome is unknown, so it is not resent (README, "Workers": never sent twice).
    claimed_at = models.DateTimeField(null=True, blank=True)
    claim_token = models.UUIDField(null=True, blank=True, editable=False)
    # From the provider's delivery reports (SMS): what happened after it accepted the message.
    delivery_status = models.CharField(max_length=16, choices=DeliveryStatus.choices, blank=True, default="")
    delivery_reason = models.CharField(max_length=200, blank=True)
    delivery_reported_at = models.DateTimeField(null=True, blank=True)
    order = models.ForeignKey(
        "orders.Order", null=True, blank=True, on_delete=models.SET_NULL, related_name="notifications"
    )
    broadcast = models.ForeignKey(
        Broadcast, null=True, blank=True, on_delete=models.CASCADE, related_name="notifications"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        permissions = [("retry_notification", "Can retry failed notifications")]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"]),
            models.Index(fields=["channel", "status"]),
            models.Index(fields=["broadcast", "status"]),
            # Delivery reports find their row by the provider's message id.
            models.Index(
                fields=["provider_message_id"],
                condition=~models.Q(provider_message_id=""),
                name="notification_provider_id",
            ),
            # Lists newest first (admin API, Django admin, its date filter); the admin's template filter;
            # its search by recipient (case-insensitive exact: a LIKE '%…%' would read 2,000,000 rows).
            models.Index(fields=["-created_at", "-id"], name="notification_newest"),
            models.Index(fields=["template", "-created_at"], name="notification_template_newest"),
            models.Index(Upper("recipient"), name="notification_recipient_upper"),
            # The dashboard's count of SMS the network did not deliver (and their list, newest first).
            models.Index(
                fields=["-created_at"],
                condition=models.Q(channel="sms", delivery_status="failed"),
                name="notification_sms_undelivered",
            ),
        ]
        constraints = [
            # A broadcast reaches each address once per channel, however many users share it.
            models.UniqueConstraint(
                fields=["broadcast", "channel", "recipient"],
                condition=models.Q(broadcast__isnull=False),
                name="notification_once_per_broadcast_recipient",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="sent") | models.Q(sent_at__isnull=False),
                name="notification_sent_has_sent_at",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="sending") | models.Q(claimed_at__isnull=False),
                name="notification_sending_has_claimed_at",
            ),
        ]

    def __str__(self):
        return f"{self.channel} {self.template} to {self.recipient} ({self.status})"
