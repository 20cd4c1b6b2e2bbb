"""The moved models' content types change app label (accounts -> merchants) rather than being made anew.

Permissions (and the users and groups holding them) and the admin's log entries refer to a content type by
id, so they stay valid. A database migrated from scratch has no content types yet at this point (Django
creates them after `migrate`): then there is nothing to relabel.
"""

from django.db import migrations

MOVED_MODELS = ("merchant", "kycsubmission", "webhooksecret")


def _relabel(apps, schema_editor, *, old: str, new: str) -> None:
    from django.contrib.contenttypes.models import ContentType as CurrentContentType

    content_types = apps.get_model("contenttypes", "ContentType").objects.db_manager(
        schema_editor.connection.alias
    )
    for model in MOVED_MODELS:
        if content_types.filter(app_label=new, model=model).exists():
            continue  # made under the new label already (e.g. a run between the two migrations): keep it
        content_types.filter(app_label=old, model=model).update(app_label=new)
    # The running process caches content types by id and by label; drop what the update made stale.
    CurrentContentType.objects.clear_cache()


def forwards(apps, schema_editor):
    _relabel(apps, schema_editor, old="accounts", new="merchants")


def backwards(apps, schema_editor):
    _relabel(apps, schema_editor, old="merchants", new="accounts")


class Migration(migrations.Migration):

    dependencies = [
        ('merchants', '0001_initial'),
        ('accounts', '0004_move_merchant_models_to_merchants'),
        ('contenttypes', '0002_remove_content_type_name'),
    ]

    operations = [
        migrations.RunPython(forwards, backwards),
    ]
