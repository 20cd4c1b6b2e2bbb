# Suspension (who, when, why) and the custom permissions the admin API and the Django admin ask for.
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

SUSPENDED_IS_INACTIVE = models.CheckConstraint(
    condition=models.Q(suspended_at__isnull=True)
    | (models.Q(kyc_status="approved", is_active=False) & ~models.Q(suspension_reason="")),
    name="merchant_suspended_is_inactive",
)


class Migration(migrations.Migration):
    dependencies = [
        ("merchants", "0002_content_types_from_accounts"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterModelOptions(
            "kycsubmission",
            {
                "ordering": ["-submitted_at"],
                "permissions": [("approve_kyc", "Can approve or reject KYC submissions")],
                "verbose_name": "KYC submission",
            },
        ),
        migrations.AlterModelOptions(
            "merchant",
            {
                "ordering": ["company_name"],
                "permissions": [("suspend_merchant", "Can suspend and reactivate merchants")],
            },
        ),
        migrations.AddField("merchant", "suspended_at", models.DateTimeField(blank=True, null=True)),
        migrations.AddField(
            "merchant",
            "suspended_by",
            models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField("merchant", "suspension_reason", models.TextField(blank=True)),
        migrations.AddConstraint("merchant", SUSPENDED_IS_INACTIVE),
    ]
