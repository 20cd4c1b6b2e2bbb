"""Issue 21: `sending` and `outcome_unknown` become states of their own; provider cost and delivery reports.

Written by hand (one line per operation) from what makemigrations generated; `makemigrations --check` agrees.
"""

from django.db import migrations, models

STATUSES = [
    ("pending", "Pending"),
    ("sending", "Sending"),
    ("sent", "Sent"),
    ("failed", "Failed"),
    ("outcome_unknown", "Outcome unknown"),
]
DELIVERY_STATUSES = [
    ("", "No report"),
    ("in_transit", "In transit"),
    ("delivered", "Delivered"),
    ("failed", "Not delivered"),
]


def name_the_states(apps, schema_editor):
    """Rows claimed by a worker were `pending`, rows of unknown outcome `failed` with a reason saying so."""
    rows = apps.get_model("notifications", "Notification").objects
    rows.filter(status="pending", claimed_at__isnull=False).update(status="sending")
    rows.filter(status="failed", last_error__startswith="outcome_unknown").update(status="outcome_unknown")


def fold_the_states(apps, schema_editor):
    rows = apps.get_model("notifications", "Notification").objects
    rows.filter(status="sending").update(status="pending")
    rows.filter(status="outcome_unknown").update(status="failed")


class Migration(migrations.Migration):
    dependencies = [("notifications", "0002_outbox_claims_and_broadcast_recipients")]

    operations = [
        migrations.AddField("notification", "provider_cost", models.CharField(blank=True, max_length=32)),
        migrations.AddField("notification", "delivery_reason", models.CharField(blank=True, max_length=200)),
        migrations.AddField("notification", "delivery_reported_at", models.DateTimeField(blank=True, null=True)),
        migrations.AddField(
            "notification",
            "delivery_status",
            models.CharField(blank=True, choices=DELIVERY_STATUSES, default="", max_length=16),
        ),
        migrations.AlterField(
            "notification", "status", models.CharField(choices=STATUSES, default="pending", max_length=16)
        ),
        migrations.RunPython(name_the_states, fold_the_states),
        migrations.AddIndex(
            "notification",
            models.Index(
                condition=~models.Q(provider_message_id=""),
                fields=["provider_message_id"],
                name="notification_provider_id",
            ),
        ),
        migrations.AddConstraint(
            "notification",
            models.CheckConstraint(
                condition=~models.Q(status="sending") | models.Q(claimed_at__isnull=False),
                name="notification_sending_has_claimed_at",
            ),
        ),
    ]
