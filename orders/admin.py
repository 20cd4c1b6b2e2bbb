"""Django admin for orders: read-mostly; every status change goes through `order_status_report`."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.db.models import Q
from django.template.response import TemplateResponse

from core.errors import ApiError
from core.pagination import EstimatedCountPaginator

from .lifecycle import OrderStatus
from .models import EventSource, Order, OrderItem, TrackingEvent
from .services import order_status_report


class OrderItemInline(admin.TabularInline):
    model = OrderItem
    fields = ["product", "sku", "name", "quantity", "unit_price", "line_total"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class TrackingEventInline(admin.TabularInline):
    model = TrackingEvent
    fields = ["occurred_at", "status", "location", "note", "source", "actor"]
    readonly_fields = fields
    ordering = ["occurred_at", "id"]
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class SetStatusForm(forms.Form):
    status = forms.ChoiceField(choices=OrderStatus.choices)
    location = forms.CharField(max_length=200, required=False)
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    list_display = [
        "order_number",
        "status",
        "merchant",
        "customer_name",
        "total_amount",
        "currency",
        "source",
    ]
    # A million rows (issue 18): no date hierarchy (it reads the distinct years and months of every row), a
    # date filter instead; counts estimated above 10,000; every filter and the search go through an index.
    list_filter = ["status", "source", "merchant", ("created_at", admin.DateFieldListFilter)]
    list_select_related = ["merchant"]
    search_fields = ["order_number", "tracking_code", "external_id", "customer_name", "email", "phone_number"]
    paginator = EstimatedCountPaginator
    show_full_result_count = False
    inlines = [OrderItemInline, TrackingEventInline]
    actions = ["set_status"]
    readonly_fields = [
        "id",
        "order_number",
        "tracking_code",
        "status",
        "merchant",
        "customer",
        "source",
        "external_id",
        "currency",
        "total_amount",
        "idempotency_key",
        "stock_restored",
        "created_at",
        "updated_at",
    ]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "id",
                    "order_number",
                    "tracking_code",
                    "status",
                    "merchant",
                    "source",
                    "external_id",
                ]
            },
        ),
        (
            "Customer",
            {"fields": ["customer", "customer_name", "phone_number", "email", "shipping_address", "note"]},
        ),
        ("Money", {"fields": ["total_amount", "currency"]}),
        ("Bookkeeping", {"fields": ["idempotency_key", "stock_restored", "created_at", "updated_at"]}),
    ]

    def get_search_results(self, request, queryset, search_term):
        """The order number and tracking code match exactly (their unique indexes); the other fields contain
        the whole term (a trigram index, orders migration 0005), so one index scan each, no table scan."""
        term = search_term.strip()
        if not term:
            return queryset, False
        code = term.upper()
        matches = Q(order_number=code) | Q(tracking_code=code)
        for field in ("external_id", "customer_name", "email", "phone_number"):
            matches |= Q(**{f"{field}__icontains": term})
        return queryset.filter(matches), False

    # Orders are born through order_place / order_create_external only, and are records worth keeping.
    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description="Change status of selected orders…", permissions=["change"])
    def set_status(self, request, queryset):
        form = SetStatusForm(request.POST if "apply" in request.POST else None)
        if "apply" in request.POST and form.is_valid():
            moved, refused = 0, []
            for order in queryset.order_by("created_at"):
                try:
                    order_status_report(
                        order=order,
                        status=form.cleaned_data["status"],
                        location=form.cleaned_data["location"],
                        note=form.cleaned_data["note"],
                        actor=request.user,
                        source=EventSource.ADMIN,
                    )
                    moved += 1
                except ApiError as error:
                    refused.append(f"{order.order_number}: {error.detail}")
            if moved:
                self.message_user(request, f"{moved} order(s) moved to {form.cleaned_data['status']}.")
            for reason in refused:
                self.message_user(request, reason, level=messages.WARNING)
            return None
        return TemplateResponse(
            request,
            "admin/orders/order/set_status.html",
            {
                **self.admin_site.each_context(request),
                "title": "Change order status",
                "opts": self.model._meta,
                "orders": queryset,
                "form": form,
                "action_checkbox_name": ACTION_CHECKBOX_NAME,
            },
        )
