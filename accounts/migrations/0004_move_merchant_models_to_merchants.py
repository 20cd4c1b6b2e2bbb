"""Merchant, KYCSubmission and WebhookSecret now belong to the `merchants` app (its 0001).

State only: their tables keep their names and data. The other apps' foreign keys were pointed at
`merchants.Merchant` first (the dependencies below), so nothing refers to these models when they go.
"""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0003_alter_kycsubmission_contact_phone_and_more'),
        ('merchants', '0001_initial'),
        ('catalog', '0005_product_merchant_in_merchants_app'),
        ('orders', '0004_order_merchant_in_merchants_app'),
        ('webhooks', '0002_webhookdelivery_merchant_in_merchants_app'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.DeleteModel(name='KYCSubmission'),
                migrations.DeleteModel(name='WebhookSecret'),
                migrations.DeleteModel(name='Merchant'),
            ],
        ),
    ]
