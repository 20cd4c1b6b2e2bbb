"""The admin dashboard counts SMS the mobile network did not deliver through a partial index instead of
reading the whole outbox (issue 18). Built concurrently on PostgreSQL (the outbox keeps taking rows)."""

from django.db import migrations, models

from core.postgres_indexes import AddIndexConcurrently


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("notifications", "0005_scale_indexes"),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="notification",
            index=models.Index(
                condition=models.Q(("channel", "sms"), ("delivery_status", "failed")),
                fields=["-created_at"],
                name="notification_sms_undelivered",
            ),
        ),
    ]
