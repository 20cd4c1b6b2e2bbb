"""Deployment checks of our own, reported by `manage.py check --deploy` next to Django's."""

from django.conf import settings
from django.core.checks import Tags, Warning, register

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
