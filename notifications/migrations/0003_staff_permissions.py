# The custom permissions the admin API and the Django admin ask for (README, "Admin").
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("notifications", "0002_outbox_claims_and_broadcast_recipients")]

    operations = [
        migrations.AlterModelOptions(
            "broadcast",
            {"ordering": ["-created_at"], "permissions": [("send_broadcast", "Can send broadcasts")]},
        ),
        migrations.AlterModelOptions(
            "notification",
            {
                "ordering": ["-created_at"],
                "permissions": [("retry_notification", "Can retry failed notifications")],
            },
        ),
    ]
