"""WebhookDelivery.merchant points at `merchants.Merchant`, which took over the `accounts_merchant` table.

State only: the column and its foreign key constraint stay as they are.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('merchants', '0001_initial'),
        ('webhooks', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.AlterField(
                    model_name='webhookdelivery',
                    name='merchant',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='webhook_deliveries', to='merchants.merchant'),
                ),
            ],
        ),
    ]
