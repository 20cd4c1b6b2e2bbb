"""Indexes for a million orders (issue 18): a merchant's list in its exact order, the dashboard's figures
from one index, and trigrams behind the Django admin's search. The new index is built before the one it
replaces is dropped, all concurrently on PostgreSQL (orders keep being placed);
on the large seed_scale data set this migration takes about 140 s (2 cores shared with other work)."""

import django.contrib.postgres.indexes
import django.db.models.functions.text
import core.postgres_indexes
from django.db import migrations, models

from core.postgres_indexes import AddIndexConcurrently, RemoveIndexConcurrently

Upper, OpClass = django.db.models.functions.text.Upper, django.contrib.postgres.indexes.OpClass


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("catalog", "0007_scale_indexes"),  # creates the pg_trgm extension
        ("orders", "0004_order_merchant_in_merchants_app"),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="order",
            index=models.Index(
                fields=["merchant", "-created_at", "-order_number"],
                include=["id", "status"],
                name="order_merchant_newest",
            ),
        ),
        AddIndexConcurrently(
            model_name="order",
            index=models.Index(fields=["status", "currency", "total_amount"], name="order_status_revenue"),
        ),
        AddIndexConcurrently(
            model_name="order",
            index=core.postgres_indexes.TrigramIndex(
                OpClass(Upper("customer_name"), name="gin_trgm_ops"),
                OpClass(Upper("email"), name="gin_trgm_ops"),
                OpClass(Upper("phone_number"), name="gin_trgm_ops"),
                OpClass(Upper("external_id"), name="gin_trgm_ops"),
                name="order_search_trigram",
            ),
            postgresql_only=True,
        ),
        # (merchant, -created_at): a prefix of order_merchant_newest.
        RemoveIndexConcurrently(model_name="order", name="orders_orde_merchan_75db58_idx"),
    ]
