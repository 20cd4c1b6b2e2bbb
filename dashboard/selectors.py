"""The admin dashboard's figures, composed from the selectors of the apps that own them."""

from datetime import timedelta

from django.utils import timezone

from merchants.selectors import merchant_awaiting_kyc_count
from notifications.selectors import notification_attention_counts
from orders.models import OrderSource
from orders.selectors import (
    order_awaiting_refund_count,
    order_count_by_payment_status,
    order_count_by_status,
    order_daily_figures,
    order_revenue_by_currency,
    order_totals,
)
from webhooks.selectors import webhook_delivery_refusals_since

from .charts import stacked_bars

CHART_DAYS = 30
WEBHOOK_WINDOW = timedelta(hours=24)


def dashboard_figures() -> dict:
    """Orders by status and by payment status, revenue by currency, cancelled or returned orders awaiting a
    refund, the KYC queue, and messages that need an operator."""
    totals = order_totals()  # the running totals serve every order figure
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


def dashboard_page_figures() -> dict:
    """The admin dashboard page: `dashboard_figures`, the webhook deliveries refused in the last 24 hours by
    error code, and the charts of the last 30 days (orders by source, revenue by currency). Seven queries
    however many rows there are."""
    since = timezone.now() - WEBHOOK_WINDOW
    days, rows = order_daily_figures(days=CHART_DAYS)
    index = {day: i for i, day in enumerate(days)}
    by_source = {source: [0] * len(days) for source in OrderSource.values}
    by_currency: dict[str, list] = {}
    for row in rows:
        i = index.get(row["day"])
        if i is None:  # a clock a moment past midnight: the newest day is tomorrow's, left for the next look
            continue
        by_source[row["source"]][i] += row["orders"]
        by_currency.setdefault(row["currency"], [0] * len(days))[i] += row["revenue"]
    sources = [(f"source-{value}", label, by_source[value]) for value, label in OrderSource.choices]
    refusals = webhook_delivery_refusals_since(since=since)
    return {
        **dashboard_figures(),
        "webhook_refusals_since": since,
        "webhook_refusals": refusals,
        "webhook_refusals_total": sum(refusals.values()),
        "orders_chart": stacked_bars(days=days, series=sources),
        "revenue_charts": {
            currency: stacked_bars(days=days, series=[("revenue", f"{currency} revenue", values)])
            for currency, values in sorted(by_currency.items())
        },
    }
