"""The staff groups an operator assigns instead of granting permissions one by one (README, "Admin").

Each admin API endpoint and Django admin page needs one Django permission (`core.permissions.StaffPermission`);
a group bundles what a role needs. Created once: editing a group later in the admin is kept (this migration
only adds what is missing). The permissions are created here first because Django only creates them after
`migrate` finishes.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUPS = {
    "KYC reviewers": [
        "merchants.view_merchant",
        "merchants.view_kycsubmission",
        "merchants.approve_kyc",
    ],
    "Support": [
        "accounts.view_user",
        "merchants.view_merchant",
        "orders.view_order",
        "orders.view_orderitem",
        "orders.view_trackingevent",
        "notifications.view_notification",
        "notifications.retry_notification",
        "webhooks.view_webhookdelivery",
    ],
    "Operators": [
        "merchants.view_merchant",
        "merchants.suspend_merchant",
        "notifications.view_broadcast",
        "notifications.send_broadcast",
        "orders.view_order",
    ],
}


def staff_groups_create(apps, alias: str) -> None:
    """Make the groups (and the permissions they hold) where missing; run by this migration, and by tests
    after a transactional test's flush emptied them."""
    for app_config in apps.get_app_configs():
        app_config.models_module = True  # create_permissions skips apps it thinks have no models
        create_permissions(app_config, apps=apps, verbosity=0, using=alias)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, permissions in GROUPS.items():
        group, _ = Group.objects.using(alias).get_or_create(name=name)
        for permission in permissions:
            app_label, codename = permission.split(".")
            group.permissions.add(
                Permission.objects.using(alias).get(content_type__app_label=app_label, codename=codename)
            )


def forwards(apps, schema_editor):
    staff_groups_create(apps, schema_editor.connection.alias)


def backwards(apps, schema_editor):
    apps.get_model("auth", "Group").objects.using(schema_editor.connection.alias).filter(
        name__in=GROUPS
    ).delete()


class Migration(migrations.Migration):

    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("accounts", "0004_move_merchant_models_to_merchants"),
        ("merchants", "0003_merchant_suspension_and_staff_permissions"),
        ("notifications", "0004_staff_permissions"),
        ("orders", "0004_order_merchant_in_merchants_app"),
        ("webhooks", "0002_webhookdelivery_merchant_in_merchants_app"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
