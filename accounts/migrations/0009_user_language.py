"""Issue 16: a customer's language (the language of the messages about their orders; blank: DEFAULT_LANGUAGE)."""

from django.db import migrations, models

LANGUAGES = [("en", "English"), ("sw", "Kiswahili")]


class Migration(migrations.Migration):
    dependencies = [("accounts", "0008_scale_indexes")]

    operations = [
        migrations.AddField("user", "language", models.CharField(blank=True, choices=LANGUAGES, max_length=2)),
    ]
