"""The worker side of the outbox: claim rows, send them, record the outcome, schedule retries, sweep.

Never sent twice: a worker first claims a row with a conditional UPDATE (pending, unclaimed, due) that is
committed before the provider is called, and records the outcome with another UPDATE guarded by its claim
token. A second task for the same row (duplicate publish, redelivery after a crash) finds it claimed or
sent and does nothing. If the worker dies between the provider call and the record, the row stays claimed;
when its lease expires the sweeper marks it `failed` with `outcome_unknown` instead of sending it again,
because neither Africa's Talking nor SMTP can tell us whether it went out. An admin may retry it knowingly.
An SMS request the provider received but did not answer (read timeout) is failed as `outcome_unknown` too.
"""

import logging
import random
import uuid
from datetime import timedelta

from celery import current_app
from django.conf import settings
from django.db.models import F
from django.template import TemplateDoesNotExist, TemplateSyntaxError
from django.utils import timezone

from .messages import MASK, SENSITIVE_CONTEXT_KEYS, message_render_email, message_render_sms
from .models import Channel, Notification, NotificationStatus
from .senders import (
    OutcomeUnknownSendError,
    PermanentSendError,
    SmsOutcome,
    TransientSendError,
    email_send,
    sms_send,
)
from .services import notifications_enqueue

logger = logging.getLogger(__name__)

# A countdown task may fire a little before `next_attempt_at` by the clocks of two machines.
DUE_TOLERANCE = timedelta(seconds=2)
OUTCOME_UNKNOWN = (
    "outcome_unknown: the worker stopped while the provider call was in flight; "
    "not resent automatically so that it cannot arrive twice"
)


def retry_delay(*, attempts: int) -> float:
    """Exponential backoff with jitter: half of base*2**(n-1) (capped) plus a random share of the other half."""
    ceiling = min(
        settings.NOTIFICATIONS_RETRY_MAX_SECONDS,
        settings.NOTIFICATIONS_RETRY_BASE_SECONDS * (2 ** max(0, attempts - 1)),
    )
    return ceiling / 2 + random.uniform(0, ceiling / 2)


def _claim(*, notification_ids: list) -> tuple[uuid.UUID, list[Notification]]:
    now = timezone.now()
    token = uuid.uuid4()
    Notification.objects.filter(
        pk__in=notification_ids,
        status=NotificationStatus.PENDING,
        claimed_at__isnull=True,
        next_attempt_at__lte=now + DUE_TOLERANCE,
    ).update(claimed_at=now, claim_token=token, attempts=F("attempts") + 1, updated_at=now)
    return token, list(Notification.objects.filter(claim_token=token, status=NotificationStatus.PENDING))


def _record_sent(*, notification: Notification, token, provider_message_id: str) -> None:
    now = timezone.now()
    changes = {
        "status": NotificationStatus.SENT,
        "sent_at": now,
        "provider_message_id": provider_message_id[:128],
        "last_error": "",
        "claimed_at": None,
        "updated_at": now,
    }
    if SENSITIVE_CONTEXT_KEYS & set(notification.context):
        changes["context"] = {
            key: (MASK if key in SENSITIVE_CONTEXT_KEYS else value)
            for key, value in notification.context.items()
        }
    # Matched by token even if the sweeper already gave up on it: what happened beats what we guessed.
    Notification.objects.filter(pk=notification.pk, claim_token=token).update(**changes)


def _record_failure(*, notification: Notification, token, error: str, permanent: bool) -> float | None:
    """Record a failed attempt; returns the delay before the next one, or None when it is now `failed`."""
    now = timezone.now()
    final = permanent or notification.attempts >= settings.NOTIFICATIONS_MAX_ATTEMPTS
    changes = {"last_error": error[:2000], "claimed_at": None, "updated_at": now}
    delay = None
    if final:
        changes["status"] = NotificationStatus.FAILED
    else:
        delay = retry_delay(attempts=notification.attempts)
        changes["next_attempt_at"] = now + timedelta(seconds=delay)
    Notification.objects.filter(
        pk=notification.pk, claim_token=token, status=NotificationStatus.PENDING
    ).update(**changes)
    if final:
        logger.warning(
            "Notification %s failed after %s attempt(s): %s", notification.pk, notification.attempts, error
        )
    return delay


def _schedule_retries(*, channel: str, delays: dict) -> None:
    """Short waits go back to the broker as countdowns; long ones wait in `next_attempt_at` for the sweeper.
    Without a broker (eager mode) nothing is re-run in-process: the row waits for the sweeper or an admin.
    """
    if not delays or current_app.conf.task_always_eager:
        return
    countdown_max = settings.NOTIFICATIONS_COUNTDOWN_MAX_SECONDS
    short = {pk: delay for pk, delay in delays.items() if delay <= countdown_max}
    if not short:
        return
    if channel == Channel.SMS:
        notifications_enqueue(channel=channel, notification_ids=list(short), countdown=max(short.values()))
    else:
        for pk, delay in short.items():
            notifications_enqueue(channel=channel, notification_ids=[pk], countdown=delay)


def _sms_groups(rows: list[Notification]) -> list[tuple[str, list[Notification]]]:
    """Rows with the same text go in one provider request, each number at most once per request."""
    groups: list[tuple[str, list[Notification], set]] = []
    for row in rows:
        text = message_render_sms(template=row.template, context=row.context)
        for group_text, members, numbers in groups:
            if group_text == text and row.recipient not in numbers:
                members.append(row)
                numbers.add(row.recipient)
                break
        else:
            groups.append((text, [row], {row.recipient}))
    return [(text, members) for text, members, _ in groups]


def _deliver_sms(*, rows: list[Notification], token) -> dict:
    delays = {}
    renderable = []
    for row in rows:
        try:
            message_render_sms(template=row.template, context=row.context)
            renderable.append(row)
        except (TemplateDoesNotExist, TemplateSyntaxError) as exc:
            _record_failure(notification=row, token=token, error=f"template: {exc}", permanent=True)
    for text, group in _sms_groups(renderable):
        try:
            outcomes = sms_send(message=text, recipients=[row.recipient for row in group])
        except PermanentSendError as exc:
            outcomes = {row.recipient: SmsOutcome(False, error=str(exc), permanent=True) for row in group}
        except OutcomeUnknownSendError as exc:
            # Like a worker that died mid-send: failed, for an admin to retry knowingly, never resent by us.
            error = f"outcome_unknown: the provider did not answer ({exc}); not resent automatically"
            outcomes = {row.recipient: SmsOutcome(False, error=error, permanent=True) for row in group}
        except TransientSendError as exc:
            outcomes = {row.recipient: SmsOutcome(False, error=str(exc)) for row in group}
        for row in group:
            outcome = outcomes[row.recipient]
            if outcome.accepted:
                _record_sent(notification=row, token=token, provider_message_id=outcome.message_id)
            else:
                delay = _record_failure(
                    notification=row, token=token, error=outcome.error, permanent=outcome.permanent
                )
                if delay is not None:
                    delays[row.pk] = delay
    return delays


def _deliver_email(*, rows: list[Notification], token) -> dict:
    delays = {}
    domain = settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1].strip("> ") or "ordertrail.local"
    for row in rows:
        try:
            subject, text, html = message_render_email(template=row.template, context=row.context)
            message_id = email_send(
                recipient=row.recipient,
                subject=subject,
                text=text,
                html=html,
                message_id=f"<{row.pk}@{domain}>",
            )
        except (TemplateDoesNotExist, TemplateSyntaxError) as exc:
            _record_failure(notification=row, token=token, error=f"template: {exc}", permanent=True)
        except PermanentSendError as exc:
            _record_failure(notification=row, token=token, error=str(exc), permanent=True)
        except TransientSendError as exc:
            delay = _record_failure(notification=row, token=token, error=str(exc), permanent=False)
            if delay is not None:
                delays[row.pk] = delay
        else:
            _record_sent(notification=row, token=token, provider_message_id=message_id)
    return delays


def notifications_deliver(*, notification_ids: list) -> int:
    """Claim the due rows among `notification_ids`, send them, record each outcome. Returns rows claimed.

    Rows already sent, failed, claimed by another worker or not yet due are skipped.
    """
    token, rows = _claim(notification_ids=notification_ids)
    for channel, deliver in ((Channel.SMS, _deliver_sms), (Channel.EMAIL, _deliver_email)):
        mine = [row for row in rows if row.channel == channel]
        if mine:
            _schedule_retries(channel=channel, delays=deliver(rows=mine, token=token))
    return len(rows)


def notifications_sweep(*, limit: int = 2000) -> dict:
    """Fail rows whose claim outlived its lease (worker died mid-send: outcome unknown) and re-publish
    pending rows that have been due for a while with nobody working on them (broker was down, long wait).
    """
    now = timezone.now()
    lease = timedelta(seconds=settings.NOTIFICATIONS_SENDING_LEASE_SECONDS)
    stuck = Notification.objects.filter(status=NotificationStatus.PENDING, claimed_at__lt=now - lease).update(
        status=NotificationStatus.FAILED, claimed_at=None, last_error=OUTCOME_UNKNOWN, updated_at=now
    )
    grace = timedelta(seconds=settings.NOTIFICATIONS_SWEEP_GRACE_SECONDS)
    due = list(
        Notification.objects.filter(
            status=NotificationStatus.PENDING, claimed_at__isnull=True, next_attempt_at__lte=now - grace
        )
        .order_by("next_attempt_at")
        .values_list("pk", "channel", "broadcast_id")[:limit]
    )
    # Pushing next_attempt_at to now means a row is only re-published if it is still untouched a grace later.
    Notification.objects.filter(pk__in=[pk for pk, _, _ in due], claimed_at__isnull=True).update(
        next_attempt_at=now
    )
    batches: dict = {}
    for pk, channel, broadcast_id in due:
        if channel == Channel.SMS and broadcast_id is not None:
            batches.setdefault(broadcast_id, []).append(pk)
        else:
            notifications_enqueue(channel=channel, notification_ids=[pk])
    size = max(1, settings.NOTIFICATIONS_SMS_BATCH_SIZE)
    for ids in batches.values():
        for start in range(0, len(ids), size):
            notifications_enqueue(channel=Channel.SMS, notification_ids=ids[start : start + size])
    if stuck or due:
        logger.info("Sweeper: %s stuck row(s) failed, %s due row(s) re-published", stuck, len(due))
    return {"stuck": stuck, "requeued": len(due)}
