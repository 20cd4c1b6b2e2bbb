"""Issue 16: the merchant's public support contact, and whether new API orders are emailed to it.

Written by hand (one line per operation) from what makemigrations generated; `makemigrations --check` agrees.
"""

import core.phone
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("merchants", "0004_kyc_documents_in_private_store")]

    operations = [
        migrations.AddField("merchant", "new_order_emails", models.BooleanField(default=True)),
        migrations.AddField("merchant", "support_email", models.EmailField(blank=True, max_length=254)),
        migrations.AddField(
            "merchant", "support_phone", core.phone.ParsedPhoneNumberModelField(blank=True, max_length=128, region=None)
        ),
    ]
