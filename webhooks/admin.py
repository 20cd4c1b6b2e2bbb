from django.contrib import admin

from .models import WebhookDelivery


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    """Read-only: a delivery is evidence of what a platform sent and what we answered."""

    list_display = [
        "received_at",
        "merchant",
        "webhook_id",
        "event_type",
        "status_code",
        "error_code",
        "applied",
    ]
    list_filter = ["status_code", "error_code", "event_type", "applied"]
    search_fields = ["webhook_id", "merchant__company_name", "order__order_number"]
    date_hierarchy = "received_at"
    list_select_related = ["merchant"]
    raw_id_fields = ["merchant", "order"]

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
