"""What the other apps' events mean for the outbox. Signals are sent inside the transaction of the change,
so the rows written here commit (or roll back) with it; tasks are published on commit.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.dispatch import receiver

from accounts.signals import kyc_decided, otp_issued
from orders.signals import order_placed, order_status_changed

from .models import Channel
from .services import notification_create


def _tracking_url(order) -> str:
    return f"{settings.PUBLIC_BASE_URL}/track/{order.tracking_code}/"


def _order_context(order) -> dict:
    return {
        "order_number": order.order_number,
        "tracking_code": order.tracking_code,
        "tracking_url": _tracking_url(order),
        "customer_name": order.customer_name,
        "phone_number": str(order.phone_number),
        "merchant": str(order.merchant),
        "total_amount": str(order.total_amount),
        "currency": order.currency,
        "status": order.status,
        "status_label": order.get_status_display().lower(),
        "source": order.source,
    }


def admin_notification_emails() -> list[str]:
    """ADMIN_NOTIFICATION_EMAILS, or else the emails of the active staff users."""
    if settings.ADMIN_NOTIFICATION_EMAILS:
        return list(dict.fromkeys(settings.ADMIN_NOTIFICATION_EMAILS))
    emails = (
        get_user_model()
        .objects.filter(is_staff=True, is_active=True)
        .exclude(email="")
        .order_by("email")
        .values_list("email", flat=True)
    )
    return list(dict.fromkeys(emails))


@receiver(order_placed, dispatch_uid="notifications.order_placed")
def on_order_placed(sender, order, **kwargs):
    context = _order_context(order)
    if order.phone_number:
        notification_create(
            channel=Channel.SMS,
            recipient=str(order.phone_number),
            template="order_placed",
            context=context,
            order=order,
        )
    for email in admin_notification_emails():
        notification_create(
            channel=Channel.EMAIL,
            recipient=email,
            template="order_placed_admin",
            context=context,
            order=order,
        )


@receiver(order_status_changed, dispatch_uid="notifications.order_status_changed")
def on_order_status_changed(sender, order, event=None, previous_status=None, **kwargs):
    context = _order_context(order)
    if event is not None:
        context.update(location=event.location, note=event.note)
    if order.phone_number:
        notification_create(
            channel=Channel.SMS,
            recipient=str(order.phone_number),
            template="order_status_changed",
            context=context,
            order=order,
        )
    if order.email:
        notification_create(
            channel=Channel.EMAIL,
            recipient=order.email,
            template="order_status_changed",
            context=context,
            order=order,
        )


@receiver(kyc_decided, dispatch_uid="notifications.kyc_decided")
def on_kyc_decided(sender, merchant, approved, reason="", **kwargs):
    if not merchant.user.email:
        return
    notification_create(
        channel=Channel.EMAIL,
        recipient=merchant.user.email,
        template="kyc_approved" if approved else "kyc_rejected",
        context={"company_name": merchant.company_name, "reason": reason or ""},
    )


@receiver(otp_issued, dispatch_uid="notifications.otp_issued")
def on_otp_issued(sender, user, code, **kwargs):
    notification_create(
        channel=Channel.EMAIL,
        recipient=user.email,
        template="otp",
        context={"code": code, "ttl_minutes": settings.OTP_TTL_MINUTES},
    )
