"""Orders, their lines and their timeline."""

import secrets
import uuid

from django.conf import settings
from django.contrib.postgres.indexes import OpClass
from django.db import models
from django.db.models import Q
from django.db.models.functions import Upper

from core.languages import Language, default_language
from core.phone import ParsedPhoneNumberModelField
from core.postgres_indexes import TrigramIndex

from .lifecycle import OrderStatus
from .payments import PaymentStatus

TRACKING_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O/1/I: read aloud, typed from an SMS


def new_tracking_code() -> str:
    return "".join(secrets.choice(TRACKING_CODE_ALPHABET) for _ in range(12))


class OrderSource(models.TextChoices):
    API = "api", "API"
    WEBHOOK = "webhook", "Webhook"


class OrderNumber(models.Model):
    """One row per order: the database's own auto-increment hands out numbers that cannot collide."""

    id = models.BigAutoField(primary_key=True)

    def __str__(self):
        return f"OT-{self.pk:08d}"


class Order(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    order_number = models.CharField(max_length=20, unique=True)
    tracking_code = models.CharField(max_length=20, unique=True, default=new_tracking_code)
    merchant = models.ForeignKey("merchants.Merchant", on_delete=models.PROTECT, related_name="orders")
    customer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="orders"
    )
    status = models.CharField(max_length=20, choices=OrderStatus.choices, default=OrderStatus.PENDING)
    source = models.CharField(max_length=10, choices=OrderSource.choices, default=OrderSource.API)
    external_id = models.CharField(max_length=100, null=True, blank=True)
    customer_name = models.CharField(max_length=200, blank=True)
    phone_number = ParsedPhoneNumberModelField()
    email = models.EmailField(blank=True)
    shipping_address = models.TextField()
    note = models.TextField(blank=True)
    currency = models.CharField(max_length=3, default=settings.DEFAULT_CURRENCY)
    total_amount = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    payment_status = models.CharField(
        max_length=20, choices=PaymentStatus.choices, default=PaymentStatus.UNPAID
    )
    estimated_delivery = models.DateField(null=True, blank=True)
    # The language the customer is written to (notification templates).
    language = models.CharField(max_length=2, choices=Language.choices, default=default_language)
    idempotency_key = models.CharField(max_length=100, null=True, blank=True)
    stock_restored = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        # order_number breaks ties between orders of the same instant, so pages never shuffle.
        ordering = ["-created_at", "-order_number"]
        constraints = [
            models.UniqueConstraint(
                fields=["merchant", "external_id"],
                condition=Q(external_id__isnull=False),
                name="unique_external_id_per_merchant",
            ),
            models.UniqueConstraint(
                fields=["customer", "idempotency_key"],
                condition=Q(idempotency_key__isnull=False),
                name="unique_idempotency_key_per_customer",
            ),
            models.CheckConstraint(condition=Q(total_amount__gte=0), name="order_total_not_negative"),
            # A status outside the lifecycle cannot be stored, whatever path writes it.
            models.CheckConstraint(condition=Q(status__in=OrderStatus.values), name="order_status_known"),
            models.CheckConstraint(
                condition=Q(payment_status__in=PaymentStatus.values), name="order_payment_status_known"
            ),
            models.CheckConstraint(condition=Q(language__in=Language.values), name="order_language_known"),
        ]
        indexes = [
            # Counting a merchant's orders by status reads this narrow index only.
            models.Index(fields=["merchant", "status"]),
            # A merchant's list in its exact order (a date range and a status use it too). With the id and
            # the status included, a page deep in 300,000 orders finds its ids in this index alone (see
            # core.pagination.DeepPagePaginator).
            models.Index(
                fields=["merchant", "-created_at", "-order_number"],
                include=["id", "status"],
                name="order_merchant_newest",
            ),
            models.Index(fields=["merchant", "payment_status"]),
            models.Index(fields=["customer", "-created_at"]),
            # The Django admin's search (icontains): trigrams, PostgreSQL only.
            TrigramIndex(
                OpClass(Upper("customer_name"), name="gin_trgm_ops"),
                OpClass(Upper("email"), name="gin_trgm_ops"),
                OpClass(Upper("phone_number"), name="gin_trgm_ops"),
                OpClass(Upper("external_id"), name="gin_trgm_ops"),
                name="order_search_trigram",
            ),
        ]

    def __str__(self):
        return self.order_number


class OrderTally(models.Model):
    """Running totals of the orders per (status, currency, payment status): what the dashboard shows, read
    from a few hundred rows instead of aggregating every order (about 200 ms at a million).

    PostgreSQL keeps it: a trigger on the orders table (migration orders 0008) adds each order written and
    takes out its old values when its status, currency, payment status or total changes, whatever path
    writes it (services, the admin, COPY). A transaction writes to the rows of its own `shard` (its
    connection's backend number, modulo 256), so concurrent orders do not queue on one hot row (two
    connections share a shard only when their backend numbers agree modulo 256). Nothing in
    Python writes here. Elsewhere (SQLite) the dashboard aggregates the orders directly.
    """

    status = models.CharField(max_length=20)
    currency = models.CharField(max_length=3)
    payment_status = models.CharField(max_length=20)
    shard = models.SmallIntegerField()
    orders = models.BigIntegerField(default=0)
    amount = models.DecimalField(max_digits=20, decimal_places=2, default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["status", "currency", "payment_status", "shard"], name="order_tally_key"
            )
        ]

    def __str__(self):
        return f"{self.status}/{self.payment_status} {self.currency}: {self.orders} orders, {self.amount}"


class OrderItem(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="items")
    product = models.ForeignKey(
        "catalog.Product", null=True, blank=True, on_delete=models.SET_NULL, related_name="order_items"
    )
    sku = models.CharField(max_length=64, blank=True)
    name = models.CharField(max_length=200)
    quantity = models.PositiveIntegerField()
    unit_price = models.DecimalField(max_digits=12, decimal_places=2)
    line_total = models.DecimalField(max_digits=14, decimal_places=2)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="order_item_quantity_positive"),
            models.CheckConstraint(condition=Q(unit_price__gte=0), name="order_item_price_not_negative"),
        ]

    def __str__(self):
        return f"{self.quantity} x {self.name}"


class EventSource(models.TextChoices):
    API = "api", "API"
    WEBHOOK = "webhook", "Webhook"
    ADMIN = "admin", "Admin"
    SYSTEM = "system", "System"


class Reported(models.Model):
    """Who reported a change on an order, through what, and when it happened."""

    occurred_at = models.DateTimeField()
    source = models.CharField(max_length=10, choices=EventSource.choices, default=EventSource.API)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True


class TrackingEvent(Reported):
    """One step of an order's timeline (the audit row written by `order_set_status`)."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="events")
    status = models.CharField(max_length=20, choices=OrderStatus.choices)
    location = models.CharField(max_length=200, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["occurred_at", "id"]
        indexes = [models.Index(fields=["order", "occurred_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=OrderStatus.values), name="tracking_event_status_known"
            ),
        ]

    def __str__(self):
        return f"{self.order_id}: {self.status} at {self.occurred_at:%Y-%m-%d %H:%M}"


class OrderEventType(models.TextChoices):
    PAYMENT = "payment", "Payment status"
    ESTIMATE = "estimate", "Estimated delivery"


class OrderEvent(Reported):
    """A change on an order beside its status (those are TrackingEvents): a payment status reported, or a
    new delivery estimate. Written only by `orders.services`; not public (the tracking timeline is statuses).
    """

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="history")
    type = models.CharField(max_length=10, choices=OrderEventType.choices)
    payment_status = models.CharField(max_length=20, choices=PaymentStatus.choices, blank=True)
    # What the payment is known by outside: an M-Pesa receipt number, a refund id.
    reference = models.CharField(max_length=100, blank=True)
    estimated_delivery = models.DateField(null=True, blank=True)
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["occurred_at", "id"]
        indexes = [models.Index(fields=["order", "type", "occurred_at"])]
        constraints = [
            # Each type carries its value: a payment row its status, an estimate row its date.
            models.CheckConstraint(
                condition=Q(type="payment", payment_status__in=PaymentStatus.values)
                | Q(type="estimate", payment_status="", estimated_delivery__isnull=False),
                name="order_event_carries_its_value",
            ),
        ]

    def __str__(self):
        value = self.payment_status if self.type == OrderEventType.PAYMENT else self.estimated_delivery
        return f"{self.order_id}: {self.type} {value} at {self.occurred_at:%Y-%m-%d %H:%M}"
