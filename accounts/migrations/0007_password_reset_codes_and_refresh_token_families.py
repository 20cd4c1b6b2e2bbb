import uuid

import django.utils.timezone
from django.conf import settings
from django.db import migrations, models
from django.db.models.deletion import CASCADE


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0006_user_email_canonical"),
    ]

    operations = [
        migrations.AddField(
            model_name="emailotp",
            name="purpose",
            field=models.CharField(
                choices=[("verify_email", "Email verification"), ("password_reset", "Password reset")],
                default="verify_email",
                max_length=16,
            ),
        ),
        migrations.CreateModel(
            name="RefreshTokenFamily",
            fields=[
                ("id", models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                (
                    "user",
                    models.ForeignKey(to=settings.AUTH_USER_MODEL, on_delete=CASCADE, related_name="refresh_token_families"),
                ),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("revoked_at", models.DateTimeField(blank=True, null=True)),
                ("revoked_because", models.CharField(blank=True, max_length=32)),
            ],
            options={
                "verbose_name_plural": "refresh token families",
                "indexes": [models.Index(fields=["user", "revoked_at"], name="accounts_re_user_id_1457b1_idx")],
            },
        ),
    ]
