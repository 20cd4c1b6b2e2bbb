"""`python manage.py reprocess_product_images`: bring images uploaded before processing existed up to date.

Such images were stored as uploaded (EXIF/GPS included) and have no thumbnail. Each product with an image and
no thumbnail is re-encoded through the upload path (`product_image_reprocess`); its old objects are deleted
once the new ones are saved. Files that are not usable images are reported and left as they are.
"""

from django.core.management.base import BaseCommand
from django.db.models import Q

from catalog.models import Product
from catalog.services import product_image_reprocess
from core.errors import DomainError
from core.storage import STORAGE_ERRORS


class Command(BaseCommand):
    help = "Strip metadata from, and make thumbnails for, product images stored before either was done."

    def add_arguments(self, parser):
        parser.add_argument(
            "--all", dest="include_all", action="store_true", help="also images that already have a thumbnail"
        )

    def handle(self, *args, include_all, **options):
        products = Product.objects.exclude(Q(image="") | Q(image__isnull=True)).order_by("pk")
        if not include_all:
            products = products.filter(Q(thumbnail="") | Q(thumbnail__isnull=True))
        done = failed = 0
        for product in products.iterator(chunk_size=200):
            try:
                product_image_reprocess(product=product)
            except (DomainError, *STORAGE_ERRORS) as exc:
                failed += 1
                self.stderr.write(f"{product.pk} ({product.image.name}): {exc}")
                continue
            done += 1
        self.stdout.write(self.style.SUCCESS(f"{done} images reprocessed, {failed} left as they were"))
