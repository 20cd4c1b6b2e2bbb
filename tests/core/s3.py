"""A real S3-protocol server on loopback (moto's standalone server) and settings that point the stores at it.

`s3_server` starts once per test session; `s3_storages` gives each test its own fresh buckets, set up the way
production reads them from the environment (core.storage_settings), so URLs, cache headers and the private
store's refusals are the ones a deployment gets.
"""

import functools
import json
import logging
import uuid
from dataclasses import dataclass

import boto3
import pytest
from botocore.config import Config

from core.storage_settings import storages_from_env

ACCESS_KEY = "ordertrail-test"
SECRET_KEY = "ordertrail-test-secret"
REGION = "us-east-1"


@dataclass
class S3Server:
    endpoint_url: str

    @functools.cached_property
    def _client(self):
        return boto3.client(
            "s3",
            endpoint_url=self.endpoint_url,
            region_name=REGION,
            aws_access_key_id=ACCESS_KEY,
            aws_secret_access_key=SECRET_KEY,
            config=Config(s3={"addressing_style": "path"}),
        )

    def client(self):
        return self._client


@dataclass
class S3Buckets:
    server: S3Server
    public: str
    private: str

    def keys(self, bucket: str | None = None) -> set[str]:
        listing = self.server.client().list_objects_v2(Bucket=bucket or self.public)
        return {item["Key"] for item in listing.get("Contents", [])}


def public_prefix_policy(bucket: str) -> str:
    """What docs/storage.md tells operators to apply: anyone may read `public/`, nothing else."""
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": "*",
                    "Action": ["s3:GetObject"],
                    "Resource": [f"arn:aws:s3:::{bucket}/public/*"],
                }
            ],
        }
    )


@pytest.fixture(scope="session")
def s3_server():
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one access-log line per S3 call otherwise

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield S3Server(endpoint_url=f"http://{host}:{port}")
    server.stop()


@pytest.fixture
def s3_storages(s3_server, settings):
    """This test's media in two new buckets (public images, private documents) on the loopback S3 server."""
    suffix = uuid.uuid4().hex[:12]
    buckets = S3Buckets(server=s3_server, public=f"media-{suffix}", private=f"private-{suffix}")
    client = s3_server.client()
    for bucket in (buckets.public, buckets.private):
        client.create_bucket(Bucket=bucket)
    client.put_bucket_policy(Bucket=buckets.public, Policy=public_prefix_policy(buckets.public))
    environ = {
        "STORAGE_URL": f"s3+http://{ACCESS_KEY}:{SECRET_KEY}@{s3_server.endpoint_url.split('://')[1]}"
        f"/{buckets.public}?region={REGION}&private_bucket={buckets.private}",
    }
    settings.STORAGES = {**storages_from_env(environ), "staticfiles": settings.STORAGES["staticfiles"]}
    return buckets
