import json

from django.contrib import admin, messages
from django.utils import timezone
from django.utils.html import format_html

from core.errors import ApiError

from .messages import context_masked
from .models import Broadcast, Notification, NotificationStatus
from .selectors import broadcast_list_with_counts
from .services import notification_retry


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = [
        "created_at",
        "channel",
        "template",
        "recipient",
        "send_status",
        "delivery",
        "attempts",
        "provider_message_id",
        "sent_at",
        "last_error_short",
    ]
    # `status` offers every state as its own filter: sending, outcome_unknown, ...
    list_filter = ["status", "delivery_status", "channel", "template"]
    search_fields = ["recipient", "provider_message_id", "order__order_number"]
    date_hierarchy = "created_at"
    actions = ["retry_failed", "force_retry_outcome_unknown"]
    list_select_related = ["order"]
    fields = [
        "id",
        "channel",
        "recipient",
        "template",
        "masked_context",
        "status",
        "attempts",
        "next_attempt_at",
        "claimed_at",
        "provider_message_id",
        "provider_cost",
        "last_error",
        "sent_at",
        "delivery_status",
        "delivery_reason",
        "delivery_reported_at",
        "order",
        "broadcast",
        "created_at",
        "updated_at",
    ]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # the outbox is the record of what was sent to whom

    def has_retry_notification_permission(self, request):
        return request.user.has_perm("notifications.retry_notification")

    @admin.display(description="context")
    def masked_context(self, obj):
        return format_html(
            "<pre>{}</pre>", json.dumps(context_masked(obj.context), indent=2, ensure_ascii=False)
        )

    @admin.display(description="send status", ordering="status")
    def send_status(self, obj):
        if obj.status == NotificationStatus.SENDING and obj.claimed_at:
            return f"sending since {timezone.localtime(obj.claimed_at):%Y-%m-%d %H:%M:%S %Z}"
        return obj.get_status_display()

    @admin.display(description="delivery", ordering="delivery_status")
    def delivery(self, obj):
        if not obj.delivery_status:
            return "-"
        label = obj.get_delivery_status_display()
        return f"{label}: {obj.delivery_reason}" if obj.delivery_reason else label

    @admin.display(description="last error")
    def last_error_short(self, obj):
        return (obj.last_error[:80] + "…") if len(obj.last_error) > 80 else obj.last_error

    def _retry(self, queryset, *, status: str, force: bool) -> tuple[int, int]:
        """Retry the selected rows in `status`; returns (retried, skipped)."""
        retried = 0
        for notification in queryset.filter(status=status):
            try:
                notification_retry(notification=notification, force=force)
                retried += 1
            except ApiError:
                continue
        return retried, queryset.count() - retried

    @admin.action(description="Retry selected failed notifications", permissions=["retry_notification"])
    def retry_failed(self, request, queryset):
        retried, skipped = self._retry(queryset, status=NotificationStatus.FAILED, force=False)
        self.message_user(
            request, f"{retried} notification(s) queued again; {skipped} skipped (not failed).", messages.INFO
        )

    @admin.action(
        description="Send selected outcome-unknown notifications again (they may arrive twice)",
        permissions=["retry_notification"],
    )
    def force_retry_outcome_unknown(self, request, queryset):
        retried, skipped = self._retry(queryset, status=NotificationStatus.OUTCOME_UNKNOWN, force=True)
        self.message_user(
            request,
            f"{retried} notification(s) of unknown outcome queued again; {skipped} skipped (not outcome "
            "unknown).",
            messages.WARNING,
        )


@admin.register(Broadcast)
class BroadcastAdmin(admin.ModelAdmin):
    list_display = [
        "created_at",
        "audience",
        "channels",
        "subject",
        "recipients",
        "sent",
        "failed",
        "outcome_unknown",
        "pending",
    ]
    list_filter = ["audience"]
    readonly_fields = [
        "id",
        "audience",
        "channels",
        "subject",
        "message",
        "recipients",
        "created_by",
        "created_at",
    ]
    fields = readonly_fields

    def get_queryset(self, request):
        return broadcast_list_with_counts()

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(ordering="sent")
    def sent(self, obj):
        return obj.sent

    @admin.display(ordering="failed")
    def failed(self, obj):
        return obj.failed

    @admin.display(ordering="pending")
    def pending(self, obj):
        return obj.pending

    @admin.display(ordering="outcome_unknown", description="outcome unknown")
    def outcome_unknown(self, obj):
        return obj.outcome_unknown
