"""A merchant's product photos, stored on an S3-protocol object store (moto's server on loopback): shoppers load
them from the URLs in the product JSON, without the GPS position the phone wrote into them."""

import functools

import pytest
import requests
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from catalog.models import Product
from core.storage import PUBLIC_CACHE_CONTROL
from tests.catalog.images import (
    PNG_HEADER_THEN_JUNK,
    gps_of,
    jpeg_with_gps,
    opened,
    png,
    png_bomb,
    upload,
    webp,
)

pytestmark = pytest.mark.django_db

PRODUCTS = "/api/v1/products/"
png_bomb = functools.cache(png_bomb)


def create(client, content: bytes, name: str = "photo.jpg"):
    return client.post(
        PRODUCTS,
        {"name": "Kiondo basket", "price": "2500", "image": upload(content, name)},
        format="multipart",
    )


def fetch(url: str) -> requests.Response:
    response = requests.get(url, timeout=10)
    assert response.status_code == 200, (url, response.status_code, response.text[:200])
    return response


def test_a_phone_photo_is_served_from_the_bucket_without_its_gps_position(merchant_client, s3_storages):
    photo = jpeg_with_gps((1600, 1200))
    assert gps_of(opened(photo))  # the upload really carries a position

    response = create(merchant_client, photo)

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["image"].startswith(
        f"{s3_storages.server.endpoint_url}/{s3_storages.public}/public/products/"
    )
    assert "?" not in body["image"]  # a stable URL: no signature, no expiry
    image = fetch(body["image"])
    assert image.headers["Content-Type"] == "image/jpeg"
    assert image.headers["Cache-Control"] == PUBLIC_CACHE_CONTROL
    stored = opened(image.content)
    assert stored.format == "JPEG"
    assert stored.size == (1600, 1200)
    assert gps_of(stored) == {}
    assert "exif" not in stored.info
    assert dict(stored.getexif()) == {}

    thumbnail = opened(fetch(body["thumbnail"]).content)
    assert thumbnail.width == 400
    assert thumbnail.height == 300
    assert gps_of(thumbnail) == {}
    assert "exif" not in thumbnail.info


def test_a_png_keeps_its_pixels_and_loses_its_text_chunks(merchant_client, s3_storages):
    response = create(merchant_client, png((900, 600)), "logo.png")

    assert response.status_code == 201, response.json()
    stored = opened(fetch(response.json()["image"]).content)
    assert (stored.format, stored.size, stored.mode) == ("PNG", (900, 600), "RGBA")
    assert "Author" not in stored.info and "Location" not in stored.info
    thumbnail = opened(fetch(response.json()["thumbnail"]).content)
    assert thumbnail.size == (400, 267)


def test_a_small_image_gets_a_thumbnail_of_its_own_size(merchant_client, s3_storages):
    response = create(merchant_client, webp((300, 200)), "small.webp")

    assert response.status_code == 201, response.json()
    assert opened(fetch(response.json()["thumbnail"]).content).size == (300, 200)


@pytest.mark.parametrize(
    "content",
    [PNG_HEADER_THEN_JUNK, png((50, 50))[:200], b"\xff\xd8\xff\xe0" + b"\x00" * 500],
    ids=["png-header-then-junk", "truncated-png", "jpeg-header-then-zeros"],
)
def test_a_file_that_only_starts_like_an_image_is_refused(merchant_client, s3_storages, content):
    response = create(merchant_client, content, "photo.png")

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_image"
    assert "image" in response.json()["errors"]
    assert not Product.objects.exists()
    assert s3_storages.keys() == set()


def test_a_decompression_bomb_is_refused_without_being_decoded(merchant_client, s3_storages):
    bomb = png_bomb(20_000, 20_000)
    assert len(bomb) < 200_000  # tiny on the wire, 400 megapixels once decoded

    response = create(merchant_client, bomb, "bomb.png")

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_image"
    assert not Product.objects.exists()
    assert s3_storages.keys() == set()


def test_an_image_over_the_pixel_cap_but_under_pillows_own_is_refused(merchant_client, s3_storages, settings):
    settings.PRODUCT_IMAGE_MAX_PIXELS = 100 * 100

    response = create(merchant_client, png((101, 100)), "wide.png")

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_image"
    assert "pixels" in response.json()["detail"]


def test_replacing_an_image_removes_the_old_objects_and_removing_it_removes_the_rest(
    merchant_client, s3_storages, django_capture_on_commit_callbacks
):
    first = create(merchant_client, jpeg_with_gps((800, 600))).json()
    old_keys = s3_storages.keys()
    assert len(old_keys) == 2  # image and thumbnail

    with django_capture_on_commit_callbacks(execute=True):
        replaced = merchant_client.patch(
            f"{PRODUCTS}{first['id']}/", {"image": upload(png((640, 480)), "new.png")}, format="multipart"
        )

    assert replaced.status_code == 200, replaced.json()
    new_keys = s3_storages.keys()
    assert len(new_keys) == 2 and not new_keys & old_keys
    assert requests.get(first["image"], timeout=10).status_code in (403, 404)
    fetch(replaced.json()["image"])

    with django_capture_on_commit_callbacks(execute=True):
        removed = merchant_client.patch(f"{PRODUCTS}{first['id']}/", {"image": None}, format="json")

    assert removed.json()["image"] is None and removed.json()["thumbnail"] is None
    assert s3_storages.keys() == set()


def test_the_old_objects_stay_until_the_change_commits(
    merchant_client, s3_storages, django_capture_on_commit_callbacks
):
    first = create(merchant_client, webp()).json()

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        merchant_client.patch(f"{PRODUCTS}{first['id']}/", {"image": None}, format="json")
        assert len(s3_storages.keys()) == 2
    assert len(callbacks) == 1


def test_deleting_a_product_deletes_its_objects(
    merchant_client, s3_storages, django_capture_on_commit_callbacks
):
    product = create(merchant_client, webp()).json()

    with django_capture_on_commit_callbacks(execute=True):
        assert merchant_client.delete(f"{PRODUCTS}{product['id']}/").status_code == 204

    assert s3_storages.keys() == set()


def test_a_rolled_back_replacement_keeps_the_old_image(merchant, s3_storages):
    from catalog.services import product_update

    product = Product.objects.create(merchant=merchant, sku="BASKET-1", name="Basket", price="10.00")
    product_update(product=product, image=SimpleUploadedFile("a.webp", webp()))
    original = set(s3_storages.keys())

    with pytest.raises(RuntimeError), transaction.atomic():
        product_update(product=product, image=SimpleUploadedFile("b.png", png()))
        raise RuntimeError("something later in the same transaction failed")

    assert original <= s3_storages.keys()  # the new objects may linger; the ones in use never go
    product.refresh_from_db()
    assert {product.image.name, product.thumbnail.name} <= {k.removeprefix("public/") for k in original}


def test_a_taken_sku_leaves_no_orphan_objects(merchant_client, s3_storages):
    assert merchant_client.post(PRODUCTS, {"name": "Mat", "price": "5", "sku": "MAT-1"}).status_code == 201

    response = merchant_client.post(
        PRODUCTS,
        {"name": "Mat", "price": "5", "sku": "MAT-1", "image": upload(webp(), "m.webp")},
        format="multipart",
    )

    assert response.status_code == 409
    assert s3_storages.keys() == set()


def test_an_unreachable_store_is_a_503_not_a_500(merchant_client, s3_storages, settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            **settings.STORAGES["default"],
            "OPTIONS": {**settings.STORAGES["default"]["OPTIONS"], "bucket_name": "no-such-bucket"},
        },
    }

    response = create(merchant_client, webp(), "p.webp")

    assert response.status_code == 503
    assert response.json()["code"] == "storage_unavailable"
    assert not Product.objects.exists()
