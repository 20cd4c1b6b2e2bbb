"""Writes on accounts: registration, email OTPs, sign-in, profile and password changes.

Nothing here tells a caller whether an email has an account: registering a taken email answers like a new
one (the owner is emailed instead), codes behave alike for unknown emails (`one_time_codes`), and asking for
a code does its work after the response (`tasks.otp_request`).
"""

import logging
import uuid

from django.contrib.auth import authenticate, password_validation
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import update_last_login
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.tokens import RefreshToken

from core.errors import DomainError, ErrorCode

from . import refresh_tokens
from .errors import AccountError
from .models import AccountType, CodePurpose, User
from .one_time_codes import code_issue, code_redeem, code_requested
from .signals import otp_issued, registration_attempted, user_registered

logger = logging.getLogger(__name__)


def _email_normalize(email: str) -> str:
    return email.strip().lower()


def _validation_error(field: str, *messages: str) -> DomainError:
    return DomainError(ErrorCode.VALIDATION_ERROR, "Invalid input.", errors={field: list(messages)})


def otp_issue(*, user: User) -> None:
    """Replace the user's pending verification code with a fresh 6-digit one and email it after commit."""
    with transaction.atomic():
        code = code_issue(user=user, purpose=CodePurpose.VERIFY_EMAIL)
        otp_issued.send(sender=User, user=user, code=code)


def _registration_taken(*, email: str, password: str, account_type: str) -> User:
    """The answer to registering a taken email: shaped like a new account, never saved; the owner of the
    address is told by email. Hashes the password as a real registration does, so timing says little."""
    make_password(password)
    existing = User.objects.by_email(email).first()
    if existing is not None:
        with transaction.atomic():
            registration_attempted.send(sender=User, user=existing)
    return User(id=uuid.uuid4(), email=email, account_type=account_type)


def user_register(
    *,
    email: str,
    password: str,
    account_type: str,
    first_name: str = "",
    last_name: str = "",
    phone_number: str = "",
    company_name: str = "",
) -> User:
    """Create an unverified customer or merchant and email it an OTP.

    `user_registered` is sent inside the transaction; the merchants app makes a merchant's `Merchant` there.
    A taken email answers the same (an unsaved stand-in with a random id) and emails its owner instead.
    """
    email = _email_normalize(email)
    if account_type == AccountType.MERCHANT and not company_name.strip():
        raise _validation_error("company_name", "A company name is required for merchant accounts.")
    candidate = User(email=email, first_name=first_name, last_name=last_name, account_type=account_type)
    try:
        password_validation.validate_password(password, user=candidate)
    except DjangoValidationError as exc:
        raise _validation_error("password", *exc.messages) from exc
    taken = {"email": email, "password": password, "account_type": account_type}
    if User.objects.by_email(email).exists():
        return _registration_taken(**taken)
    try:
        with transaction.atomic():
            user = User.objects.create_user(
                email=email,
                password=password,
                account_type=account_type,
                first_name=first_name,
                last_name=last_name,
                phone_number=phone_number or "",
            )
            user_registered.send(sender=User, user=user, company_name=company_name.strip())
            otp_issue(user=user)
    except IntegrityError:  # a concurrent registration won the race for this email
        return _registration_taken(**taken)
    return user


def otp_request_fulfil(*, email: str) -> None:
    """The work behind `tasks.otp_request`: a fresh code for an active, unverified account; nothing otherwise."""
    code_requested(email=email, purpose=CodePurpose.VERIFY_EMAIL)
    user = User.objects.by_email(email).filter(is_active=True).first()
    if user is None or user.is_email_verified:
        return
    otp_issue(user=user)


def otp_verify(*, email: str, code: str) -> User:
    """Check a code (constant time, single use, limited tries) and mark the email verified."""

    def verified(user: User) -> None:
        if not user.is_email_verified:
            user.is_email_verified = True
            user.save(update_fields=["is_email_verified"])

    return code_redeem(email=email, code=code, purpose=CodePurpose.VERIFY_EMAIL, then=verified)


def user_tokens_issue(*, user: User) -> dict:
    """A fresh refresh/access pair for `user`: one sign-in, the start of a refresh token family."""
    tokens = refresh_tokens.refresh_tokens_issue(user=user)
    update_last_login(None, user)
    return tokens


def user_login(*, request, email: str, password: str) -> User:
    """Check email and password; refuse accounts whose email is not verified yet."""
    django_request = getattr(request, "_request", request)
    user = authenticate(django_request, email=email, password=password)
    if user is None:
        raise DomainError(AccountError.INVALID_CREDENTIALS, "Email or password is incorrect.")
    if not user.is_email_verified:
        raise DomainError(
            AccountError.EMAIL_NOT_VERIFIED,
            "Verify your email address with the code we sent before logging in.",
        )
    return user


def token_refresh_rotate(*, refresh: str) -> dict:
    """A new pair for a refresh token, which is blacklisted; reusing a rotated one revokes its family."""
    return refresh_tokens.refresh_token_rotate(refresh=refresh)


def user_logout(*, user: User, refresh: str) -> None:
    """Blacklist one of the user's refresh tokens so it can never be used again."""
    try:
        token = RefreshToken(refresh)
    except TokenError as exc:
        raise _validation_error("refresh", "The refresh token is invalid or expired.") from exc
    if str(token.get("user_id")) != str(user.pk):
        raise _validation_error("refresh", "The refresh token is invalid or expired.")
    token.blacklist()


def user_profile_update(*, user: User, data: dict) -> User:
    """Change the editable profile fields (names, phone, default shipping address, language)."""
    editable = {"first_name", "last_name", "phone_number", "default_shipping_address", "language"}
    fields = [name for name in data if name in editable]
    for name in fields:
        value = data[name]
        setattr(user, name, "" if value is None else value)
    if fields:
        user.save(update_fields=fields)
    return user


def user_password_change(*, user: User, old_password: str, new_password: str) -> None:
    """Change the password after checking the old one; every session of the user is signed out."""
    if not user.has_usable_password() or not user.check_password(old_password):
        raise _validation_error("old_password", "The current password is incorrect.")
    try:
        password_validation.validate_password(new_password, user=user)
    except DjangoValidationError as exc:
        raise _validation_error("new_password", *exc.messages) from exc
    with transaction.atomic():
        user.set_password(new_password)
        user.save(update_fields=["password"])
        refresh_tokens.refresh_tokens_revoke_all(user=user, because="password_change")
