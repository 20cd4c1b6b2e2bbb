"""The admin dashboard's figures, composed from the selectors of the apps that own them."""

from accounts.models import KYCStatus, Merchant
from notifications.selectors import notification_failed_count
from orders.selectors import order_count_by_status, order_revenue_by_currency


def _merchants_awaiting_kyc() -> int:
    # accounts has no selector for this yet; it moves to merchants/selectors.py with the merchants app.
    return Merchant.objects.filter(kyc_status=KYCStatus.SUBMITTED).count()


def dashboard_figures() -> dict:
    """Orders by status, revenue by currency, the KYC queue and failed notifications."""
    by_status = order_count_by_status()
    return {
        "orders_total": sum(by_status.values()),
        "orders_by_status": by_status,
        "revenue_by_currency": order_revenue_by_currency(),
        "merchants_awaiting_kyc": _merchants_awaiting_kyc(),
        "failed_notifications": notification_failed_count(),
    }
