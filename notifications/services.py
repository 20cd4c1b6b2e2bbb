"""Writes on the outbox: queue a message with the change that caused it, retry a failed one, broadcast,
record the provider's delivery reports."""

import logging
from functools import partial

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from core.errors import DomainError

from .errors import NotificationError
from .models import Audience, Broadcast, Channel, DeliveryStatus, Notification, NotificationStatus
from .tasks import notifications_enqueue

logger = logging.getLogger(__name__)


def notification_create(
    *,
    channel: str,
    recipient: str,
    template: str,
    context: dict,
    order=None,
    broadcast=None,
) -> Notification:
    """Write one outbox row in the caller's transaction; its task is enqueued only once that commits."""
    notification = Notification.objects.create(
        channel=channel,
        recipient=recipient,
        template=template,
        context=context,
        order=order,
        broadcast=broadcast,
    )
    transaction.on_commit(partial(notifications_enqueue, channel=channel, notification_ids=[notification.pk]))
    return notification


def notifications_create_many(*, rows: list[dict], order=None) -> list[Notification]:
    """Write several outbox rows in the caller's transaction with one INSERT; one publish per channel on commit.

    `rows` are dicts of channel, recipient, template, context. Same semantics as `notification_create` for
    each row (committed with the change, never published before), at the cost of one statement.
    """
    notifications = Notification.objects.bulk_create([Notification(order=order, **row) for row in rows])
    by_channel: dict[str, list] = {}
    for notification in notifications:
        by_channel.setdefault(notification.channel, []).append(notification.pk)
    for channel, ids in by_channel.items():
        transaction.on_commit(partial(notifications_enqueue, channel=channel, notification_ids=ids))
    return notifications


def notification_retry(*, notification: Notification, force: bool = False) -> Notification:
    """Give a failed notification a fresh set of attempts (admin action). An `outcome_unknown` one may already
    have reached its recipient, so it is sent again only with `force`; anything else is a 409."""
    retryable = [NotificationStatus.FAILED]
    if force:
        retryable.append(NotificationStatus.OUTCOME_UNKNOWN)
    with transaction.atomic():
        updated = Notification.objects.filter(pk=notification.pk, status__in=retryable).update(
            status=NotificationStatus.PENDING,
            attempts=0,
            next_attempt_at=timezone.now(),
            claimed_at=None,
            claim_token=None,
            delivery_status=DeliveryStatus.NONE,
            delivery_reason="",
            delivery_reported_at=None,
            updated_at=timezone.now(),
        )
        if not updated:
            current = (
                Notification.objects.filter(pk=notification.pk)
                .values("status", "provider_message_id")
                .first()
            )
            if current and current["status"] == NotificationStatus.OUTCOME_UNKNOWN:
                provider_id = current["provider_message_id"]
                known = f"(provider id {provider_id})" if provider_id else "(no provider id known)"
                raise DomainError(
                    NotificationError.NOTIFICATION_OUTCOME_UNKNOWN,
                    f"The provider may already have sent this message {known}; retry with "
                    '{"force": true} to send it again anyway.',
                    extra={"provider_message_id": provider_id},
                )
            raise DomainError(
                NotificationError.NOTIFICATION_NOT_FAILED,
                "Only a failed notification can be retried.",
            )
        if notification.status == NotificationStatus.OUTCOME_UNKNOWN:
            logger.warning(
                "Notification %s (outcome unknown, provider id %r) forced to be sent again",
                notification.pk,
                notification.provider_message_id,
            )
        transaction.on_commit(
            partial(notifications_enqueue, channel=notification.channel, notification_ids=[notification.pk])
        )
    notification.refresh_from_db()
    return notification


# What an Africa's Talking delivery report's `status` means for us.
AT_DELIVERY_STATUSES = {
    "Sent": DeliveryStatus.IN_TRANSIT,  # handed to the network by Africa's Talking
    "Submitted": DeliveryStatus.IN_TRANSIT,  # handed to the mobile network operator
    "Buffered": DeliveryStatus.IN_TRANSIT,  # queued by the operator (phone off, out of coverage)
    "Success": DeliveryStatus.DELIVERED,  # on the handset (final)
    "Failed": DeliveryStatus.FAILED,  # could not reach the handset (final)
    "Rejected": DeliveryStatus.FAILED,  # refused by the operator (final)
}
_FINAL_DELIVERY = (DeliveryStatus.DELIVERED, DeliveryStatus.FAILED)


def delivery_report_record(
    *, provider_message_id: str, status: str, failure_reason: str = "", phone_number: str = ""
) -> Notification | None:
    """Record an Africa's Talking delivery report on the SMS with that provider message id; an
    `outcome_unknown` one is thereby known to have been sent. Returns None (and logs) for an unknown id.
    An interim report (sent, submitted, buffered) arriving after a final one does not replace it.
    """
    delivery = AT_DELIVERY_STATUSES[status]
    reason = failure_reason or (status if delivery == DeliveryStatus.FAILED else "")
    now = timezone.now()
    rows = Notification.objects.filter(channel=Channel.SMS, provider_message_id=provider_message_id)
    if delivery == DeliveryStatus.IN_TRANSIT:
        rows = rows.exclude(delivery_status__in=_FINAL_DELIVERY)
    changes = {
        "delivery_status": delivery,
        "delivery_reason": reason[:200],
        "delivery_reported_at": now,
        "updated_at": now,
    }
    with transaction.atomic():
        resolved = rows.filter(status=NotificationStatus.OUTCOME_UNKNOWN).update(
            status=NotificationStatus.SENT,
            sent_at=Coalesce(F("claimed_at"), Value(now)),
            claimed_at=None,
            last_error=f"outcome_unknown resolved: the provider reported it {status}",
            **changes,
        )
        rows.exclude(status=NotificationStatus.OUTCOME_UNKNOWN).update(**changes)
    notification = Notification.objects.filter(
        channel=Channel.SMS, provider_message_id=provider_message_id
    ).first()
    if notification is None:
        logger.warning(
            "Delivery report for an unknown message id %r (status %s); ignored", provider_message_id, status
        )
        return None
    if resolved:
        logger.info(
            "Notification %s: outcome_unknown resolved by a delivery report (%s)", notification.pk, status
        )
    if phone_number and phone_number != notification.recipient:
        logger.warning(
            "Delivery report for %s names %s, the row was sent to %s",
            provider_message_id,
            phone_number,
            notification.recipient,
        )
    return notification


def _audience_users(*, audience: str):
    users = get_user_model().objects.filter(is_active=True)
    if audience == Audience.ADMINS:
        return users.filter(is_staff=True)
    if audience == Audience.MERCHANTS:
        return users.filter(merchant__isnull=False, is_staff=False)
    return users.filter(account_type="customer", is_staff=False, merchant__isnull=True)


def broadcast_create(*, audience: str, channels: list[str], message: str, subject: str = "", created_by=None):
    """Queue a system alert to every active user of an audience. `recipients` counts the users reached
    on at least one channel. SMS go out in batches of
    NOTIFICATIONS_SMS_BATCH_SIZE numbers per Africa's Talking request.
    """
    from django.conf import settings

    context = {"subject": subject, "message": message}
    with transaction.atomic():
        broadcast = Broadcast.objects.create(
            audience=audience,
            channels=list(channels),
            subject=subject,
            message=message,
            created_by=created_by,
        )
        rows, reached = [], set()
        for channel in (Channel.SMS, Channel.EMAIL):
            if channel not in channels:
                continue
            field = "phone_number" if channel == Channel.SMS else "email"
            seen = set()
            for user_id, address in (
                _audience_users(audience=audience).exclude(**{field: ""}).values_list("id", field)
            ):
                address = str(address)
                if address in seen:
                    continue
                seen.add(address)
                reached.add(user_id)
                rows.append(
                    Notification(
                        channel=channel,
                        recipient=address,
                        template="broadcast",
                        context=context,
                        broadcast=broadcast,
                    )
                )
        Notification.objects.bulk_create(rows, batch_size=500)
        broadcast.recipients = len(reached)
        broadcast.save(update_fields=["recipients"])
        sms_ids = [row.pk for row in rows if row.channel == Channel.SMS]
        email_ids = [row.pk for row in rows if row.channel == Channel.EMAIL]
        size = max(1, settings.NOTIFICATIONS_SMS_BATCH_SIZE)
        for start in range(0, len(sms_ids), size):
            transaction.on_commit(
                partial(
                    notifications_enqueue, channel=Channel.SMS, notification_ids=sms_ids[start : start + size]
                )
            )
        if email_ids:
            transaction.on_commit(
                partial(notifications_enqueue, channel=Channel.EMAIL, notification_ids=email_ids)
            )
    return broadcast
