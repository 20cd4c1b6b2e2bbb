"""Writes on the outbox: queue a message with the change that caused it, retry a failed one, broadcast."""

from functools import partial

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from core.errors import ApiError

from .errors import NotificationError
from .models import Audience, Broadcast, Channel, Notification, NotificationStatus
from .tasks import notifications_enqueue


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


def notification_retry(*, notification: Notification) -> Notification:
    """Give a failed notification a fresh set of attempts (admin action). Anything not failed is a 409."""
    with transaction.atomic():
        updated = Notification.objects.filter(pk=notification.pk, status=NotificationStatus.FAILED).update(
            status=NotificationStatus.PENDING,
            attempts=0,
            next_attempt_at=timezone.now(),
            claimed_at=None,
            claim_token=None,
            updated_at=timezone.now(),
        )
        if not updated:
            raise ApiError(
                NotificationError.NOTIFICATION_NOT_FAILED,
                "Only a failed notification can be retried.",
                status=409,
            )
        transaction.on_commit(
            partial(notifications_enqueue, channel=notification.channel, notification_ids=[notification.pk])
        )
    notification.refresh_from_db()
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
