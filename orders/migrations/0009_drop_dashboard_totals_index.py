"""The dashboard reads the running totals (0008), so the index its aggregate over every order read is
dropped: one index less for every order written. Concurrently on PostgreSQL."""

from django.db import migrations

from core.postgres_indexes import RemoveIndexConcurrently


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("orders", "0008_order_tally")]

    operations = [
        RemoveIndexConcurrently(model_name="order", name="order_dashboard_totals"),
    ]
