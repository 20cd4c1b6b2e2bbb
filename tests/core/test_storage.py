"""The private store (KYC documents) never hands out an address, on a bucket or on local disk; the public store's
local directory is served by the app, and nothing else is."""

from pathlib import Path

import pytest
import requests
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from core.storage import NoPublicUrl, PrivateS3Storage, PublicS3Storage, private_storage

DOCUMENT = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_a_private_object_has_no_url_and_is_refused_to_anonymous_readers(s3_storages):
    name = private_storage.save("kyc/merchant-1/document", ContentFile(DOCUMENT))

    assert isinstance(private_storage._wrapped, PrivateS3Storage)
    with pytest.raises(NoPublicUrl):
        private_storage.url(name)
    with private_storage.open(name, "rb") as handle:
        assert handle.read() == DOCUMENT  # the application itself reads it (to stream it to a reviewer)
    endpoint = s3_storages.server.endpoint_url
    for url in (
        f"{endpoint}/{s3_storages.private}/private/{name}",
        f"{endpoint}/{s3_storages.private}/{name}",
        f"{endpoint}/{s3_storages.public}/private/{name}",
    ):
        assert requests.get(url, timeout=10).status_code in (403, 404), url
    head = s3_storages.server.client().head_object(Bucket=s3_storages.private, Key=f"private/{name}")
    assert head["CacheControl"] == "private, no-store"


def test_public_objects_have_plain_urls_with_long_cache_headers(s3_storages):
    name = default_storage.save("products/a.webp", ContentFile(b"RIFF0000WEBPVP8 "))

    assert isinstance(default_storage._wrapped, PublicS3Storage)
    url = default_storage.url(name)
    assert url == f"{s3_storages.server.endpoint_url}/{s3_storages.public}/public/products/a.webp"
    response = requests.get(url, timeout=10)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"


def test_a_public_base_url_replaces_the_endpoint_in_image_urls(s3_storages, settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            **settings.STORAGES["default"],
            "OPTIONS": {
                **settings.STORAGES["default"]["OPTIONS"],
                "url_protocol": "https:",
                "custom_domain": "cdn.example.com/media",
            },
        },
    }

    assert default_storage.url("products/a.webp") == "https://cdn.example.com/media/public/products/a.webp"


def test_a_local_private_file_has_no_url_and_lives_outside_the_served_directory(settings):
    name = private_storage.save("kyc/merchant-1/document", ContentFile(DOCUMENT))

    with pytest.raises(NoPublicUrl):
        private_storage.url(name)
    path = Path(private_storage.path(name)).resolve()
    assert path.is_relative_to(Path(settings.PRIVATE_MEDIA_ROOT).resolve())
    assert not path.is_relative_to(Path(settings.MEDIA_ROOT).resolve())


def test_the_media_route_serves_public_files_and_nothing_outside_them(client, settings):
    name = default_storage.save("products/shown.png", ContentFile(b"\x89PNG\r\n\x1a\n-pixels-"))
    secret = private_storage.save("kyc/merchant-1/secret", ContentFile(DOCUMENT))
    private_dir = Path(settings.PRIVATE_MEDIA_ROOT).name

    shown = client.get(f"/media/{name}")
    assert shown.status_code == 200
    assert shown["Content-Type"] == "image/png"
    assert shown["X-Content-Type-Options"] == "nosniff"
    assert shown["Cache-Control"] == "public, max-age=31536000, immutable"
    assert client.post(f"/media/{name}").status_code == 405

    for path in (
        f"/media/{secret}",
        f"/media/../{private_dir}/{secret}",
        f"/media/%2e%2e/{private_dir}/{secret}",
        "/media/products/",
        "/media/missing.png",
    ):
        assert client.get(path).status_code in (400, 404), path


def test_the_media_route_is_a_404_when_images_live_in_a_bucket(client, s3_storages):
    assert client.get("/media/products/anything.png").status_code == 404


def test_private_files_inside_the_served_directory_are_a_configuration_error(settings):
    from core.checks import private_media_outside_public_check

    assert private_media_outside_public_check(None) == []
    settings.PRIVATE_MEDIA_ROOT = str(Path(settings.MEDIA_ROOT) / "private")
    [error] = private_media_outside_public_check(None)
    assert error.id == "ordertrail.E001"


def test_a_file_field_on_the_private_store_follows_the_settings_and_migrates_as_the_callable(s3_storages):
    from django.db import models
    from django.db.migrations.serializer import serializer_factory

    from core.storage import private_storage_for_field

    field = models.FileField(storage=private_storage_for_field, upload_to="kyc/")
    _, _, _, kwargs = field.deconstruct()
    text, imports = serializer_factory(kwargs["storage"]).serialize()

    assert text == "core.storage.private_storage_for_field"  # no backend or path frozen into a migration
    name = field.storage.save("kyc/merchant-1/document", ContentFile(DOCUMENT))
    assert s3_storages.keys(s3_storages.private) == {f"private/{name}"}
