"""Django admin for orders: read-mostly; every status change goes through `order_status_report`, every
payment status change through `order_payment_report`."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.utils import quote
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from core.admin_filters import AutocompleteFilter, AutocompleteFilterMedia
from core.errors import DomainError
from core.pagination import EstimatedCountPaginator
from core.phone import phone_search_term

from .lifecycle import TRANSITIONS, OrderStatus, status_label
from .limits import PAYMENT_REFERENCE_MAX_LENGTH
from .models import EventSource, Order, OrderEvent, OrderItem, OrderSource, TrackingEvent
from .payments import PaymentStatus
from .services import order_payment_report, order_status_report


class OrderItemInline(admin.TabularInline):
    model = OrderItem
    fields = ["product", "sku", "name", "quantity", "unit_price", "line_total"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class _HistoryInline(admin.TabularInline):
    """An order's history, oldest first: written by the services only, never edited here."""

    ordering = ["occurred_at", "id"]
    extra = 0
    can_delete = False

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class TrackingEventInline(_HistoryInline):
    model = TrackingEvent
    fields = ["occurred_at", "status", "location", "note", "source", "actor"]


class OrderEventInline(_HistoryInline):
    model = OrderEvent
    verbose_name_plural = "Payment and delivery estimate history"
    fields = [
        "occurred_at",
        "type",
        "payment_status",
        "reference",
        "estimated_delivery",
        "note",
        "source",
        "actor",
    ]


class SetStatusForm(forms.Form):
    status = forms.ChoiceField(choices=OrderStatus.choices)
    location = forms.CharField(max_length=200, required=False)
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)


class OrderStatusForm(forms.Form):
    """The order page's status form: only the moves the lifecycle allows from where the order is."""

    status = forms.ChoiceField(label="Move to")
    location = forms.CharField(max_length=200, required=False)
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args, order: Order, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [(s, status_label(s)) for s in TRANSITIONS[order.status]]


class SetPaymentStatusForm(forms.Form):
    payment_status = forms.ChoiceField(choices=PaymentStatus.choices)
    reference = forms.CharField(
        max_length=PAYMENT_REFERENCE_MAX_LENGTH, required=False, help_text="E.g. an M-Pesa receipt number."
    )


# The bulk actions: what each asks for, says and does to one order.
ACTIONS = {
    "set_status": {
        "form": SetStatusForm,
        "title": "Change order status",
        "intro": "Each order moves only where its lifecycle allows; the others are reported and left as they are.",
        "submit": "Change status",
        "done": "{n} order(s) moved to {status}.",
        "apply": order_status_report,
    },
    "set_payment_status": {
        "form": SetPaymentStatusForm,
        "title": "Record payment status",
        "intro": "Each order's payment moves only where the payment rules allow (no refund before a "
        "payment); the others are reported and left as they are.",
        "submit": "Record payment status",
        "done": "{n} order(s) now {payment_status}.",
        "apply": order_payment_report,
    },
}


@admin.register(Order)
class OrderAdmin(AutocompleteFilterMedia, admin.ModelAdmin):
    # What an operator scans for first; the customer, the codes and the bookkeeping are on the order's page.
    list_display = ["order_number", "status", "payment_status", "merchant", "total", "source", "created_at"]
    # A million rows (issue 18): no date hierarchy (it reads the distinct years and months of every row), a
    # date filter instead; counts estimated above 10,000; every filter and the search go through an index.
    list_filter = [
        "status",
        "payment_status",
        "source",
        ("merchant", AutocompleteFilter),  # thousands of merchants: typed, not listed
        ("created_at", admin.DateFieldListFilter),
    ]
    list_select_related = ["merchant"]
    search_fields = ["order_number", "tracking_code", "external_id", "customer_name", "email", "phone_number"]
    paginator = EstimatedCountPaginator
    show_full_result_count = False
    inlines = [OrderItemInline, TrackingEventInline, OrderEventInline]
    actions = ["set_status", "set_payment_status"]
    change_form_template = "admin/orders/order/change_form.html"
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
        "payment_status",
        "estimated_delivery",
        "language",
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
                    "estimated_delivery",
                ]
            },
        ),
        (
            "Customer",
            {
                "fields": [
                    "customer",
                    "customer_name",
                    "phone_number",
                    "email",
                    "shipping_address",
                    "note",
                    "language",
                ]
            },
        ),
        ("Money", {"fields": ["total_amount", "currency", "payment_status"]}),
        ("Bookkeeping", {"fields": ["idempotency_key", "stock_restored", "created_at", "updated_at"]}),
    ]

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or obj.source != OrderSource.WEBHOOK:
            return fieldsets
        # A platform's order never took our stock, so none is ever restored: the flag would only mislead.
        return [
            (name, {**options, "fields": [f for f in options["fields"] if f != "stock_restored"]})
            for name, options in fieldsets
        ]

    def get_urls(self):
        status = self.admin_site.admin_view(self.status_view)
        return [path("<uuid:order_id>/status/", status, name="orders_order_status"), *super().get_urls()]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        order = Order.objects.filter(pk=object_id).first() if object_id else None
        extra = {}
        if order is not None:
            extra = {
                "status_form": OrderStatusForm(order=order) if TRANSITIONS[order.status] else None,
                "status_url": reverse("admin:orders_order_status", args=[quote(order.pk)]),
                "can_change_status": self.has_change_permission(request, order),
                "tracking_url": reverse("track-page", args=[order.tracking_code]),
            }
        return super().change_view(request, object_id, form_url, {**extra, **(extra_context or {})})

    def status_view(self, request, order_id):
        """The order page's status form, posted: one status change through `order_status_report` (its
        timeline row, its signal, one notification), or the lifecycle's refusal as a message."""
        order = get_object_or_404(Order, pk=order_id)
        if request.method != "POST" or not self.has_change_permission(request, order):
            raise PermissionDenied
        page = reverse("admin:orders_order_change", args=[quote(order.pk)])
        form = OrderStatusForm(request.POST, order=order)
        if not form.is_valid():
            self.message_user(request, f"Not moved: {form.errors.as_text()}", level=messages.ERROR)
            return redirect(page)
        try:
            order_status_report(
                order=order, actor=request.user, source=EventSource.ADMIN, **form.cleaned_data
            )
        except DomainError as error:
            self.message_user(request, str(error.detail), level=messages.ERROR)
            return redirect(page)
        self.log_change(request, order, f"Status changed to {form.cleaned_data['status']}.")
        self.message_user(
            request, f"{order.order_number} moved to {status_label(form.cleaned_data['status'])}."
        )
        return redirect(page)

    def get_search_results(self, request, queryset, search_term):
        """The order number and tracking code match exactly (their unique indexes); the other fields contain
        the whole term (a trigram index, orders migration 0005), so one index scan each, no table scan. A phone
        number is also looked for as stored, in E.164."""
        term = search_term.strip()
        if not term:
            return queryset, False
        code = term.upper()
        matches = Q(order_number=code) | Q(tracking_code=code)
        for field in ("external_id", "customer_name", "email", "phone_number"):
            matches |= Q(**{f"{field}__icontains": term})
        # `0712 345 678` or `712345678` as stored (E.164), through the same trigram index
        phone = phone_search_term(term)
        if phone and phone != term:
            matches |= Q(phone_number__icontains=phone)
        return queryset.filter(matches), False

    @admin.display(description="total", ordering="total_amount")
    def total(self, obj):
        return f"{obj.total_amount:,} {obj.currency}"

    # Orders are born through order_place / order_create_external only, and are records worth keeping.
    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description="Change status of selected orders…", permissions=["change"])
    def set_status(self, request, queryset):
        return self._report_on_each(request, queryset, "set_status")

    @admin.action(description="Record payment status of selected orders…", permissions=["change"])
    def set_payment_status(self, request, queryset):
        return self._report_on_each(request, queryset, "set_payment_status")

    def _report_on_each(self, request, queryset, action: str):
        """Ask for what to report (an intermediate page), then report it on each selected order through its
        service; an order the rules refuse is named with the reason and left as it is."""
        spec = ACTIONS[action]
        form = spec["form"](request.POST if "apply" in request.POST else None)
        if "apply" in request.POST and form.is_valid():
            applied, refused = 0, []
            for order in queryset.order_by("created_at"):
                try:
                    spec["apply"](
                        order=order, actor=request.user, source=EventSource.ADMIN, **form.cleaned_data
                    )
                    applied += 1
                except DomainError as error:
                    refused.append(f"{order.order_number}: {error.detail}")
            if applied:
                self.message_user(request, spec["done"].format(n=applied, **form.cleaned_data))
            for reason in refused:
                self.message_user(request, reason, level=messages.WARNING)
            return None
        return TemplateResponse(
            request,
            "admin/orders/order/set_status.html",
            {
                **self.admin_site.each_context(request),
                "title": spec["title"],
                "intro": spec["intro"],
                "submit": spec["submit"],
                "action": action,
                "opts": self.model._meta,
                "orders": queryset,
                "form": form,
                "action_checkbox_name": ACTION_CHECKBOX_NAME,
            },
        )
