import json

from django.contrib import admin, messages
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
        "status",
        "attempts",
        "sent_at",
        "last_error_short",
    ]
    list_filter = ["status", "channel", "template"]
    search_fields = ["recipient", "provider_message_id", "order__order_number"]
    date_hierarchy = "created_at"
    actions = ["retry_failed"]
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
        "last_error",
        "sent_at",
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

    @admin.display(description="last error")
    def last_error_short(self, obj):
        return (obj.last_error[:80] + "…") if len(obj.last_error) > 80 else obj.last_error

    @admin.action(description="Retry selected failed notifications", permissions=["retry_notification"])
    def retry_failed(self, request, queryset):
        retried = 0
        for notification in queryset.filter(status=NotificationStatus.FAILED):
            try:
                notification_retry(notification=notification)
                retried += 1
            except ApiError:
                continue
        skipped = queryset.count() - retried
        self.message_user(
            request, f"{retried} notification(s) queued again; {skipped} skipped (not failed).", messages.INFO
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
