"""An operator configures object storage with environment variables: STORAGE_URL alone, or the AWS_* names that
AWS, MinIO and R2 documentation use. Anything left unset is the `make run` default: local directories."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from core.storage_settings import LOCAL_STORAGES, storages_from_env

ROOT = Path(__file__).resolve().parents[2]


def test_nothing_set_means_local_directories():
    assert storages_from_env({}) == LOCAL_STORAGES
    assert storages_from_env({"STORAGE_URL": " ", "AWS_STORAGE_BUCKET_NAME": ""}) == LOCAL_STORAGES


def test_make_run_settings_with_an_empty_environment_use_local_directories():
    code = (
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.STORAGES['default']['BACKEND'], settings.STORAGES['private']['BACKEND'])"
    )
    env = {"PATH": os.environ.get("PATH", ""), "DJANGO_SETTINGS_MODULE": "config.settings.local"}
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "django.core.files.storage.FileSystemStorage",
        "core.storage.PrivateFileSystemStorage",
    ]


def test_a_minio_storage_url_names_endpoint_bucket_and_keys():
    stores = storages_from_env(
        {"STORAGE_URL": "s3+http://minio:minio%2Fsecret@minio:9000/ordertrail?region=us-east-1"}
    )

    public, private = stores["default"], stores["private"]
    assert public["BACKEND"] == "core.storage.PublicS3Storage"
    assert private["BACKEND"] == "core.storage.PrivateS3Storage"
    assert public["OPTIONS"] == {
        "bucket_name": "ordertrail",
        "endpoint_url": "http://minio:9000",
        "region_name": "us-east-1",
        "access_key": "minio",
        "secret_key": "minio/secret",
        "addressing_style": "path",
    }
    assert private["OPTIONS"] == public["OPTIONS"]


def test_r2_with_a_private_bucket_and_a_public_domain():
    stores = storages_from_env(
        {
            "STORAGE_URL": "s3://key:secret@acct.r2.cloudflarestorage.com/shop-images?region=auto"
            "&private_bucket=shop-kyc",
            "PUBLIC_MEDIA_BASE_URL": "https://images.example.com/",
        }
    )

    public, private = stores["default"]["OPTIONS"], stores["private"]["OPTIONS"]
    assert public["endpoint_url"] == "https://acct.r2.cloudflarestorage.com"
    assert (public["bucket_name"], private["bucket_name"]) == ("shop-images", "shop-kyc")
    assert (public["url_protocol"], public["custom_domain"]) == ("https:", "images.example.com")
    assert "custom_domain" not in private  # the private store never gets a public address


def test_aws_variables_without_an_endpoint_leave_addressing_to_boto3():
    cloudfront = "d111111abcdef8.cloudfront.net"
    environ = {"AWS_STORAGE_BUCKET_NAME": "ordertrail-media", "AWS_S3_CUSTOM_DOMAIN": cloudfront}
    environ.update(AWS_PRIVATE_STORAGE_BUCKET_NAME="ordertrail-private", AWS_S3_REGION_NAME="eu-west-1")

    stores = storages_from_env(environ)

    public = stores["default"]["OPTIONS"]
    assert public["endpoint_url"] is None and public["addressing_style"] is None
    assert public["access_key"] is None  # an IAM role / the instance's credentials
    assert (public["url_protocol"], public["custom_domain"], public["region_name"]) == (
        "https:",
        cloudfront,
        "eu-west-1",
    )
    assert stores["private"]["OPTIONS"]["bucket_name"] == "ordertrail-private"


def test_storage_url_values_win_and_aws_variables_fill_the_rest():
    keys = {"AWS_ACCESS_KEY_ID": "key", "AWS_SECRET_ACCESS_KEY": "secret"}
    url = {"STORAGE_URL": "s3+http://127.0.0.1:9000/from-url", "AWS_STORAGE_BUCKET_NAME": "from-variable"}

    options = storages_from_env({**url, **keys})["default"]["OPTIONS"]

    assert [options[name] for name in ("bucket_name", "access_key", "secret_key")] == [
        "from-url",
        "key",
        "secret",
    ]


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"STORAGE_URL": "ftp://host/bucket"}, "must start with s3://"),
        ({"STORAGE_URL": "s3://host/"}, "exactly one bucket"),
        ({"STORAGE_URL": "s3://host/a/b"}, "exactly one bucket"),
        ({"STORAGE_URL": "s3://host/bucket?acl=public"}, "unknown parameters"),
        ({"AWS_S3_ENDPOINT_URL": "http://minio:9000"}, "AWS_STORAGE_BUCKET_NAME"),
        ({"AWS_STORAGE_BUCKET_NAME": "b", "AWS_ACCESS_KEY_ID": "only-the-key"}, "both"),
        (
            {"AWS_STORAGE_BUCKET_NAME": "b", "PUBLIC_MEDIA_BASE_URL": "cdn.example.com"},
            "PUBLIC_MEDIA_BASE_URL",
        ),
    ],
)
def test_a_malformed_configuration_refuses_to_start(environ, message):
    with pytest.raises(ImproperlyConfigured, match=message):
        storages_from_env(environ)


@pytest.mark.parametrize(
    ("url", "access_key"),
    [("s3:///ordertrail-media", None), ("s3://KEY:SECRET@/ordertrail-media", "KEY")],
    ids=["iam-role", "keys"],
)
def test_a_storage_url_without_a_host_means_aws_itself(url, access_key):
    options = storages_from_env({"STORAGE_URL": url})["default"]["OPTIONS"]

    assert options["bucket_name"] == "ordertrail-media"
    assert options["endpoint_url"] is None and options["addressing_style"] is None
    assert options["access_key"] == access_key
