"""Reads on the outbox."""

from django.db.models import Count, Q, QuerySet

from .models import Broadcast, Notification, NotificationStatus


def notification_list(*, status: str | None = None, channel: str | None = None) -> QuerySet[Notification]:
    notifications = Notification.objects.all()
    if status:
        notifications = notifications.filter(status=status)
    if channel:
        notifications = notifications.filter(channel=channel)
    return notifications.order_by("-created_at", "-pk")


def notification_failed_count() -> int:
    """For the admin dashboard."""
    return Notification.objects.filter(status=NotificationStatus.FAILED).count()


def broadcast_list_with_counts() -> QuerySet[Broadcast]:
    """Broadcasts annotated with how many of their messages are pending, sent and failed."""
    return Broadcast.objects.annotate(
        total=Count("notifications"),
        pending=Count("notifications", filter=Q(notifications__status=NotificationStatus.PENDING)),
        sent=Count("notifications", filter=Q(notifications__status=NotificationStatus.SENT)),
        failed=Count("notifications", filter=Q(notifications__status=NotificationStatus.FAILED)),
    ).order_by("-created_at")
