"""Order.merchant points at `merchants.Merchant`, which took over the `accounts_merchant` table.

State only: the column and its foreign key constraint stay as they are.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('merchants', '0001_initial'),
        ('orders', '0003_alter_order_phone_number'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.AlterField(
                    model_name='order',
                    name='merchant',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='orders', to='merchants.merchant'),
                ),
            ],
        ),
    ]
