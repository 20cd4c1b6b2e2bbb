"""An operator moves a deployment from local media to object storage: `copy_media_to_storage` puts every file
under the same name in the right store, so the database's file names keep working."""

from io import StringIO

import pytest
import requests
from django.core.management import CommandError, call_command

from core.storage import private_storage


@pytest.fixture
def local_media(tmp_path):
    public, private = tmp_path / "media", tmp_path / "private_media"
    (public / "products" / "thumbnails").mkdir(parents=True)
    (public / "products" / "a.png").write_bytes(b"\x89PNG-a")
    (public / "products" / "thumbnails" / "a.png").write_bytes(b"\x89PNG-thumb")
    (private / "kyc" / "merchant-1").mkdir(parents=True)
    (private / "kyc" / "merchant-1" / "doc").write_bytes(b"%PDF-1.4 secret")
    return public, private


def copy(public, private, *extra) -> str:
    out = StringIO()
    call_command(
        "copy_media_to_storage",
        "--media-root",
        str(public),
        "--private-media-root",
        str(private),
        *extra,
        stdout=out,
    )
    return out.getvalue()


def test_local_files_land_in_the_public_and_private_stores_under_their_names(s3_storages, local_media):
    public, private = local_media

    assert "would copy 3 files" in copy(public, private, "--dry-run")
    assert s3_storages.keys() == set()

    assert "copied 3 files, 0 already in place" in copy(public, private)

    assert s3_storages.keys() == {"public/products/a.png", "public/products/thumbnails/a.png"}
    assert s3_storages.keys(s3_storages.private) == {"private/kyc/merchant-1/doc"}
    url = f"{s3_storages.server.endpoint_url}/{s3_storages.public}/public/products/a.png"
    assert requests.get(url, timeout=10).content == b"\x89PNG-a"
    with private_storage.open("kyc/merchant-1/doc") as handle:
        assert handle.read() == b"%PDF-1.4 secret"

    (public / "products" / "b.png").write_bytes(b"\x89PNG-b")
    assert "copied 1 files, 3 already in place" in copy(public, private)  # a second run only adds what is new


def test_copying_into_local_storage_is_refused(local_media):
    with pytest.raises(CommandError, match="local directory"):
        copy(*local_media)
