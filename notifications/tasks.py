"""The outbox and the broker, both ways: publishing the tasks that deliver rows (`notifications_enqueue`, the
only place that talks to the broker) and the tasks themselves, which run delivery.py and publish what its
decisions call for. Each task is safe to run twice: the row claim decides who sends.
"""

import contextlib
import logging
import os
import threading
import time

from celery import current_app, shared_task
from django.conf import settings
from django.utils import timezone
from kombu.pools import ProducerPool

from .delivery import Decisions, outbox_deliver, outbox_sweep
from .models import Channel
from .outcomes import outcomes_replay

logger = logging.getLogger(__name__)

# acks_late + reject_on_worker_lost: a message whose worker died is redelivered; the claim makes that harmless.
TASK_OPTIONS = {"acks_late": True, "reject_on_worker_lost": True, "ignore_result": True}
# Celery's own cap on a task's argsrepr (Celery.amqp.argsrepr_maxsize).
TASK_ARGSREPR_MAX_LENGTH = 1024


def _task_reprs(args: list) -> dict:
    """How the task's arguments show in monitoring. Celery's default, `saferepr`, costs a third of a
    publish on the order-placement path; these arguments are ids (strings), for which `repr` is safe."""
    return {"argsrepr": repr(args)[:TASK_ARGSREPR_MAX_LENGTH], "kwargsrepr": "{}"}


class _Publisher:
    """This process's way to the broker for outbox tasks: a small producer pool on a connection with short
    timeouts and no reconnect loop, and a pause after a failure so that one request pays for a down broker
    at most once (Celery's own pool retries a connection for seconds, which would hold the request).
    """

    def __init__(self):
        self.lock = threading.Lock()
        self.key = None
        self.pool = None
        self.paused_until = 0.0

    def producers(self) -> ProducerPool:
        app = current_app
        key = self._current_key()
        with self.lock:
            if self.pool is None or self.key != key:  # first use, after a failure, a fork or a new broker URL
                timeout = settings.NOTIFICATIONS_PUBLISH_TIMEOUT_SECONDS
                connection = app.connection_for_write(
                    connect_timeout=timeout,
                    transport_options={
                        "max_retries": 0,
                        "socket_connect_timeout": timeout,
                        "socket_timeout": timeout,
                    },
                )
                limit = app.conf.broker_pool_limit or 10
                self.pool = ProducerPool(connection.Pool(limit), limit=limit)
                self.key = key
            return self.pool

    def paused(self) -> bool:
        """A publish to this broker failed moments ago in this process (a fork or a new URL starts afresh)."""
        return self.key == self._current_key() and time.monotonic() < self.paused_until

    @staticmethod
    def _current_key() -> tuple:
        app = current_app
        return (os.getpid(), app.conf.broker_write_url)

    def failed(self):
        """Drop the pool (its connections may be half-open) and let the sweeper publish for a while."""
        with self.lock:
            if self.pool is not None:
                with contextlib.suppress(Exception):
                    self.pool.connections.force_close_all()
            self.pool = None
            self.paused_until = time.monotonic() + settings.NOTIFICATIONS_PUBLISH_PAUSE_SECONDS


_publisher = _Publisher()


def notifications_enqueue(*, channel: str, notification_ids: list, countdown: float | None = None) -> bool:
    """Publish the task(s) that deliver these rows. Never raises and never waits long: a row whose task could
    not be published (broker down or hung: NOTIFICATIONS_PUBLISH_TIMEOUT_SECONDS, then no publishing for
    NOTIFICATIONS_PUBLISH_PAUSE_SECONDS) stays `pending` and the sweeper publishes it later.
    Returns whether publishing worked.
    """
    ids = [str(pk) for pk in notification_ids]
    if not ids:
        return True
    options = {"retry": False}
    if countdown:
        options["countdown"] = countdown
    if channel == Channel.SMS and len(ids) > 1:
        messages = [(notification_send_sms_batch, [ids])]
    else:
        task = notification_send_sms if channel == Channel.SMS else notification_send_email
        messages = [(task, [pk]) for pk in ids]
    if current_app.conf.task_always_eager:  # no broker: run now, in this process
        for task, args in messages:
            task.apply_async(args=args, **options)
        return True
    if _publisher.paused():
        logger.info("Broker failed moments ago; %s notification(s) %s left to the sweeper", channel, ids[:5])
        return False
    try:
        with _publisher.producers().acquire(
            block=True, timeout=settings.NOTIFICATIONS_PUBLISH_TIMEOUT_SECONDS
        ) as producer:
            for task, args in messages:
                task.apply_async(args=args, producer=producer, **options, **_task_reprs(args))
    except Exception:  # the broker is unreachable: the sweeper will publish it when it is back
        _publisher.failed()
        logger.warning("Could not enqueue %s notification(s) %s; the sweeper will retry", channel, ids[:5])
        return False
    return True


def _follow(decisions: Decisions) -> None:
    """Publish what a delivery run or a sweep decided. Short waits go back to the broker as countdowns; long
    ones wait in `next_attempt_at` for the sweeper. Without a broker (eager mode) retries are not re-run
    in-process: the row waits for the sweeper or an admin.
    """
    for batch in decisions.send_now:
        notifications_enqueue(channel=batch.channel, notification_ids=batch.notification_ids)
    if not decisions.retry_at or current_app.conf.task_always_eager:
        return
    now = timezone.now()
    countdown_max = settings.NOTIFICATIONS_COUNTDOWN_MAX_SECONDS
    short = [
        (retry, max(0.0, (retry.at - now).total_seconds()))
        for retry in decisions.retry_at
        if (retry.at - now).total_seconds() <= countdown_max
    ]
    sms = [(retry, delay) for retry, delay in short if retry.channel == Channel.SMS]
    if sms:
        notifications_enqueue(
            channel=Channel.SMS,
            notification_ids=[retry.notification_id for retry, _ in sms],
            countdown=max(delay for _, delay in sms),
        )
    for retry, delay in short:
        if retry.channel != Channel.SMS:
            notifications_enqueue(
                channel=retry.channel, notification_ids=[retry.notification_id], countdown=delay
            )


def notifications_deliver(*, notification_ids: list) -> int:
    """Deliver the due rows among `notification_ids` and schedule their retries. Returns rows claimed.
    Outcomes this machine journaled while the database was away are written first."""
    outcomes_replay()
    decisions = outbox_deliver(notification_ids=notification_ids)
    _follow(decisions)
    return decisions.claimed


def notifications_sweep(*, limit: int = 2000) -> dict:
    """Write journaled outcomes, mark rows stuck mid-send `outcome_unknown` and publish again the rows nobody
    picked up (see delivery.outbox_sweep)."""
    outcomes_replay()
    decisions = outbox_sweep(limit=limit)
    _follow(decisions)
    requeued = sum(len(batch.notification_ids) for batch in decisions.send_now)
    return {"stuck": decisions.stuck, "requeued": requeued}


@shared_task(name="notifications.send_sms", **TASK_OPTIONS)
def notification_send_sms(notification_id: str) -> int:
    """Send one SMS notification (queue `sms`)."""
    return notifications_deliver(notification_ids=[notification_id])


@shared_task(name="notifications.send_sms_batch", **TASK_OPTIONS)
def notification_send_sms_batch(notification_ids: list[str]) -> int:
    """Send many SMS rows, one Africa's Talking request per distinct text (queue `sms`)."""
    return notifications_deliver(notification_ids=notification_ids)


@shared_task(name="notifications.send_email", **TASK_OPTIONS)
def notification_send_email(notification_id: str) -> int:
    """Send one email notification (queue `email`)."""
    return notifications_deliver(notification_ids=[notification_id])


@shared_task(name="notifications.sweep", ignore_result=True)
def notification_sweep() -> dict:
    """Beat task: re-publish due rows nobody picked up, mark rows stuck mid-send `outcome_unknown`."""
    return notifications_sweep()
