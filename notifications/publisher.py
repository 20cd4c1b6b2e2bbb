"""Publishing outbox tasks off the request thread, coalesced.

A committed change hands its new outbox rows to `publisher.submit`. In a web process with a broker, a
daemon thread of that process publishes them: the request answers without waiting on the broker, and the
rows that commit while a publish is in flight leave together, one task per channel for up to
NOTIFICATIONS_PUBLISH_BATCH_SIZE rows, instead of one task per row. Under load that is a fraction of
the publishes; when the process is idle each row still leaves at once, alone.

Nothing is lost if the process dies with rows still in its queue (or the broker is down): the rows are
committed `pending`, and the sweeper publishes rows nobody picked up after
NOTIFICATIONS_SWEEP_GRACE_SECONDS. A worker claims a row before sending it, so a row published twice
(by this thread and by the sweeper) is still sent once.
"""

import atexit
import logging
import os
import threading
from collections import deque
from collections.abc import Callable
from functools import partial

logger = logging.getLogger(__name__)

Publish = Callable[..., bool]


class BackgroundPublisher:
    """One per process. `submit(channel, ids)` never blocks on the broker; `flush()` waits for the queue.

    The thread is started on first use in each process; a forked child (a gunicorn worker) starts afresh.
    """

    def __init__(self, *, publish: Publish, batch_size: int):
        self._publish = publish
        self.batch_size = max(1, batch_size)
        self._reset()
        os.register_at_fork(after_in_child=self._reset)

    def _reset(self) -> None:
        """Fresh state; also what a forked child starts from (the parent's rows are the parent's to publish)."""
        self._condition = threading.Condition()
        self._queue: deque[tuple[str, list]] = deque()
        self._busy = False
        self._thread: threading.Thread | None = None

    def submit(self, *, channel: str, notification_ids: list) -> None:
        with self._condition:
            self._ensure_thread()
            self._queue.append((channel, list(notification_ids)))
            self._condition.notify()

    def flush(self, timeout: float = 10.0) -> bool:
        """Wait until everything submitted so far has been published (or given up); True if it was."""
        with self._condition:
            return self._condition.wait_for(lambda: not self._queue and not self._busy, timeout=timeout)

    def _ensure_thread(self) -> None:
        if self._thread is not None and self._thread.is_alive():
            return
        self._thread = threading.Thread(target=self._run, name="notifications-publisher", daemon=True)
        self._thread.start()

    def _take(self) -> dict[str, list]:
        """Wait for work, then take all of it, grouped by channel (called with the condition held)."""
        self._condition.wait_for(lambda: self._queue)
        by_channel: dict[str, list] = {}
        while self._queue:
            channel, ids = self._queue.popleft()
            by_channel.setdefault(channel, []).extend(ids)
        self._busy = True
        return by_channel

    def _run(self) -> None:
        while True:
            with self._condition:
                by_channel = self._take()
            try:
                for channel, ids in by_channel.items():
                    for start in range(0, len(ids), self.batch_size):
                        self._publish(channel=channel, notification_ids=ids[start : start + self.batch_size])
            except Exception:  # never let the thread die; the rows are pending and the sweeper has them
                logger.exception("Publishing notifications failed; the sweeper will publish them")
            finally:
                with self._condition:
                    self._busy = False
                    self._condition.notify_all()


_publisher: BackgroundPublisher | None = None
_publisher_lock = threading.Lock()


def publisher_get() -> BackgroundPublisher:
    """This process's publisher (created on first use, flushed briefly at interpreter exit)."""
    global _publisher
    if _publisher is None:
        with _publisher_lock:
            if _publisher is None:
                from django.conf import settings

                from .services import notifications_enqueue

                _publisher = BackgroundPublisher(
                    publish=partial(notifications_enqueue, batched=True),
                    batch_size=settings.NOTIFICATIONS_PUBLISH_BATCH_SIZE,
                )
                atexit.register(_publisher.flush, 5.0)
    return _publisher
