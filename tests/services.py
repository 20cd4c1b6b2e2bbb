"""Which real services this run has: PostgreSQL (DATABASE_URL) and a Redis broker (CELERY_BROKER_URL)."""

import os
import socket
from urllib.parse import urlparse

REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"


def _reachable(url: str, default_port: int) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection(
            (parsed.hostname or "127.0.0.1", parsed.port or default_port), timeout=2
        ):
            return True
    except OSError:
        return False


def database_url() -> str:
    return os.environ.get("DATABASE_URL", "")


def postgres_configured() -> bool:
    return database_url().startswith(("postgres://", "postgresql://", "pgsql://"))


def redis_url() -> str:
    url = os.environ.get("CELERY_BROKER_URL", "")
    return url if url.startswith("redis://") else ""


def redis_reachable() -> bool:
    return bool(redis_url()) and _reachable(redis_url(), 6379)


def postgres_reachable() -> bool:
    return postgres_configured() and _reachable(database_url(), 5432)
