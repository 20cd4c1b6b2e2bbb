"""Indexes for 200,000 customers (issue 18): newest first, and trigrams behind the admin's search. Built
concurrently on PostgreSQL; on the large seed_scale data set this migration takes about 25 s (2 cores shared with other work)."""

import django.contrib.postgres.indexes
import django.db.models.functions.text
import core.postgres_indexes
from django.db import migrations, models

from core.postgres_indexes import AddIndexConcurrently

Upper, OpClass = django.db.models.functions.text.Upper, django.contrib.postgres.indexes.OpClass


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("accounts", "0007_password_reset_codes_and_refresh_token_families"),
        ("catalog", "0007_scale_indexes"),  # creates the pg_trgm extension
    ]

    operations = [
        AddIndexConcurrently(
            model_name="user",
            index=models.Index(fields=["-date_joined", "-id"], name="user_newest"),
        ),
        AddIndexConcurrently(
            model_name="user",
            index=core.postgres_indexes.TrigramIndex(
                OpClass(Upper("email"), name="gin_trgm_ops"),
                OpClass(Upper("first_name"), name="gin_trgm_ops"),
                OpClass(Upper("last_name"), name="gin_trgm_ops"),
                OpClass(Upper("phone_number"), name="gin_trgm_ops"),
                name="user_search_trigram",
            ),
            postgresql_only=True,
        ),
    ]
