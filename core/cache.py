"""The shared cache (CACHE_URL) is an optimisation, never a dependency of a request.

Throttle counters, cached OIDC userinfo answers and the cached category tree all live in it. When Redis is
unreachable, refuses writes (a replica during failover) or hangs, every operation answers as a cache miss
(`get` returns the default, `set` stores nothing) instead of failing the request: throttles then let the
request through, callers recompute what they would have read. Each failure logs a warning and counts in
`fail_open_counts()`.

A hung Redis (accepts connections, never answers) costs one socket timeout (250 ms by default): after a
failure the cache is skipped for `COOLDOWN_SECONDS`, so a request that uses the cache several times (two
throttles each read and write) does not wait once per call, and a request during that window waits not at all.
"""

import logging
import threading
import time
from collections import Counter
from urllib.parse import urlsplit

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError, ReadOnlyError, TimeoutError

logger = logging.getLogger(__name__)

SOCKET_TIMEOUT_SECONDS = 0.25
COOLDOWN_SECONDS = 5.0
# Unreachable, hung (timeouts) or read-only (a replica during failover). Other Redis errors (a wrong type, a
# bad command) are bugs and still raise.
UNAVAILABLE = (ConnectionError, TimeoutError, ReadOnlyError, OSError)

# Shared by every thread (Django builds one cache object per thread) and every cache on the same servers.
_lock = threading.Lock()
_skip_until: dict[str, float] = {}
_counts: Counter = Counter()


def _without_credentials(url: str) -> str:
    parts = urlsplit(url)
    return parts._replace(netloc=parts.netloc.rpartition("@")[2]).geturl()


def fail_open_counts() -> dict[str, int]:
    """Per cache location: operations answered as a miss because Redis was unavailable (this process)."""
    return dict(_counts)


class FailOpenRedisCache(RedisCache):
    """Django's RedisCache with short socket timeouts whose operations fail open (see the module docstring).

    OPTIONS given in CACHE_URL (`?socket_timeout=0.5`) override the timeouts set here.
    """

    def __init__(self, server, params):
        super().__init__(server, params)
        self._options = {
            "socket_connect_timeout": SOCKET_TIMEOUT_SECONDS,
            "socket_timeout": SOCKET_TIMEOUT_SECONDS,
            **self._options,
        }
        # Names the servers in logs and counters; a password in the URL stays out of both.
        self._location = ",".join(_without_credentials(server) for server in self._servers)

    def ping(self) -> bool:
        """Whether Redis answers now (for /readyz/), bounded by the socket timeouts, cooldown or not."""
        try:
            return bool(self._cache.get_client(write=True).ping())
        except UNAVAILABLE:
            return False

    def _fail_open(self, fallback, method, *args):
        """`method(self, *args)`, or `fallback` while Redis is unavailable."""
        if time.monotonic() < _skip_until.get(self._location, 0.0):
            with _lock:
                _counts[self._location] += 1
            return fallback
        try:
            return method(self, *args)
        except UNAVAILABLE as exc:
            with _lock:
                _counts[self._location] += 1
                _skip_until[self._location] = time.monotonic() + COOLDOWN_SECONDS
            logger.warning(
                "Cache %s unavailable (%s: %s); answering as a miss and skipping it for %.0f s",
                self._location,
                method.__name__,
                exc,
                COOLDOWN_SECONDS,
            )
            return fallback

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._fail_open(False, RedisCache.add, key, value, timeout, version)

    def get(self, key, default=None, version=None):
        return self._fail_open(default, RedisCache.get, key, default, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._fail_open(None, RedisCache.set, key, value, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._fail_open(False, RedisCache.touch, key, timeout, version)

    def delete(self, key, version=None):
        return self._fail_open(False, RedisCache.delete, key, version)

    def get_many(self, keys, version=None):
        return self._fail_open({}, RedisCache.get_many, keys, version)

    def has_key(self, key, version=None):
        return self._fail_open(False, RedisCache.has_key, key, version)

    def incr(self, key, delta=1, version=None):
        missing = object()
        value = self._fail_open(missing, RedisCache.incr, key, delta, version)
        if value is missing:
            raise ValueError(f"Key '{key}' not found.")  # what a miss answers; callers then set() it
        return value

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        # Django's contract: the keys that could not be stored, here all of them.
        return self._fail_open(list(data), RedisCache.set_many, data, timeout, version)

    def delete_many(self, keys, version=None):
        return self._fail_open(None, RedisCache.delete_many, keys, version)

    def clear(self):
        return self._fail_open(False, RedisCache.clear)
