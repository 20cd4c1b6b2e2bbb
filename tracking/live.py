"""Live tracking updates: who is watching which order in this process, and how a change reaches them.

A change anywhere (any web process, a Celery worker) is announced after its commit with `tracking_changed`:
a Redis PUBLISH of the tracking code on TRACKING_STREAM_REDIS_URL, or, without Redis (`make run`), a call
into this process's hub. Each process that serves streams keeps one `Hub`: one Redis subscription (a daemon
thread), the watchers by tracking code, and a few fetch threads. On a change it reads the order's public
JSON once, however many streams watch it, and hands that snapshot to each watcher; a watcher keeps only the
newest snapshot it has not sent, so a slow reader skips versions instead of queueing them.

Watchers are served by an asyncio loop (the ASGI stream, tracking/stream.py) or by a thread (a WSGI
development server); the hub wakes each loop once per change, not once per watcher.
"""

import asyncio
import contextlib
import logging
import os
import threading
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor

import redis
from django.conf import settings
from django.db import connection
from django.http import Http404

from .events import LiveUpdate, live_update
from .snapshots import tracking_snapshot

logger = logging.getLogger(__name__)

# Fetch threads per process.
FETCH_THREADS = 4
# Besides a LiveUpdate, what a watcher can be handed: the order is not there (any more), or it could not be read.
GONE = "gone"
FAILED = "failed"


def canonical_code(code: str) -> str:
    """Tracking codes are stored upper case and typed in any case: one key per order."""
    return (code or "").strip().upper()


class Watcher:
    """One open stream of one order, served by a thread (wait with `wait`) or an asyncio loop (`wait_async`);
    `page`: it also wants the page event (the tracking page's own script)."""

    def __init__(self, code: str, *, loop: asyncio.AbstractEventLoop | None = None, page: bool = False):
        self.code = canonical_code(code)
        self.loop = loop
        self.page = page
        self.latest: LiveUpdate | str | None = None
        self.closed = False
        self._event = asyncio.Event() if loop is not None else threading.Event()

    def wake(self) -> None:
        """Called in the watcher's own loop (async) or from any thread (sync)."""
        self._event.set()

    def close(self) -> None:
        self.closed = True
        self.wake()

    def wait(self, timeout: float):
        """The newest item, or None when `timeout` passed first (thread-served watchers)."""
        if not self._event.wait(timeout):
            return None
        self._event.clear()
        return self.latest

    async def wait_async(self, timeout: float):
        """The newest item, or None when `timeout` passed first (loop-served watchers)."""
        try:
            async with asyncio.timeout(timeout):  # no task per wait (wait_for makes one before 3.12)
                await self._event.wait()
        except TimeoutError:
            return None
        self._event.clear()
        return self.latest


def _wake_all(watchers: list[Watcher]) -> None:
    for watcher in watchers:
        watcher.wake()


class Hub:
    """This process's watchers and the one fetch per change they share."""

    def __init__(self):
        self._lock = threading.Lock()
        self._watchers: dict[str, set[Watcher]] = {}
        self._latest: dict[str, LiveUpdate] = {}
        self._busy: set[str] = set()  # a fetch for this code is running
        self._again: set[str] = set()  # ...and it changed (or gained a watcher) meanwhile: fetch once more
        self._fetcher = ThreadPoolExecutor(max_workers=FETCH_THREADS, thread_name_prefix="tracking-fetch")
        self._listener: threading.Thread | None = None
        self._count = 0

    def watching(self) -> int:
        """Open streams in this process."""
        return self._count

    def watch(self, watcher: Watcher, *, fetch: bool = True) -> None:
        """Start handing `watcher` snapshots of its order. The first comes at once when others already watch
        it, else from a fetch thread; `fetch=False` when the caller reads the first one itself (`seed`)."""
        self._listen()
        with self._lock:
            self._watchers.setdefault(watcher.code, set()).add(watcher)
            self._count += 1
            cached = self._latest.get(watcher.code)
            if cached is not None and watcher.page and cached.page is None:
                cached = None  # built before anyone wanted the page: build it again, with the page
            fetch = fetch and cached is None and self._claim(watcher.code)
        if cached is not None:
            self._deliver([watcher], cached)
        elif fetch:
            self._fetcher.submit(self._refresh, watcher.code)

    def seed(self, watcher: Watcher, update: LiveUpdate) -> None:
        """A first update the caller built after `watch`: kept unless a newer one already arrived."""
        with self._lock:
            if watcher.latest is not None:
                return
            watcher.latest = update
            self._latest.setdefault(watcher.code, update)

    def unwatch(self, watcher: Watcher) -> None:
        with self._lock:
            watchers = self._watchers.get(watcher.code)
            if watchers is None or watcher not in watchers:
                return
            watchers.discard(watcher)
            self._count -= 1
            if not watchers:
                del self._watchers[watcher.code]
                self._latest.pop(watcher.code, None)

    def changed(self, code: str) -> None:
        """The order behind `code` may look different now: read it again if anyone here watches it."""
        code = canonical_code(code)
        with self._lock:
            if code not in self._watchers:
                return
            self._latest.pop(code, None)
            fetch = self._claim(code)
        if fetch:
            self._fetcher.submit(self._refresh, code)

    def _claim(self, code: str) -> bool:
        """Under the lock: True when the caller must start a fetch, False when the running one will repeat."""
        if code in self._busy:
            self._again.add(code)
            return False
        self._busy.add(code)
        return True

    def _refresh(self, code: str) -> None:
        """Fetch thread: read the snapshot and hand it to every watcher of `code`; repeat while it changes."""
        while True:
            with self._lock:
                page = any(watcher.page for watcher in self._watchers.get(code, ()))
            try:
                item = live_update(tracking_snapshot(code=code), page=page)
            except Http404:
                item = GONE
            except Exception:
                logger.exception("tracking: could not read %s for its watchers", code)
                item = FAILED
            finally:
                # Fetches are rare (a change, a newly watched order): no idle connection is left per thread.
                connection.close()
            with self._lock:
                targets = list(self._watchers.get(code, ()))
                if isinstance(item, LiveUpdate) and targets and code not in self._again:
                    self._latest[code] = item
                again = code in self._again
                self._again.discard(code)
                if not again:
                    self._busy.discard(code)
            if item == FAILED:
                # Streams already showing something keep it; only those still waiting for a first answer hear.
                targets = [watcher for watcher in targets if watcher.latest is None]
            self._deliver(targets, item)
            if not again:
                return

    @staticmethod
    def _deliver(watchers: list[Watcher], item) -> None:
        loops = defaultdict(list)
        for watcher in watchers:
            watcher.latest = item
            if watcher.loop is None:
                watcher.wake()
            else:
                loops[watcher.loop].append(watcher)
        for loop, group in loops.items():
            with contextlib.suppress(RuntimeError):  # a closed loop: its watchers are gone with it
                loop.call_soon_threadsafe(_wake_all, group)

    def _listen(self) -> None:
        """Start this process's Redis subscription once, when it first has a watcher."""
        if not settings.TRACKING_STREAM_REDIS_URL or self._listener is not None:
            return
        with self._lock:
            if self._listener is None:
                self._listener = threading.Thread(target=self._subscribe, name="tracking-listen", daemon=True)
                self._listener.start()

    def _subscribe(self) -> None:
        delay = 0.5
        while True:
            try:
                client = redis.Redis.from_url(
                    settings.TRACKING_STREAM_REDIS_URL, socket_connect_timeout=2, health_check_interval=15
                )
                pubsub = client.pubsub(ignore_subscribe_messages=True)
                pubsub.subscribe(settings.TRACKING_STREAM_CHANNEL)
                # Changes published while we were not subscribed (start, reconnect) were missed: read all again.
                with self._lock:
                    codes = list(self._watchers)
                for code in codes:
                    self.changed(code)
                delay = 0.5
                while True:
                    message = pubsub.get_message(timeout=5)
                    if message is not None and message["type"] == "message":
                        self.changed(message["data"].decode())
            except Exception as exc:  # Redis down or restarting: streams stay open, updates resume after
                logger.warning("tracking: Redis subscription lost (%s); retrying in %.1f s", exc, delay)
                time.sleep(delay)
                delay = min(delay * 2, 10)


_hubs: dict[int, Hub] = {}


def hub() -> Hub:
    """This process's hub (one per pid: a forked worker starts its own, with its own subscription)."""
    pid = os.getpid()
    if pid not in _hubs:
        _hubs.clear()
        _hubs[pid] = Hub()
    return _hubs[pid]


class _Publisher:
    """Publishes changes to Redis; after a failure it rests for a few seconds so an outage costs each
    commit nothing but a local delivery."""

    REST_SECONDS = 5.0

    def __init__(self):
        self._client = None
        self._pid = None
        self._resting_until = 0.0

    def publish(self, code: str) -> bool:
        if time.monotonic() < self._resting_until:
            return False
        if self._pid != os.getpid():
            self._client = redis.Redis.from_url(
                settings.TRACKING_STREAM_REDIS_URL, socket_connect_timeout=0.5, socket_timeout=0.5
            )
            self._pid = os.getpid()
        try:
            self._client.publish(settings.TRACKING_STREAM_CHANNEL, code)
            return True
        except redis.RedisError as exc:
            logger.warning("tracking: could not publish a change to Redis (%s)", exc)
            self._resting_until = time.monotonic() + self.REST_SECONDS
            return False


_publisher = _Publisher()


def tracking_changed(*, code: str) -> None:
    """Tell every watcher of `code`, in every process, that its tracking JSON may have changed.

    Call it after the change committed. Without Redis (or while Redis is unreachable) only this process's
    watchers hear of it, which is all a single `make run` process has."""
    code = canonical_code(code)
    if settings.TRACKING_STREAM_REDIS_URL and _publisher.publish(code):
        return
    current = _hubs.get(os.getpid())
    if current is not None:
        current.changed(code)
