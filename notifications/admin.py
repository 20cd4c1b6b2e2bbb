import json
from pathlib import Path

from django.contrib import admin, messages
from django.db.models import Q, Subquery
from django.utils import timezone
from django.utils.html import format_html

from core.errors import DomainError
from core.pagination import EstimatedCountPaginator
from core.phone import phone_search_term
from orders.models import Order

from .messages import context_masked, message_render_email, message_render_sms
from .models import Broadcast, Notification, NotificationStatus
from .selectors import broadcast_list_with_counts
from .services import notification_retry

TEMPLATES = Path(__file__).resolve().parent / "templates" / "notifications"


def notification_templates() -> list[str]:
    """The template keys this code can send, from the message templates on disk (no query): the
    language-neutral ones (`sms/`, `email/`) and those written per language (`<lang>/sms/`, `<lang>/email/`)."""
    keys = set()
    for pattern in ("sms/*.txt", "email/*.txt", "*/sms/*.txt", "*/email/*.txt"):
        for path in TEMPLATES.glob(pattern):
            keys.add(path.name.split(".")[0])
    return sorted(keys)


class TemplateFilter(admin.SimpleListFilter):
    title = "template"
    parameter_name = "template"

    def lookups(self, request, model_admin):
        return [(key, key) for key in notification_templates()]

    def queryset(self, request, queryset):
        return queryset.filter(template=self.value()) if self.value() else queryset


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    # The state and the error first; attempts, the provider's id and the times are on the message's page.
    list_display = ["created_at", "channel", "template", "recipient", "send_status", "delivery", "error"]
    # `status` offers every state as its own filter (sending, outcome_unknown, ...). Millions of rows (issue 18):
    # a date filter instead of the date hierarchy (which reads the distinct years and months of every row),
    # templates listed from the code instead of a DISTINCT over the table, counts estimated above 10,000,
    # exact-match search; every filter and the search go through an index.
    list_filter = [
        "status",
        "delivery_status",
        "channel",
        TemplateFilter,
        ("created_at", admin.DateFieldListFilter),
    ]
    search_fields = ["recipient", "provider_message_id", "order__order_number"]
    paginator = EstimatedCountPaginator
    show_full_result_count = False
    actions = ["retry_failed", "force_retry_outcome_unknown"]
    list_select_related = ["order"]
    fields = [
        "id",
        "channel",
        "recipient",
        "template",
        "rendered_text",
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

    def get_search_results(self, request, queryset, search_term):
        """A recipient (any case; a phone number in any of its local spellings), a provider message id or an
        order number, matched exactly: each through its index; the order is looked up first (one row), so its notifications come by their order_id."""
        term = search_term.strip()
        if not term:
            return queryset, False
        order = Order.objects.filter(order_number=term.upper()).values("pk")[:1]
        # an SMS recipient typed as `0712 345 678` or `712345678` is stored as +254712345678
        recipient = phone_search_term(term) or term
        matches = (
            Q(recipient__iexact=recipient)
            # Spelled out so that the partial index on non-blank provider ids applies.
            | (Q(provider_message_id=term) & ~Q(provider_message_id=""))
            | Q(order=Subquery(order))
        )
        return queryset.filter(matches), False

    @admin.display(description="context")
    def masked_context(self, obj):
        return format_html(
            "<pre>{}</pre>", json.dumps(context_masked(obj.context), indent=2, ensure_ascii=False)
        )

    @admin.display(description="text")
    def rendered_text(self, obj):
        """The message as the current templates render it from its context (secrets masked)."""
        context = context_masked(obj.context)
        try:
            if obj.channel == "sms":
                return format_html(
                    '<pre class="message-text">{}</pre>',
                    message_render_sms(template=obj.template, context=context),
                )
            subject, text, _html = message_render_email(template=obj.template, context=context)
        except Exception as error:  # noqa: BLE001 - a template gone or a context it cannot read: say so
            return f"(cannot be rendered: {type(error).__name__}: {error})"
        return format_html(
            '<p><strong>Subject:</strong> {}</p><pre class="message-text">{}</pre>', subject, text
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
    def error(self, obj):
        return (obj.last_error[:80] + "…") if len(obj.last_error) > 80 else obj.last_error

    def _retry(self, queryset, *, status: str, force: bool) -> tuple[int, int]:
        """Retry the selected rows in `status`; returns (retried, skipped)."""
        retried = 0
        for notification in queryset.filter(status=status):
            try:
                notification_retry(notification=notification, force=force)
                retried += 1
            except DomainError:
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
