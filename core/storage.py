"""The two file stores: `default` (public: product images) and `private` (KYC documents).

Both are named in `settings.STORAGES` (see `core.storage_settings`): local directories for `make run`, S3-protocol
buckets (AWS S3, MinIO, Cloudflare R2...) in production. Models point at them through the lazy objects below, so
the choice is made by the settings at run time, never frozen into a migration.
"""

from functools import cached_property
from urllib.parse import urljoin

from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError
from django.conf import settings
from django.core.files.storage import FileSystemStorage, default_storage, storages
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.functional import LazyObject, empty
from storages.backends.s3 import S3Storage

# Product images get a new random name on every upload, so an object never changes once written: caches (the
# browser's, a CDN's) may keep it for a year without ever serving a stale picture.
PUBLIC_CACHE_CONTROL = "public, max-age=31536000, immutable"
PRIVATE_CACHE_CONTROL = "private, no-store"


# What a store raises when it cannot be reached or refuses a request (disk full, bucket down, bad credentials).
STORAGE_ERRORS = (OSError, BotoCoreError, ClientError)


class NoPublicUrl(ValueError):
    """Raised by `.url()` of the private store: its files are streamed by authorised views only."""


class PrivateFileSystemStorage(FileSystemStorage):
    """KYC documents on local disk, under PRIVATE_MEDIA_ROOT (outside MEDIA_ROOT, so no route serves them).

    The location is read from settings when first used, so tests and migrations never freeze a machine's path.
    """

    @cached_property
    def base_location(self):
        return self._value_or_setting(self._location, settings.PRIVATE_MEDIA_ROOT)

    def url(self, name):
        raise NoPublicUrl("Private files have no URL; serve them through an authorised view.")


class _S3Compatible(S3Storage):
    """S3Storage that also works against S3-compatible stores (MinIO, R2, Ceph...): checksums only where the
    S3 API requires them, since botocore's default CRC headers are refused by some of them."""

    def __init__(self, **options):
        super().__init__(**options)
        self.client_config = self.client_config.merge(
            Config(request_checksum_calculation="when_required", response_checksum_validation="when_required")
        )


class PublicS3Storage(_S3Compatible):
    """Product images: plain, stable URLs (no signature, no expiry) and long-cache headers.

    The objects must be readable anonymously: a bucket policy on the `public/` prefix (AWS S3, MinIO), a public
    bucket or a CDN in front (R2, CloudFront) whose origin is given as PUBLIC_MEDIA_BASE_URL.
    """

    def get_default_settings(self):
        return {
            **super().get_default_settings(),
            "location": "public",
            "querystring_auth": False,
            # Names are random (uuid4): a collision is impossible, so skip the HEAD request that checks for one.
            "file_overwrite": True,
            "object_parameters": {"CacheControl": PUBLIC_CACHE_CONTROL},
        }


class PrivateS3Storage(_S3Compatible):
    """KYC documents: private objects, never a URL. Read by the application (`open`) and streamed to a reviewer."""

    def get_default_settings(self):
        return {
            **super().get_default_settings(),
            "location": "private",
            "querystring_auth": True,
            "file_overwrite": False,
            "default_acl": None,
            "custom_domain": None,
            "object_parameters": {"CacheControl": PRIVATE_CACHE_CONTROL},
        }

    def url(self, name, parameters=None, expire=None, http_method=None):
        raise NoPublicUrl("Private files have no URL; serve them through an authorised view.")


class _ConfiguredStorage(LazyObject):
    """`storages[alias]`, looked up when first used and again after STORAGES changes (tests' override_settings)."""

    def __init__(self, alias: str):
        super().__init__()
        self.__dict__["_alias"] = alias

    def _setup(self):
        self._wrapped = storages[self.__dict__["_alias"]]


private_storage = _ConfiguredStorage("private")


def private_storage_for_field():
    """`FileField(storage=private_storage_for_field)`: the migration names this function, not a backend."""
    return private_storage


@receiver(setting_changed, dispatch_uid="core_storage_settings_changed")
def _reset_configured_storages(*, setting, **kwargs):
    if setting in ("STORAGES", "MEDIA_ROOT", "PRIVATE_MEDIA_ROOT"):
        private_storage._wrapped = empty


def is_local(storage=default_storage) -> bool:
    """Whether `storage` is a directory on this machine (then the app serves the public one itself)."""
    if isinstance(storage, LazyObject):
        if storage._wrapped is empty:
            storage._setup()
        storage = storage._wrapped
    return isinstance(storage, FileSystemStorage)


def absolute_url(url: str, request=None) -> str:
    """A storage URL made absolute: object-store URLs already are; a local one (`/media/...`) gets this
    request's origin, or PUBLIC_BASE_URL outside a request."""
    if request is not None:
        return request.build_absolute_uri(url)
    return urljoin(settings.PUBLIC_BASE_URL + "/", url)
