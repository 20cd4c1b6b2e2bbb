"""Work the auth endpoints do after answering, so how long they take says nothing about an account."""

from celery import shared_task

from . import password_reset, services


@shared_task(name="accounts.otp_request_send", ignore_result=True)
def otp_request_send(email: str) -> None:
    """Email a new verification code if `email` is an active, unverified account."""
    services.otp_request_fulfil(email=email)


@shared_task(name="accounts.password_reset_send", ignore_result=True)
def password_reset_send(email: str) -> None:
    """Email a password-reset code if `email` is an active account."""
    password_reset.password_reset_request_fulfil(email=email)
