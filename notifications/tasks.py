"""Celery tasks of the outbox. Each is safe to run twice: the row claim decides who sends."""

from celery import shared_task

from .delivery import notifications_deliver, notifications_sweep

# acks_late + reject_on_worker_lost: a message whose worker died is redelivered; the claim makes that harmless.
TASK_OPTIONS = {"acks_late": True, "reject_on_worker_lost": True, "ignore_result": True}


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
