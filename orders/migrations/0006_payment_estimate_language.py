"""Issue 16: an order's payment status, delivery estimate and language, and their history (OrderEvent).

Written by hand from what makemigrations generated (names and values unchanged); `makemigrations --check` agrees.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import core.languages

PAYMENT_STATUSES = [
    ("unpaid", "Unpaid"),
    ("paid", "Paid"),
    ("partially_refunded", "Partially refunded"),
    ("refunded", "Refunded"),
]
PAYMENT_VALUES = [value for value, _ in PAYMENT_STATUSES]
SOURCES = [("api", "API"), ("webhook", "Webhook"), ("admin", "Admin"), ("system", "System")]
Q = models.Q


class Migration(migrations.Migration):
    dependencies = [("orders", "0005_scale_indexes"), migrations.swappable_dependency(settings.AUTH_USER_MODEL)]

    operations = [
        migrations.CreateModel(
            "OrderEvent",
            [
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("type", models.CharField(choices=[("payment", "Payment status"), ("estimate", "Estimated delivery")], max_length=10)),
                ("payment_status", models.CharField(blank=True, choices=PAYMENT_STATUSES, max_length=20)),
                ("reference", models.CharField(blank=True, max_length=100)),
                ("estimated_delivery", models.DateField(blank=True, null=True)),
                ("note", models.CharField(blank=True, max_length=200)),
                ("occurred_at", models.DateTimeField()),
                ("source", models.CharField(choices=SOURCES, default="api", max_length=10)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("actor", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to=settings.AUTH_USER_MODEL)),
                ("order", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="history", to="orders.order")),
            ],
            {
                "ordering": ["occurred_at", "id"],
                "indexes": [models.Index(fields=["order", "type", "occurred_at"], name="orders_orde_order_i_2c120d_idx")],
                "constraints": [
                    models.CheckConstraint(
                        condition=Q(("payment_status__in", PAYMENT_VALUES), ("type", "payment"))
                        | Q(("estimated_delivery__isnull", False), ("payment_status", ""), ("type", "estimate")),
                        name="order_event_carries_its_value",
                    )
                ],
            },
        ),
        migrations.AddField("order", "estimated_delivery", models.DateField(blank=True, null=True)),
        migrations.AddField(
            "order",
            "language",
            models.CharField(choices=[("en", "English"), ("sw", "Kiswahili")], default=core.languages.default_language, max_length=2),
        ),
        migrations.AddField(
            "order", "payment_status", models.CharField(choices=PAYMENT_STATUSES, default="unpaid", max_length=20)
        ),
        migrations.AddIndex("order", models.Index(fields=["merchant", "payment_status"], name="orders_orde_merchan_de2b88_idx")),
        migrations.AddConstraint(
            "order", models.CheckConstraint(condition=Q(payment_status__in=PAYMENT_VALUES), name="order_payment_status_known")
        ),
        migrations.AddConstraint(
            "order", models.CheckConstraint(condition=Q(language__in=["en", "sw"]), name="order_language_known")
        ),
    ]
