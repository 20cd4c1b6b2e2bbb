"""The outbox and the broker, both ways: publishing the tasks that deliver rows (`notifications_enqueue`, the
only place that talks to the broker) and the tasks themselves, which run delivery.py and publish what its
decisions call for. Each task is safe to run twice: the row claim decides who sends.
"""

import logging

from celery import current_app, shared_task
from django.conf import settings
from django.utils import timezone

from .delivery import Decisions, outbox_deliver, outbox_sweep
from .models import Channel

logger = logging.getLogger(__name__)

# acks_late + reject_on_worker_lost: a message whose worker died is redelivered; the claim makes that harmless.
TASK_OPTIONS = {"acks_late": True, "reject_on_worker_lost": True, "ignore_result": True}
# Celery's own cap on a task's argsrepr (Celery.amqp.argsrepr_maxsize).
TASK_ARGSREPR_MAX_LENGTH = 1024


def _task_reprs(args: list) -> dict:
    """How the task's arguments show in monitoring. Celery's default, `saferepr`, costs a third of a
    publish on the order-placement path; these arguments are ids (strings), for which `repr` is safe."""
    return {"argsrepr": repr(args)[:TASK_ARGSREPR_MAX_LENGTH], "kwargsrepr": "{}"}


def notifications_enqueue(*, channel: str, notification_ids: list, countdown: float | None = None) -> bool:
    """Publish the task(s) that deliver these rows. Never raises: a row whose task could not be published
    (broker down) stays `pending` and the sweeper publishes it later. Returns whether publishing worked.
    """
    ids = [str(pk) for pk in notification_ids]
    if not ids:
        return True
    options = {"retry": False}
    if countdown:
        options["countdown"] = countdown
    try:
        if channel == Channel.SMS and len(ids) > 1:
            notification_send_sms_batch.apply_async(args=[ids], **options, **_task_reprs([ids]))
        else:
            task = notification_send_sms if channel == Channel.SMS else notification_send_email
            for pk in ids:
                task.apply_async(args=[pk], **options, **_task_reprs([pk]))
    except Exception:  # the broker is unreachable: the sweeper will publish it when it is back
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
    """Deliver the due rows among `notification_ids` and schedule their retries. Returns rows claimed."""
    decisions = outbox_deliver(notification_ids=notification_ids)
    _follow(decisions)
    return decisions.claimed


def notifications_sweep(*, limit: int = 2000) -> dict:
    """Fail rows stuck mid-send and publish again the rows nobody picked up (see delivery.outbox_sweep)."""
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
    """Beat task: re-publish due rows nobody picked up, fail rows stuck mid-send (see delivery.py)."""
    return notifications_sweep()
