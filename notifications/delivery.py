"""The worker side of the outbox: claim rows, send them, record the outcome, sweep. Never touches the broker:
it returns its decisions (send now, retry at, given up) and tasks.py publishes what they call for.

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
from dataclasses import dataclass, field
from datetime import datetime, timedelta

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

logger = logging.getLogger(__name__)

# A countdown task may fire a little before `next_attempt_at` by the clocks of two machines.
DUE_TOLERANCE = timedelta(seconds=2)
OUTCOME_UNKNOWN = (
    "outcome_unknown: the worker stopped while the provider call was in flight; "
    "not resent automatically so that it cannot arrive twice"
)


@dataclass(frozen=True)
class Batch:
    """Rows of one channel to hand to a task now (one task per row, or one SMS batch task)."""

    channel: str
    notification_ids: list


@dataclass(frozen=True)
class Retry:
    """A row that failed an attempt and is due again at `at` (also written to its `next_attempt_at`)."""

    channel: str
    notification_id: uuid.UUID
    at: datetime


@dataclass
class Decisions:
    """What a delivery run or a sweep decided; the caller publishes `send_now` and schedules `retry_at`."""

    claimed: int = 0
    send_now: list[Batch] = field(default_factory=list)
    retry_at: list[Retry] = field(default_factory=list)
    gave_up: list = field(default_factory=list)
    stuck: int = 0


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


def _record_failure(
    *, notification: Notification, token, error: str, permanent: bool, decisions: Decisions
) -> None:
    """Record a failed attempt: the row is due again later (a `Retry` decision) or now `failed` (given up)."""
    now = timezone.now()
    final = permanent or notification.attempts >= settings.NOTIFICATIONS_MAX_ATTEMPTS
    changes = {"last_error": error[:2000], "claimed_at": None, "updated_at": now}
    if final:
        changes["status"] = NotificationStatus.FAILED
    else:
        changes["next_attempt_at"] = now + timedelta(seconds=retry_delay(attempts=notification.attempts))
    Notification.objects.filter(
        pk=notification.pk, claim_token=token, status=NotificationStatus.PENDING
    ).update(**changes)
    if final:
        decisions.gave_up.append(notification.pk)
        logger.warning(
            "Notification %s failed after %s attempt(s): %s", notification.pk, notification.attempts, error
        )
    else:
        decisions.retry_at.append(Retry(notification.channel, notification.pk, changes["next_attempt_at"]))


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


def _deliver_sms(*, rows: list[Notification], token, decisions: Decisions) -> None:
    renderable = []
    for row in rows:
        try:
            message_render_sms(template=row.template, context=row.context)
            renderable.append(row)
        except (TemplateDoesNotExist, TemplateSyntaxError) as exc:
            _record_failure(
                notification=row, token=token, error=f"template: {exc}", permanent=True, decisions=decisions
            )
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
                _record_failure(
                    notification=row,
                    token=token,
                    error=outcome.error,
                    permanent=outcome.permanent,
                    decisions=decisions,
                )


def _deliver_email(*, rows: list[Notification], token, decisions: Decisions) -> None:
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
            error, permanent = f"template: {exc}", True
        except PermanentSendError as exc:
            error, permanent = str(exc), True
        except TransientSendError as exc:
            error, permanent = str(exc), False
        else:
            _record_sent(notification=row, token=token, provider_message_id=message_id)
            continue
        _record_failure(notification=row, token=token, error=error, permanent=permanent, decisions=decisions)


def outbox_deliver(*, notification_ids: list) -> Decisions:
    """Claim the due rows among `notification_ids`, send them, record each outcome; returns what to retry.

    Rows already sent, failed, claimed by another worker or not yet due are skipped.
    """
    token, rows = _claim(notification_ids=notification_ids)
    decisions = Decisions(claimed=len(rows))
    for channel, deliver in ((Channel.SMS, _deliver_sms), (Channel.EMAIL, _deliver_email)):
        mine = [row for row in rows if row.channel == channel]
        if mine:
            deliver(rows=mine, token=token, decisions=decisions)
    return decisions


def outbox_sweep(*, limit: int = 2000) -> Decisions:
    """Fail rows whose claim outlived its lease (worker died mid-send: outcome unknown) and decide to send
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
    decisions = Decisions(stuck=stuck)
    batches: dict = {}
    for pk, channel, broadcast_id in due:
        if channel == Channel.SMS and broadcast_id is not None:
            batches.setdefault(broadcast_id, []).append(pk)
        else:
            decisions.send_now.append(Batch(channel, [pk]))
    size = max(1, settings.NOTIFICATIONS_SMS_BATCH_SIZE)
    for ids in batches.values():
        for start in range(0, len(ids), size):
            decisions.send_now.append(Batch(Channel.SMS, ids[start : start + size]))
    if stuck or due:
        logger.info("Sweeper: %s stuck row(s) failed, %s due row(s) to publish again", stuck, len(due))
    return decisions
