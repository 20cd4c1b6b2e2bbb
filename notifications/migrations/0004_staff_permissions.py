# The custom permissions the admin API and the Django admin ask for (README, "Admin").
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("notifications", "0003_sending_outcome_unknown_delivery_reports")]

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
