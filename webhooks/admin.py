import json
from datetime import timedelta

from django.contrib import admin
from django.db.models import Q, Subquery
from django.utils import timezone
from django.utils.html import format_html

from core.admin_filters import AutocompleteFilter, AutocompleteFilterMedia
from core.pagination import EstimatedCountPaginator
from orders.models import Order

from .events import EVENT_HANDLERS
from .models import WebhookDelivery, WebhookRejectedDrop

# What the endpoint answers (docs/webhooks.md); listed here so the filter needs no DISTINCT over every row.
ANSWER_STATUSES = (200, 201, 400, 401, 403, 404, 409, 413, 415, 429)


class StatusCodeFilter(admin.SimpleListFilter):
    title = "status code"
    parameter_name = "status_code"

    def lookups(self, request, model_admin):
        return [(str(code), str(code)) for code in ANSWER_STATUSES]

    def queryset(self, request, queryset):
        return queryset.filter(status_code=self.value()) if self.value() else queryset


class AnswerFilter(admin.SimpleListFilter):
    """Accepted (2xx) or refused (4xx, 5xx): through the status code's index."""

    title = "answer"
    parameter_name = "answer"

    def lookups(self, request, model_admin):
        return [("accepted", "Accepted"), ("refused", "Refused")]

    def queryset(self, request, queryset):
        if self.value() == "accepted":
            return queryset.filter(status_code__lt=400)
        if self.value() == "refused":
            return queryset.filter(status_code__gte=400)
        return queryset


class ReceivedWithinFilter(admin.SimpleListFilter):
    """A rolling window (the dashboard's "last 24 h"), unlike the date filter's calendar days."""

    title = "received within"
    parameter_name = "received_within"
    WINDOWS = {"1h": timedelta(hours=1), "24h": timedelta(hours=24), "7d": timedelta(days=7)}

    def lookups(self, request, model_admin):
        return [("1h", "Last hour"), ("24h", "Last 24 hours"), ("7d", "Last 7 days")]

    def queryset(self, request, queryset):
        window = self.WINDOWS.get(self.value())
        return queryset.filter(received_at__gte=timezone.now() - window) if window else queryset


class EventTypeFilter(admin.SimpleListFilter):
    title = "event type"
    parameter_name = "event_type"

    def lookups(self, request, model_admin):
        return [(event, event) for event in sorted(EVENT_HANDLERS)]

    def queryset(self, request, queryset):
        return queryset.filter(event_type=self.value()) if self.value() else queryset


class ErrorCodeFilter(admin.SimpleListFilter):
    """The error codes found among the refused deliveries (read through their partial index, not every row)."""

    title = "error code"
    parameter_name = "error_code"

    def lookups(self, request, model_admin):
        codes = (
            WebhookDelivery.objects.exclude(error_code="").order_by("error_code").values_list("error_code")
        )
        return [(code, code) for (code,) in codes.distinct()]

    def queryset(self, request, queryset):
        return queryset.filter(error_code=self.value()) if self.value() else queryset


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(AutocompleteFilterMedia, admin.ModelAdmin):
    """Read-only: a delivery is evidence of what a platform sent and what we answered."""

    # What was answered first, and the webhook-id the platform and the operator share; the headers and the
    # body are on the delivery's page.
    list_display = [
        "received_at",
        "merchant",
        "webhook_id",
        "event_type",
        "status_code",
        "error_code",
        "applied",
    ]
    # Hundreds of thousands of rows (issue 18): filters that need no scan to be listed, a date filter instead
    # of the date hierarchy (distinct years and months of every row), counts estimated above 10,000, and
    # exact-match search; every filter and the search go through an index.
    list_filter = [
        AnswerFilter,
        ReceivedWithinFilter,
        ("merchant", AutocompleteFilter),
        StatusCodeFilter,
        ErrorCodeFilter,
        EventTypeFilter,
        "applied",
        ("received_at", admin.DateFieldListFilter),
    ]
    search_fields = ["webhook_id", "merchant__company_name", "order__order_number"]
    list_select_related = ["merchant"]
    raw_id_fields = ["merchant", "order"]
    paginator = EstimatedCountPaginator
    show_full_result_count = False

    def get_search_results(self, request, queryset, search_term):
        """A webhook-id or an order number matched exactly, or a merchant by part of its name: the few
        merchants and the one order are looked up first, so the deliveries come through their indexes."""
        term = search_term.strip()
        if not term:
            return queryset, False
        Merchant = WebhookDelivery._meta.get_field("merchant").related_model
        merchants = Merchant.objects.filter(company_name__icontains=term).values_list("pk", flat=True)
        order = Order.objects.filter(order_number=term.upper()).values("pk")[:1]
        matches = Q(webhook_id=term) | Q(merchant_id__in=list(merchants[:100])) | Q(order=Subquery(order))
        return queryset.filter(matches), False

    def get_fields(self, request, obj=None):
        fields = [field.name for field in self.model._meta.fields]
        fields[fields.index("body")] = "pretty_body"
        fields[fields.index("response_body")] = "pretty_response_body"
        return fields

    def get_readonly_fields(self, request, obj=None):
        return self.get_fields(request, obj)

    @staticmethod
    def _pretty(value) -> str:
        if isinstance(value, str):
            try:
                value = json.loads(value)
            except ValueError:  # not JSON (or cut at 2 KB): shown as it came
                return format_html('<pre class="webhook-body">{}</pre>', value)
        return format_html(
            '<pre class="webhook-body">{}</pre>', json.dumps(value, indent=2, ensure_ascii=False)
        )

    @admin.display(description="body")
    def pretty_body(self, obj):
        return self._pretty(obj.body)

    @admin.display(description="response body")
    def pretty_response_body(self, obj):
        return self._pretty(obj.response_body) if obj.response_body is not None else "-"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(WebhookRejectedDrop)
class WebhookRejectedDropAdmin(admin.ModelAdmin):
    """Per merchant and minute: unverified deliveries answered but not recorded (the recording cap was reached).

    A non-zero row is a flood at that merchant's webhook URL; its recorded sample is in the deliveries.
    """

    list_display = ["minute", "merchant", "dropped"]
    list_select_related = ["merchant"]
    raw_id_fields = ["merchant"]
    list_filter = [("minute", admin.DateFieldListFilter)]
    search_fields = ["merchant__company_name"]

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
