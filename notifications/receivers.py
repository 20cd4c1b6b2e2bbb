"""What the other apps' events mean for the outbox. Signals are sent inside the transaction of the change,
so the rows written here commit (or roll back) with it; tasks are published on commit.

Messages about an order are written in its `language` (the customer's); the new-order emails in the
platform's DEFAULT_LANGUAGE (admins) or the merchant account's language. Each row's context holds the facts
as they were at the change (raw values; `messages` formats them when sending).
"""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.urls import reverse

from accounts.signals import otp_issued, password_reset_requested, registration_attempted
from merchants.signals import kyc_decided, merchant_suspension_changed
from orders.models import OrderSource
from orders.payments import PaymentStatus
from orders.signals import order_estimate_changed, order_payment_changed, order_placed, order_status_changed

from .models import Channel
from .services import notification_create, notifications_create_many


def _tracking_url(order) -> str:
    return f"{settings.PUBLIC_BASE_URL}/track/{order.tracking_code}/"


def _order_context(order) -> dict:
    """What any message about the order may say (number, total, estimate, link), in the customer's language."""
    return {
        "language": order.language,
        "order_number": order.order_number,
        "tracking_code": order.tracking_code,
        "tracking_url": _tracking_url(order),
        "customer_name": order.customer_name,
        "phone_number": str(order.phone_number),
        "merchant": str(order.merchant),
        "total_amount": str(order.total_amount),
        "currency": order.currency,
        "status": order.status,
        "payment_status": order.payment_status,
        "estimated_delivery": str(order.estimated_delivery) if order.estimated_delivery else None,
        "source": order.source,
    }


def _order_details(order, *, language: str) -> dict:
    """A new order in full for the people who handle it: lines, customer, address, time, admin link."""
    return {
        **_order_context(order),
        "language": language,
        "email": order.email,
        "shipping_address": order.shipping_address,
        "placed_at": order.created_at.isoformat(),
        "admin_url": settings.PUBLIC_BASE_URL + reverse("admin:orders_order_change", args=[order.pk]),
        "items": [
            {
                "name": line.name,
                "sku": line.sku,
                "quantity": line.quantity,
                "unit_price": str(line.unit_price),
                "line_total": str(line.line_total),
            }
            for line in order.items.all()
        ],
    }


def _merchant_new_order_email(order) -> dict | None:
    """The merchant's copy of a new order placed through the API (its own platform's orders it knows)."""
    merchant = order.merchant
    if order.source != OrderSource.API or not merchant.new_order_emails or not merchant.user.email:
        return None
    return {
        "channel": Channel.EMAIL,
        "recipient": merchant.user.email,
        "template": "order_placed_merchant",
        "context": _order_details(order, language=merchant.user.language or settings.DEFAULT_LANGUAGE),
    }


# The staff list is read on every placed order; it changes rarely. Cached for a short while and dropped
# whenever a user is saved or deleted here (other processes, and bulk `update()`s, see it within the TTL).
ADMIN_EMAILS_CACHE_KEY = "notifications:admin-emails"
ADMIN_EMAILS_CACHE_SECONDS = 60
# Saves that cannot change who is an admin or their address (every login writes last_login).
_IRRELEVANT_USER_UPDATES = frozenset({"last_login", "password", "updated_at"})


def admin_notification_emails() -> list[str]:
    """ADMIN_NOTIFICATION_EMAILS, or else the emails of the active staff users."""
    if settings.ADMIN_NOTIFICATION_EMAILS:
        return list(dict.fromkeys(settings.ADMIN_NOTIFICATION_EMAILS))
    emails = cache.get(ADMIN_EMAILS_CACHE_KEY)
    if emails is None:
        emails = list(
            dict.fromkeys(
                get_user_model()
                .objects.filter(is_staff=True, is_active=True)
                .exclude(email="")
                .order_by("email")
                .values_list("email", flat=True)
            )
        )
        cache.set(ADMIN_EMAILS_CACHE_KEY, emails, ADMIN_EMAILS_CACHE_SECONDS)
    return list(emails)


@receiver(post_save, sender=settings.AUTH_USER_MODEL, dispatch_uid="notifications.admin_emails_saved")
def on_user_saved(sender, instance, update_fields=None, **kwargs):
    if update_fields is not None and set(update_fields) <= _IRRELEVANT_USER_UPDATES:
        return
    cache.delete(ADMIN_EMAILS_CACHE_KEY)


@receiver(post_delete, sender=settings.AUTH_USER_MODEL, dispatch_uid="notifications.admin_emails_deleted")
def on_user_deleted(sender, instance, **kwargs):
    cache.delete(ADMIN_EMAILS_CACHE_KEY)


@receiver(order_placed, dispatch_uid="notifications.order_placed")
def on_order_placed(sender, order, **kwargs):
    """One SMS to the buyer, one email per admin, and the merchant's copy of an API order: written with one
    INSERT, one publish per channel."""
    context = _order_context(order)
    rows = []
    if order.phone_number:
        rows.append(
            {
                "channel": Channel.SMS,
                "recipient": context["phone_number"],
                "template": "order_placed",
                "context": context,
            }
        )
    admin_emails = admin_notification_emails()
    if admin_emails:
        details = _order_details(order, language=settings.DEFAULT_LANGUAGE)
        rows.extend(
            {
                "channel": Channel.EMAIL,
                "recipient": email,
                "template": "order_placed_admin",
                "context": details,
            }
            for email in admin_emails
        )
    merchant_email = _merchant_new_order_email(order)
    if merchant_email is not None:
        rows.append(merchant_email)
    if rows:
        notifications_create_many(rows=rows, order=order)


@receiver(order_payment_changed, dispatch_uid="notifications.order_payment_changed")
def on_order_payment_changed(sender, order, event, **kwargs):
    """The customer hears of a payment or a refund by SMS; never of `unpaid` (a reversal is the merchant's
    to explain)."""
    if order.payment_status == PaymentStatus.UNPAID or not order.phone_number:
        return
    notification_create(
        channel=Channel.SMS,
        recipient=str(order.phone_number),
        template="order_payment_changed",
        context={**_order_context(order), "reference": event.reference},
        order=order,
    )


@receiver(order_estimate_changed, dispatch_uid="notifications.order_estimate_changed")
def on_order_estimate_changed(sender, order, event, previous_estimate=None, **kwargs):
    """A new estimate alone is worth an SMS only as a delay: later by a day or more than the one the customer
    was given (a first estimate, or an earlier one, is on the tracking page and in the next message)."""
    new = order.estimated_delivery
    if previous_estimate is None or new is None or new - previous_estimate < timedelta(days=1):
        return
    if not order.phone_number:
        return
    notification_create(
        channel=Channel.SMS,
        recipient=str(order.phone_number),
        template="order_estimate_changed",
        context={**_order_context(order), "previous_estimate": str(previous_estimate)},
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


def _email_merchant(merchant, *, template: str, reason: str) -> None:
    if merchant.user.email:
        notification_create(
            channel=Channel.EMAIL,
            recipient=merchant.user.email,
            template=template,
            context={"company_name": merchant.company_name, "reason": reason or ""},
        )


@receiver(kyc_decided, dispatch_uid="notifications.kyc_decided")
def on_kyc_decided(sender, merchant, approved, reason="", **kwargs):
    _email_merchant(merchant, template="kyc_approved" if approved else "kyc_rejected", reason=reason)


@receiver(merchant_suspension_changed, dispatch_uid="notifications.merchant_suspension_changed")
def on_merchant_suspension_changed(sender, merchant, suspended, reason="", **kwargs):
    _email_merchant(
        merchant, template="merchant_suspended" if suspended else "merchant_reactivated", reason=reason
    )


@receiver(otp_issued, dispatch_uid="notifications.otp_issued")
def on_otp_issued(sender, user, code, **kwargs):
    notification_create(
        channel=Channel.EMAIL,
        recipient=user.email,
        template="otp",
        context={"code": code, "ttl_minutes": settings.OTP_TTL_MINUTES},
    )


@receiver(password_reset_requested, dispatch_uid="notifications.password_reset_requested")
def on_password_reset_requested(sender, user, code, **kwargs):
    context = {"code": code, "ttl_minutes": settings.OTP_TTL_MINUTES}  # `code` is masked and scrubbed
    notification_create(
        channel=Channel.EMAIL, recipient=user.email, template="password_reset", context=context
    )


@receiver(registration_attempted, dispatch_uid="notifications.registration_attempted")
def on_registration_attempted(sender, user, **kwargs):
    """Registering a taken email answers like a new account; the owner learns of it here instead."""
    notification_create(channel=Channel.EMAIL, recipient=user.email, template="account_exists", context={})
