"""Liveness (no I/O) and readiness (database and broker reachable) probes."""

from django.conf import settings
from django.core.cache import caches
from django.db import connection
from django.http import JsonResponse

from .cache import FailOpenRedisCache, fail_open_counts


def healthz(request):
    return JsonResponse({"status": "ok"})


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return True
    except Exception:
        return False


def _broker_ok() -> bool:
    if not settings.CELERY_BROKER_URL or settings.CELERY_BROKER_URL.startswith("memory://"):
        return True
    from kombu import Connection

    try:
        # Socket timeouts too: a broker that accepts connections but never answers must not hang the probe.
        timeouts = {"socket_timeout": 2, "socket_connect_timeout": 2}
        with Connection(settings.CELERY_BROKER_URL, connect_timeout=2, transport_options=timeouts) as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return True
    except Exception:
        return False


def readyz(request):
    """503 while the database or the broker is unreachable. A shared cache is reported too but never makes the
    process unready: requests work without it (core/cache.py)."""
    checks = {"database": _database_ok(), "broker": _broker_ok()}
    required = list(checks)
    cache = caches["default"]
    if isinstance(cache, FailOpenRedisCache):
        checks["cache"] = cache.ping()
    down = [name for name, ok in checks.items() if not ok]
    if any(name in required for name in down):
        return JsonResponse(
            {"code": "not_ready", "detail": f"Unreachable: {', '.join(down)}.", "checks": checks}, status=503
        )
    body = {"status": "ready", "checks": checks}
    if down:
        body["degraded"] = down
    if "cache" in checks:
        body["cache_fail_open_total"] = sum(fail_open_counts().values())
    return JsonResponse(body)
