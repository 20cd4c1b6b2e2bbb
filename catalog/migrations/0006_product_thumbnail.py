"""Product.thumbnail: the product image at most 400 px wide, made when the image is saved (catalog.images)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("catalog", "0005_product_merchant_in_merchants_app")]
    operations = [
        migrations.AddField(
            "product", "thumbnail", models.FileField(blank=True, null=True, upload_to="products/thumbnails/")
        )
    ]
