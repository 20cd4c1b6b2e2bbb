"""The dashboard's one pass over the orders also counts payment statuses (issue 16 on top of issue 18): its
index gains `payment_status`, built before the old one is dropped, concurrently on PostgreSQL."""

from django.db import migrations, models

from core.postgres_indexes import AddIndexConcurrently, RemoveIndexConcurrently


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("orders", "0006_payment_estimate_language")]

    operations = [
        AddIndexConcurrently(
            model_name="order",
            index=models.Index(
                fields=["status", "currency", "payment_status", "total_amount"], name="order_dashboard_totals"
            ),
        ),
        RemoveIndexConcurrently(model_name="order", name="order_status_revenue"),
    ]
