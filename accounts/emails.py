"""Emails the accounts app sends. One call site per message, so they can move to the outbox in one place."""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction

logger = logging.getLogger(__name__)


def otp_email_send_on_commit(*, email: str, code: str) -> None:
    """Email the one-time code once the transaction that stored its hash has committed."""

    def _send():
        subject = "Your Ordertrail verification code"
        body = (
            f"Your Ordertrail verification code is {code}.\n\n"
            f"It expires in {settings.OTP_TTL_MINUTES} minutes and can be used once. "
            "If you did not ask for it, ignore this email."
        )
        try:
            send_mail(subject, body, None, [email])
        except Exception:
            # The code itself is never logged; the user can ask for a new one.
            logger.exception("Could not send the verification email to %s", email)

    transaction.on_commit(_send)
