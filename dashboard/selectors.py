"""The admin dashboard's figures, composed from the selectors of the apps that own them."""

from merchants.selectors import merchant_awaiting_kyc_count
from notifications.selectors import notification_attention_counts
from orders.selectors import (
    order_awaiting_refund_count,
    order_count_by_payment_status,
    order_count_by_status,
    order_revenue_by_currency,
    order_totals,
)


def dashboard_figures() -> dict:
    """Orders by status and by payment status, revenue by currency, cancelled or returned orders awaiting a
    refund, the KYC queue, and messages that need an operator."""
    totals = order_totals()  # one pass over a million orders serves every order figure
    by_status = order_count_by_status(totals=totals)
    return {
        "orders_total": sum(by_status.values()),
        "orders_by_status": by_status,
        "orders_by_payment_status": order_count_by_payment_status(totals=totals),
        "orders_awaiting_refund": order_awaiting_refund_count(totals=totals),
        "revenue_by_currency": order_revenue_by_currency(totals=totals),
        "merchants_awaiting_kyc": merchant_awaiting_kyc_count(),
        **notification_attention_counts(),
    }
