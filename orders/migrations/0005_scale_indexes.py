"""Indexes for a million orders (issue 18): a merchant's list in its exact order (whole or by status),
the dashboard's figures from one index, and trigrams behind the Django admin's search. The new indexes are
built before the ones they replace are dropped, all concurrently on PostgreSQL (orders keep being placed);
on the large seed_scale data set this migration takes about 140 s (2 cores shared with other work)."""

import django.contrib.postgres.indexes
import django.db.models.functions.text
from django.db import migrations, models

from core.postgres_indexes import AddIndexConcurrently, RemoveIndexConcurrently

Upper, OpClass = django.db.models.functions.text.Upper, django.contrib.postgres.indexes.OpClass


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("catalog", "0006_scale_indexes"),  # creates the pg_trgm extension
        ("orders", "0004_order_merchant_in_merchants_app"),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="order",
            index=models.Index(fields=["merchant", "-created_at", "-order_number"], name="order_merchant_newest"),
        ),
        AddIndexConcurrently(
            model_name="order",
            index=models.Index(
                fields=["merchant", "status", "-created_at", "-order_number"], name="order_merchant_status_newest"
            ),
        ),
        AddIndexConcurrently(
            model_name="order",
            index=models.Index(fields=["status", "currency", "total_amount"], name="order_status_revenue"),
        ),
        AddIndexConcurrently(
            model_name="order",
            index=django.contrib.postgres.indexes.GinIndex(
                OpClass(Upper("customer_name"), name="gin_trgm_ops"),
                OpClass(Upper("email"), name="gin_trgm_ops"),
                OpClass(Upper("phone_number"), name="gin_trgm_ops"),
                OpClass(Upper("external_id"), name="gin_trgm_ops"),
                name="order_search_trigram",
            ),
            postgresql_only=True,
        ),
        # (merchant, status) and (merchant, -created_at): prefixes of the two above.
        RemoveIndexConcurrently(model_name="order", name="orders_orde_merchan_63cd14_idx"),
        RemoveIndexConcurrently(model_name="order", name="orders_orde_merchan_75db58_idx"),
    ]
