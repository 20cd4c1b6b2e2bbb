"""Work the auth endpoints do after answering, so how long they take says nothing about an account.

This module owns the broker both ways: the views queue through `otp_request` / `password_reset_request`, the
workers run the `*_send` tasks, which call the services; the services never import it.
"""

import logging

from celery import shared_task
from django.db import transaction

from . import password_reset, services

logger = logging.getLogger(__name__)


@shared_task(name="accounts.otp_request_send", ignore_result=True)
def otp_request_send(email: str) -> None:
    """Email a new verification code if `email` is an active, unverified account."""
    services.otp_request_fulfil(email=email)


@shared_task(name="accounts.password_reset_send", ignore_result=True)
def password_reset_send(email: str) -> None:
    """Email a password-reset code if `email` is an active account."""
    password_reset.password_reset_request_fulfil(email=email)


def _publish_after_commit(task, **kwargs) -> None:
    """Queue `task` once the current transaction commits; a broker outage is logged, never answered."""

    def publish():
        try:
            task.delay(**kwargs)
        except Exception:  # the answer was already decided: the email is simply not sent
            logger.exception("Could not queue %s", task.name)

    transaction.on_commit(publish)


def otp_request(*, email: str) -> None:
    """Send a new code to an unverified account. Says nothing about whether the account exists: the work
    runs in `otp_request_send` after the response."""
    _publish_after_commit(otp_request_send, email=email.strip().lower())


def password_reset_request(*, email: str) -> None:
    """Queue a reset code for `email`; what happens next never shows in the answer."""
    _publish_after_commit(password_reset_send, email=email)
