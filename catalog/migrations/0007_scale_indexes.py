"""Indexes for a catalog of 100,000 products (issue 18): the public list newest first and by price, and
trigrams behind `?search=`. Built concurrently on PostgreSQL (the table keeps taking writes); on the large
seed_scale data set this migration takes about 20 s (2 cores shared with other work)."""

import django.contrib.postgres.indexes
import django.db.models.functions.text
from django.db import migrations, models

import core.postgres_indexes
from core.postgres_indexes import AddIndexConcurrently, TrigramExtension


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("catalog", "0006_product_thumbnail"),
    ]

    operations = [
        # pg_trgm is a trusted extension: the database owner may create it. PostgreSQL only, both directions.
        TrigramExtension(),
        AddIndexConcurrently(
            model_name="product",
            index=models.Index(fields=["-created_at", "id"], name="product_newest"),
        ),
        AddIndexConcurrently(
            model_name="product",
            index=models.Index(condition=models.Q(("is_active", True)), fields=["price"], name="product_active_by_price"),
        ),
        AddIndexConcurrently(
            model_name="product",
            index=core.postgres_indexes.TrigramIndex(
                django.contrib.postgres.indexes.OpClass(django.db.models.functions.text.Upper("name"), name="gin_trgm_ops"),
                django.contrib.postgres.indexes.OpClass(django.db.models.functions.text.Upper("sku"), name="gin_trgm_ops"),
                django.contrib.postgres.indexes.OpClass(
                    django.db.models.functions.text.Upper("description"), name="gin_trgm_ops"
                ),
                name="product_search_trigram",
            ),
            postgresql_only=True,
        ),
    ]
