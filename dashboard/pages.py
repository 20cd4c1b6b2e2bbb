"""The admin's dashboard page (/admin/dashboard/, linked from the admin's index): each figure a link to the
admin list it counts, and the last 30 days as inline SVG charts. Rendered on the server, no script."""

from urllib.parse import urlencode

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.urls import reverse

from orders.lifecycle import BAD_END_STATUSES, OrderStatus
from orders.payments import REFUND_AWAITED, PaymentStatus

from .selectors import dashboard_page_figures


def _list(model: str, **filters) -> str:
    """The admin list of `model` ("app_model") with `filters` applied."""
    url = reverse(f"admin:{model}_changelist")
    return f"{url}?{urlencode(filters)}" if filters else url


def dashboard_page(request):
    if not request.user.has_perm("orders.view_order"):
        raise PermissionDenied
    figures = dashboard_page_figures()
    attention = [
        (
            "KYC submissions awaiting review",
            figures["merchants_awaiting_kyc"],
            _list("merchants_kycsubmission"),
        ),
        (
            "Failed notifications",
            figures["failed_notifications"],
            _list("notifications_notification", status__exact="failed"),
        ),
        (
            "Notifications of unknown outcome",
            figures["outcome_unknown_notifications"],
            _list("notifications_notification", status__exact="outcome_unknown"),
        ),
        (
            "Undelivered SMS",
            figures["undelivered_sms"],
            _list("notifications_notification", channel__exact="sms", delivery_status__exact="failed"),
        ),
        (
            "Webhook deliveries refused in the last 24 h",
            figures["webhook_refusals_total"],
            _list("webhooks_webhookdelivery", received_within="24h", answer="refused"),
        ),
        (
            "Cancelled or returned orders awaiting a refund",
            figures["orders_awaiting_refund"],
            _list(
                "orders_order",
                status__in=",".join(sorted(BAD_END_STATUSES)),
                payment_status__in=",".join(sorted(REFUND_AWAITED)),
            ),
        ),
    ]
    refusals = [
        (code, count, _list("webhooks_webhookdelivery", received_within="24h", error_code=code))
        for code, count in figures["webhook_refusals"].items()
    ]
    by_status = [
        (label, figures["orders_by_status"][value], _list("orders_order", status__exact=value))
        for value, label in OrderStatus.choices
    ]
    by_payment = [
        (
            label,
            figures["orders_by_payment_status"][value],
            _list("orders_order", payment_status__exact=value),
        )
        for value, label in PaymentStatus.choices
    ]
    context = {
        **admin.site.each_context(request),
        "title": "Dashboard",
        "attention": attention,
        "refusals": refusals,
        "by_status": by_status,
        "by_payment": by_payment,
        "orders_total": figures["orders_total"],
        "orders_url": _list("orders_order"),
        "revenue": figures["revenue_by_currency"],
        "orders_chart": figures["orders_chart"],
        "revenue_charts": figures["revenue_charts"],
    }
    return TemplateResponse(request, "admin/dashboard/dashboard.html", context)
