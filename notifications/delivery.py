"""The worker side of the outbox: claim rows, send them, record the outcome, sweep. Never touches the broker:
it returns its decisions (send now, retry at, given up) and tasks.py publishes what they call for.

Never sent twice: a worker first claims a row with a conditional UPDATE (pending, unclaimed, due -> `sending`)
that is committed before the provider is called, and records the outcome with another UPDATE guarded by its
claim token (outcomes.py, which also outlasts a database that is away). A second task for the same row
(duplicate publish, redelivery after a crash) finds it `sending` or `sent` and does nothing. If the worker dies
between the provider call and the record, the row stays `sending`; when its lease expires the sweeper marks it
`outcome_unknown` instead of sending it again, because neither Africa's Talking nor SMTP can tell us whether it
went out. An SMS request the provider received but did not answer (read timeout), or answered 2xx in a way
nobody can read, is `outcome_unknown` too. Only an admin's explicit `force` sends such a row again.
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

from core.queries import update_returning

from .messages import SENSITIVE_CONTEXT_KEYS, context_masked, message_render_email, message_render_sms
from .models import Channel, Notification, NotificationStatus
from .outcomes import Kind, Outcome, Recorder
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
    "outcome_unknown: still sending when its lease ran out (the worker stopped, or lost the database, while "
    "the provider call was in flight); not resent automatically so that it cannot arrive twice"
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
    """Take the due, unclaimed rows among `notification_ids` for this run (one conditional UPDATE, which
    also returns them); a row another worker claimed first is not among them."""
    now = timezone.now()
    token = uuid.uuid4()
    claimable = Notification.objects.filter(
        pk__in=notification_ids,
        status=NotificationStatus.PENDING,
        claimed_at__isnull=True,
        next_attempt_at__lte=now + DUE_TOLERANCE,
    )
    rows = update_returning(
        claimable,
        status=NotificationStatus.SENDING,
        claimed_at=now,
        claim_token=token,
        attempts=F("attempts") + 1,
        updated_at=now,
    )
    rows.sort(key=lambda row: row.created_at, reverse=True)  # the model's order
    return token, rows


class _Run:
    """One delivery run: its claim, its recorder, and the decisions it takes for the tasks to follow."""

    def __init__(self, *, token: uuid.UUID, claimed: int):
        self.token = token
        self.recorder = Recorder()
        self.decisions = Decisions(claimed=claimed)

    def _outcome(self, row: Notification, kind: Kind, **fields) -> Outcome:
        return Outcome(
            notification_id=str(row.pk),
            token=str(self.token),
            claimed_at=row.claimed_at,
            answered_at=timezone.now(),
            kind=kind,
            **fields,
        )

    def sent(self, row: Notification, *, provider_message_id: str, cost: str = "") -> None:
        context = context_masked(row.context) if SENSITIVE_CONTEXT_KEYS & set(row.context) else None
        self.recorder.record(
            self._outcome(row, Kind.SENT, provider_message_id=provider_message_id, cost=cost, context=context)
        )

    def unknown(self, row: Notification, *, error: str) -> None:
        """The provider may have sent it: never resent automatically (an admin may, with `force`)."""
        self.recorder.record(self._outcome(row, Kind.UNKNOWN, error=error))
        self.decisions.gave_up.append(row.pk)

    def failed(self, row: Notification, *, error: str, permanent: bool) -> None:
        """Nothing was sent: the row is due again later (a `Retry` decision) or `failed` (given up)."""
        if permanent or row.attempts >= settings.NOTIFICATIONS_MAX_ATTEMPTS:
            self.recorder.record(self._outcome(row, Kind.FAILED, error=error))
            self.decisions.gave_up.append(row.pk)
            logger.warning("Notification %s failed after %s attempt(s): %s", row.pk, row.attempts, error)
            return
        at = timezone.now() + timedelta(seconds=retry_delay(attempts=row.attempts))
        if self.recorder.record(self._outcome(row, Kind.RETRY, error=error, next_attempt_at=at)):
            self.decisions.retry_at.append(Retry(row.channel, row.pk, at))


def _sms_groups(texts: list[tuple[str, Notification]]) -> list[tuple[str, list[Notification]]]:
    """Rows with the same text go in one provider request, each number at most once per request."""
    groups: list[tuple[str, list[Notification], set]] = []
    for text, row in texts:
        for group_text, members, numbers in groups:
            if group_text == text and row.recipient not in numbers:
                members.append(row)
                numbers.add(row.recipient)
                break
        else:
            groups.append((text, [row], {row.recipient}))
    return [(text, members) for text, members, _ in groups]


def _deliver_sms(*, rows: list[Notification], run: _Run) -> None:
    texts = []
    for row in rows:
        try:
            texts.append((message_render_sms(template=row.template, context=row.context), row))
        except (TemplateDoesNotExist, TemplateSyntaxError) as exc:
            run.failed(row, error=f"template: {exc}", permanent=True)
    for text, group in _sms_groups(texts):
        try:
            outcomes = sms_send(message=text, recipients=[row.recipient for row in group])
        except OutcomeUnknownSendError as exc:
            for row in group:
                run.unknown(row, error=f"outcome_unknown: {exc}; not resent automatically")
            continue
        except PermanentSendError as exc:
            outcomes = {row.recipient: SmsOutcome(False, error=str(exc), permanent=True) for row in group}
        except TransientSendError as exc:
            outcomes = {row.recipient: SmsOutcome(False, error=str(exc)) for row in group}
        for row in group:
            outcome = outcomes[row.recipient]
            if outcome.accepted:
                run.sent(row, provider_message_id=outcome.message_id, cost=outcome.cost)
            else:
                run.failed(row, error=outcome.error, permanent=outcome.permanent)


def _deliver_email(*, rows: list[Notification], run: _Run) -> None:
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
            run.failed(row, error=f"template: {exc}", permanent=True)
        except PermanentSendError as exc:
            run.failed(row, error=str(exc), permanent=True)
        except TransientSendError as exc:
            run.failed(row, error=str(exc), permanent=False)
        else:
            run.sent(row, provider_message_id=message_id)


def outbox_deliver(*, notification_ids: list) -> Decisions:
    """Claim the due rows among `notification_ids`, send them, record each outcome; returns what to retry.

    Rows already sent, failed, claimed by another worker or not yet due are skipped.
    """
    token, rows = _claim(notification_ids=notification_ids)
    run = _Run(token=token, claimed=len(rows))
    for channel, deliver in ((Channel.SMS, _deliver_sms), (Channel.EMAIL, _deliver_email)):
        mine = [row for row in rows if row.channel == channel]
        if mine:
            deliver(rows=mine, run=run)
    return run.decisions


def outbox_sweep(*, limit: int = 2000) -> Decisions:
    """Mark `outcome_unknown` the rows still `sending` after their lease (the worker died or lost the database
    mid-send) and decide to send pending rows that have been due for a while with nobody working on them
    (broker was down, long wait).
    """
    now = timezone.now()
    lease = timedelta(seconds=settings.NOTIFICATIONS_SENDING_LEASE_SECONDS)
    # claimed_at stays: it tells since when the row's fate is unknown.
    stuck = Notification.objects.filter(status=NotificationStatus.SENDING, claimed_at__lt=now - lease).update(
        status=NotificationStatus.OUTCOME_UNKNOWN, last_error=OUTCOME_UNKNOWN, updated_at=now
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
        logger.info(
            "Sweeper: %s stuck row(s) outcome_unknown, %s due row(s) to publish again", stuck, len(due)
        )
    return decisions
