"""Images uploaded before processing existed (stored as sent, no thumbnail) are brought up to date by
`manage.py reprocess_product_images`; a stored file that is no image is reported and left alone."""

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command

from catalog.models import Product
from tests.catalog.images import gps_of, jpeg_with_gps, opened
from tests.factories import ProductFactory

pytestmark = pytest.mark.django_db


def test_old_images_lose_their_gps_and_gain_a_thumbnail(
    s3_storages, django_capture_on_commit_callbacks, capsys
):
    legacy = ProductFactory()
    legacy.image.save("legacy.jpg", ContentFile(jpeg_with_gps((900, 600))))
    broken = ProductFactory()
    broken.image.save("broken.png", ContentFile(b"\x89PNG\r\n\x1a\n not really"))
    ProductFactory()  # no image: nothing to do

    with django_capture_on_commit_callbacks(execute=True):
        call_command("reprocess_product_images")

    legacy.refresh_from_db()
    assert legacy.image.name != "products/legacy.jpg"
    with default_storage.open(legacy.image.name) as handle:
        assert gps_of(opened(handle.read())) == {}
    with default_storage.open(legacy.thumbnail.name) as handle:
        assert opened(handle.read()).width == 400
    assert not default_storage.exists("products/legacy.jpg")
    assert Product.objects.get(pk=broken.pk).image.name == "products/broken.png"
    output = capsys.readouterr()
    assert "1 images reprocessed, 1 left as they were" in output.out
    assert str(broken.pk) in output.err
