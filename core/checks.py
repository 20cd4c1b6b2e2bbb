"""Deployment checks of our own, reported by `manage.py check --deploy` next to Django's."""

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register

_PER_PROCESS_CACHES = (
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
)


@register(Tags.caches, deploy=True)
def shared_cache_check(app_configs, **kwargs):
    """Throttles (login, OTP, webhooks) and the OIDC userinfo cache count in the default cache: a per-process
    cache lets every web process (and every replica) allow the full rate on its own."""
    backend = settings.CACHES.get("default", {}).get("BACKEND", "")
    if backend in _PER_PROCESS_CACHES:
        return [
            Warning(
                "The default cache is per process, so throttles count per process, not per deployment.",
                hint="Set CACHE_URL to a cache every web process shares, e.g. redis://redis:6379/1.",
                id="ordertrail.W001",
            )
        ]
    return []


@register(Tags.security)
def private_media_outside_public_check(app_configs, **kwargs):
    """The app serves MEDIA_ROOT to anyone (core.media): KYC documents under it would be public."""
    from pathlib import Path

    public = Path(settings.MEDIA_ROOT).resolve()
    private = Path(settings.PRIVATE_MEDIA_ROOT).resolve()
    if private == public or private.is_relative_to(public):
        return [
            Error(
                "PRIVATE_MEDIA_ROOT is inside MEDIA_ROOT, which is served to anyone.",
                hint="Point PRIVATE_MEDIA_ROOT at a directory outside MEDIA_ROOT.",
                id="ordertrail.E001",
            )
        ]
    return []


@register(Tags.files, deploy=True)
def object_storage_check(app_configs, **kwargs):
    """Local media only work while every web and worker process shares one disk."""
    from django.core.files.storage import storages

    from .storage import is_local

    if is_local(storages["default"]) or is_local(storages["private"]):
        return [
            Warning(
                "Product images and KYC documents are stored on this machine's disk.",
                hint="Set STORAGE_URL or AWS_STORAGE_BUCKET_NAME (+ AWS_S3_ENDPOINT_URL and keys) so every "
                "replica reads and writes the same S3-protocol bucket; see docs/storage.md.",
                id="ordertrail.W002",
            )
        ]
    return []
