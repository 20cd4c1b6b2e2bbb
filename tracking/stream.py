"""`GET /api/v1/track/{tracking_code}/stream/`: Server-Sent Events, an `update` event carrying the public
tracking JSON at once and after every change. The event id is the snapshot's version, so a reconnecting
browser (which sends `Last-Event-ID`) is not told again what it already shows.

Two ways to serve it, one behaviour:
- `TrackingStreamRouter` (config/asgi.py, run by uvicorn): the stream path is answered here, in the event
  loop, before Django's middleware chain (some of it is synchronous and would cost a thread per watcher);
  every other path goes to Django. One process holds thousands of streams.
- `wsgi_stream` (tracking.views, any WSGI server): Django's threaded development server (`make run`, the
  test live server) holds a stream per thread. A production WSGI server has a few threads for everyone, so
  it answers the current state and tells the browser to ask again in POLL_SECONDS: a poll, not a held thread.
"""

import asyncio
import io
import json
import re
import time

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.core.handlers.asgi import ASGIRequest
from django.db import connection
from django.http import StreamingHttpResponse

from core.errors import ErrorCode
from core.exceptions import RETRY_AFTER_SECONDS, error_body

from .events import LiveUpdate, live_update
from .live import GONE, Watcher, hub
from .snapshots import tracking_snapshot

STREAM_PATH = re.compile(r"^/api/v1/track/(?P<code>[^/]+)/stream/$")
RECONNECT_MS = 3000
POLL_SECONDS = 15
# How long a new stream waits for its first snapshot before answering 503.
FIRST_SNAPSHOT_SECONDS = 10
HEADERS = {
    "Content-Type": "text/event-stream; charset=utf-8",
    "Cache-Control": "no-cache, no-transform",
    "X-Accel-Buffering": "no",  # nginx (and the ingress controller) must pass events on, not buffer them
    "X-Content-Type-Options": "nosniff",
}
UNAVAILABLE = "Tracking is briefly unavailable. Retry in a few seconds."
NOT_FOUND = "No order has this tracking code."


def _retry(milliseconds: int) -> bytes:
    return f"retry: {milliseconds}\n\n".encode()


class _Cursor:
    """What to write for each item a watcher hands over: the events of a version not sent yet (the page
    event too when the stream asked for it), a comment line when a heartbeat's wait ran out, nothing for a
    repeat; `done` once the stream must end."""

    def __init__(self, last_event_id: str, *, page: bool, max_seconds: float = 0):
        self.sent = self.sent_page = last_event_id
        self.page = page
        self.deadline = time.monotonic() + max_seconds
        self.done = False

    def chunk(self, item) -> bytes:
        if item is None:
            return b": keep-alive\n\n"
        if item == GONE:
            self.done = True
        if not isinstance(item, LiveUpdate):
            return b""
        chunk = b""
        if item.version != self.sent:
            self.sent = item.version
            chunk += item.update
        if self.page and item.page is not None and item.version != self.sent_page:
            self.sent_page = item.version
            chunk += item.page
        return chunk

    def next_wait(self) -> float:
        """Seconds to wait for the next item; marks the stream done once its lifetime is over."""
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            self.done = True
        return max(0.0, min(settings.TRACKING_STREAM_HEARTBEAT_SECONDS, remaining))


# --- WSGI -------------------------------------------------------------------------------------------------


def wsgi_stream(*, code: str, last_event_id: str, page: bool, hold: bool) -> StreamingHttpResponse:
    """The stream as a WSGI response (Http404 for an unknown code). Only a held stream watches the hub."""
    if not hold:
        update = live_update(tracking_snapshot(code=code), page=page)
        cursor = _Cursor(last_event_id, page=page)
        return StreamingHttpResponse([_retry(POLL_SECONDS * 1000), cursor.chunk(update)], headers=HEADERS)
    watcher = Watcher(code, page=page)
    hub().watch(watcher, fetch=False)  # first, so no change between our read and the watch goes unheard
    try:
        hub().seed(watcher, live_update(tracking_snapshot(code=code), page=page))
    except BaseException:
        hub().unwatch(watcher)
        raise
    cursor = _Cursor(last_event_id, page=page, max_seconds=settings.TRACKING_STREAM_MAX_SECONDS)
    return StreamingHttpResponse(_held(watcher, watcher.latest, cursor), headers=HEADERS)


def _held(watcher: Watcher, item, cursor: _Cursor):
    # This thread may hold the stream for minutes: it must not hold a database connection all that time.
    connection.close()
    try:
        yield _retry(RECONNECT_MS)
        while True:
            # A departed browser shows up as a write error at the next heartbeat, which closes this generator.
            if chunk := cursor.chunk(item):
                yield chunk
            wait = cursor.next_wait()
            if cursor.done:
                return
            item = watcher.wait(wait)
    finally:
        hub().unwatch(watcher)


# --- ASGI -------------------------------------------------------------------------------------------------


class TrackingStreamRouter:
    """ASGI application: the stream path served natively, everything else by `app` (Django's handler)."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http" and scope["method"] == "GET":
            match = STREAM_PATH.match(scope["path"])
            if match:
                page = "include=page" in scope.get("query_string", b"").decode("latin-1").split("&")
                return await _asgi_stream(scope, receive, send, match["code"], page=page)
        if scope["type"] == "lifespan":  # Django's handler speaks HTTP only
            while (await receive())["type"] != "lifespan.shutdown":
                await send({"type": "lifespan.startup.complete"})
            return await send({"type": "lifespan.shutdown.complete"})
        return await self.app(scope, receive, send)


async def _answer(send, status: int, body: bytes = b"", headers: list | None = None) -> None:
    await send({"type": "http.response.start", "status": status, "headers": headers or []})
    await send({"type": "http.response.body", "body": body})


async def _error(send, status: int, code: str, detail: str, headers: tuple = ()) -> None:
    body = json.dumps(error_body(code, detail)).encode()
    await _answer(send, status, body, [(b"content-type", b"application/json"), *headers])


async def _asgi_stream(scope, receive, send, code: str, *, page: bool) -> None:
    request = ASGIRequest(scope, io.BytesIO())
    try:
        host = request.get_host()  # ALLOWED_HOSTS, as Django checks it
    except DisallowedHost:
        return await _error(send, 400, ErrorCode.VALIDATION_ERROR, "Invalid host header.")
    if settings.SECURE_SSL_REDIRECT and not request.is_secure():
        location = f"https://{host}{request.get_full_path()}".encode()
        return await _answer(send, 301, headers=[(b"location", location)])

    retry = ((b"retry-after", str(RETRY_AFTER_SECONDS).encode()),)
    if hub().watching() >= settings.TRACKING_STREAM_MAX_PER_PROCESS:  # full: another process may have room
        return await _error(send, 503, ErrorCode.SERVICE_UNAVAILABLE, UNAVAILABLE, retry)
    watcher = Watcher(code, loop=asyncio.get_running_loop(), page=page)
    hub().watch(watcher)
    try:
        item = await watcher.wait_async(FIRST_SNAPSHOT_SECONDS)
        if item == GONE:
            return await _error(send, 404, ErrorCode.NOT_FOUND, NOT_FOUND)
        if not isinstance(item, LiveUpdate):  # the database did not answer in time: as on every other path
            return await _error(send, 503, ErrorCode.SERVICE_UNAVAILABLE, UNAVAILABLE, retry)
        headers = [(name.lower().encode(), value.encode()) for name, value in HEADERS.items()]
        if request.is_secure() and settings.SECURE_HSTS_SECONDS:
            headers.append((b"strict-transport-security", f"max-age={settings.SECURE_HSTS_SECONDS}".encode()))
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        departure = asyncio.ensure_future(_departure(receive, watcher))
        try:
            cursor = _Cursor(
                request.headers.get("Last-Event-ID", ""),
                page=page,
                max_seconds=settings.TRACKING_STREAM_MAX_SECONDS,
            )
            await _asgi_events(send, watcher, item, cursor)
        finally:
            departure.cancel()
    except OSError:  # the browser went away mid-write
        pass
    finally:
        hub().unwatch(watcher)


async def _departure(receive, watcher: Watcher) -> None:
    while (await receive())["type"] != "http.disconnect":
        pass
    watcher.close()


async def _asgi_events(send, watcher: Watcher, item, cursor: _Cursor) -> None:
    await send({"type": "http.response.body", "body": _retry(RECONNECT_MS), "more_body": True})
    while not watcher.closed:
        chunk = cursor.chunk(item)
        if chunk:
            await send({"type": "http.response.body", "body": chunk, "more_body": True})
        wait = cursor.next_wait()
        if cursor.done:
            break
        item = await watcher.wait_async(wait)
    if not watcher.closed:
        await send({"type": "http.response.body", "body": b"", "more_body": False})
