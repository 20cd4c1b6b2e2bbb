"""Recording what a provider answered, whatever the database is doing meanwhile.

Every write is guarded by the claim token, so it lands on the attempt it describes and never on a later one.
When PostgreSQL refuses the write (restart, failover, network), the worker retries it for
NOTIFICATIONS_RECORD_RETRY_SECONDS, then keeps the outcome in the local journal (journal.py) and moves on;
the next tasks and sweeps on that machine replay the journal. An outcome replayed while the row's lease still
holds is recorded as it happened. Once the lease is over the sweeper may already have shown the row as
`outcome_unknown` and people may be acting on that, so the worker gives up claiming `sent`: the row stays
`outcome_unknown`, its reason says "provider accepted (id ...), outcome not recorded", and the id is kept in
`provider_message_id`, where the provider's delivery report can still resolve it.
"""

import contextlib
import logging
import time
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from .journal import journal_drop, journal_entries, journal_keep
from .models import Notification, NotificationStatus

logger = logging.getLogger(__name__)

# The database refused us: worth waiting for. Anything else (a constraint, a bug) is not.
UNAVAILABLE = (OperationalError, InterfaceError)
# The states an attempt can leave its row in before its outcome is written (the sweeper may have given up).
UNRECORDED = (NotificationStatus.SENDING, NotificationStatus.OUTCOME_UNKNOWN)


class Kind(StrEnum):
    SENT = "sent"  # the provider accepted it
    RETRY = "retry"  # nothing was sent; due again at `next_attempt_at`
    FAILED = "failed"  # nothing was sent, and retrying cannot help (or no attempts left)
    UNKNOWN = "unknown"  # the provider may have sent it


@dataclass(frozen=True)
class Outcome:
    """One attempt's result for one row, as the worker knows it after the provider call."""

    notification_id: str
    token: str
    claimed_at: datetime
    answered_at: datetime
    kind: Kind
    provider_message_id: str = ""
    cost: str = ""
    error: str = ""
    next_attempt_at: datetime | None = None
    context: dict | None = None  # the row's context with its secrets masked, written once it is sent

    def as_entry(self) -> dict:
        entry = asdict(self)
        for name in ("claimed_at", "answered_at", "next_attempt_at"):
            entry[name] = entry[name].isoformat() if entry[name] else None
        return entry

    @classmethod
    def from_entry(cls, entry: dict) -> "Outcome":
        dates = {
            name: parse_datetime(entry[name]) if entry.get(name) else None
            for name in ("claimed_at", "answered_at", "next_attempt_at")
        }
        return cls(**{**entry, **dates, "kind": Kind(entry["kind"])})


def not_recorded_reason(provider_message_id: str) -> str:
    return (
        f"outcome_unknown: provider accepted (id {provider_message_id or 'not given'}), outcome not recorded "
        "(the database was unavailable until the sending lease ran out); not resent automatically"
    )


def _is_late(outcome: Outcome) -> bool:
    """The row's lease ran out before its outcome could be written."""
    lease = timedelta(seconds=settings.NOTIFICATIONS_SENDING_LEASE_SECONDS)
    return timezone.now() > outcome.claimed_at + lease


def _apply(outcome: Outcome) -> int:
    """The guarded UPDATE that writes `outcome`; returns the rows written (0: a newer attempt took over)."""
    now = timezone.now()
    late = _is_late(outcome)
    rows = Notification.objects.filter(
        pk=outcome.notification_id, claim_token=outcome.token, status__in=UNRECORDED
    )
    if outcome.kind == Kind.SENT and late:
        return rows.update(
            status=NotificationStatus.OUTCOME_UNKNOWN,
            provider_message_id=outcome.provider_message_id[:128],
            provider_cost=outcome.cost,
            last_error=not_recorded_reason(outcome.provider_message_id),
            updated_at=now,
        )
    if outcome.kind == Kind.SENT:
        changes = {
            "status": NotificationStatus.SENT,
            "sent_at": outcome.answered_at,
            "provider_message_id": outcome.provider_message_id[:128],
            "provider_cost": outcome.cost,
            "last_error": "",
            "claimed_at": None,
            "updated_at": now,
        }
        if outcome.context is not None:
            changes["context"] = outcome.context
        return rows.update(**changes)
    error = outcome.error[:2000]
    if outcome.kind == Kind.RETRY:
        return rows.update(
            status=NotificationStatus.PENDING,
            next_attempt_at=outcome.next_attempt_at,
            last_error=error,
            claimed_at=None,
            updated_at=now,
        )
    if outcome.kind == Kind.FAILED:
        return rows.update(
            status=NotificationStatus.FAILED, last_error=error, claimed_at=None, updated_at=now
        )
    # Unknown: `claimed_at` stays, it tells when the call whose outcome nobody knows was made.
    return rows.update(status=NotificationStatus.OUTCOME_UNKNOWN, last_error=error, updated_at=now)


def _reconnect_later() -> None:
    """Drop a connection the database broke, so that the next query opens a new one."""
    with contextlib.suppress(DatabaseError):
        connection.close()


def _journal(outcome: Outcome) -> None:
    kept = journal_keep(key=f"{outcome.notification_id}-{outcome.token}", entry=outcome.as_entry())
    what = (
        f"provider accepted (id {outcome.provider_message_id or 'not given'})"
        if outcome.kind == Kind.SENT
        else f"outcome {outcome.kind}"
    )
    logger.error(
        "Notification %s: %s, outcome not recorded: the database is unavailable; %s",
        outcome.notification_id,
        what,
        "kept in the local journal" if kept else "the journal could not be written either",
    )


class Recorder:
    """Writes the outcomes of one delivery run. Once the database has refused writes for
    NOTIFICATIONS_RECORD_RETRY_SECONDS, the rest of the run goes to the journal without waiting again.
    """

    def __init__(self):
        self.deadline: float | None = None
        self.journaling = False

    def record(self, outcome: Outcome) -> bool:
        """True when the outcome is in the database, False when it waits in the journal."""
        pause = 0.25
        while not self.journaling:
            try:
                _apply(outcome)
                return True
            except UNAVAILABLE:
                if connection.in_atomic_block:  # nothing to reconnect inside a transaction
                    raise
                now = time.monotonic()
                if self.deadline is None:
                    self.deadline = now + settings.NOTIFICATIONS_RECORD_RETRY_SECONDS
                    logger.warning(
                        "Database unavailable while recording notification %s; retrying for %ss",
                        outcome.notification_id,
                        settings.NOTIFICATIONS_RECORD_RETRY_SECONDS,
                    )
                if now >= self.deadline:
                    self.journaling = True
                    break
                _reconnect_later()
                time.sleep(min(pause, self.deadline - now))
                pause = min(pause * 2, 2.0)
        _journal(outcome)
        return False


def outcomes_replay() -> int:
    """Write the outcomes this machine's journal holds, oldest first; stops at the first refusal of the
    database. Returns how many entries were settled (written, or found overtaken by a newer attempt)."""
    entries = journal_entries()
    settled = 0
    for path, entry in entries:
        try:
            outcome = Outcome.from_entry(entry)
        except (KeyError, TypeError, ValueError):
            logger.exception("Outbox journal entry %s is not an outcome; left for a human", path)
            continue
        late = _is_late(outcome)
        try:
            written = _apply(outcome)
        except UNAVAILABLE:
            if not connection.in_atomic_block:
                _reconnect_later()
            logger.info("Database still unavailable; %s journaled outcome(s) wait", len(entries) - settled)
            break
        journal_drop(path)
        settled += 1
        logger.warning(
            "Notification %s: journaled outcome %s %s",
            outcome.notification_id,
            outcome.kind,
            ("recorded late, as outcome_unknown" if late and outcome.kind == Kind.SENT else "recorded")
            if written
            else "overtaken by a newer attempt; dropped",
        )
    return settled
