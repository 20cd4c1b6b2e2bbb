"""Indexes for 500,000 webhook deliveries (issue 18): the Django admin's search by webhook-id and its
filters. Built concurrently on PostgreSQL (deliveries keep being recorded); on the large seed_scale data set
this migration takes about 20 s (2 cores shared with other work)."""

from django.db import migrations, models

from core.postgres_indexes import AddIndexConcurrently


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("webhooks", "0002_webhookdelivery_merchant_in_merchants_app"),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="webhookdelivery",
            index=models.Index(fields=["webhook_id"], name="webhook_delivery_webhook_id"),
        ),
        AddIndexConcurrently(
            model_name="webhookdelivery",
            index=models.Index(fields=["status_code", "-received_at"], name="webhook_delivery_status_code"),
        ),
        AddIndexConcurrently(
            model_name="webhookdelivery",
            index=models.Index(
                condition=models.Q(("error_code", ""), _negated=True),
                fields=["error_code"],
                name="webhook_delivery_error_code",
            ),
        ),
        AddIndexConcurrently(
            model_name="webhookdelivery",
            index=models.Index(fields=["event_type", "-received_at"], name="webhook_delivery_event_type"),
        ),
    ]
