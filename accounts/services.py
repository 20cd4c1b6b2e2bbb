"""Writes on accounts: registration, email OTPs, sign-in, profile and password changes."""

import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import authenticate, password_validation
from django.contrib.auth.models import update_last_login
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from rest_framework import serializers
from rest_framework.exceptions import AuthenticationFailed
from rest_framework_simplejwt.exceptions import InvalidToken, TokenError
from rest_framework_simplejwt.settings import api_settings as jwt_settings
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken
from rest_framework_simplejwt.tokens import RefreshToken

from core.errors import ApiError

from .errors import AccountError
from .models import AccountType, EmailOTP, User
from .signals import otp_issued, user_registered

_OTP_HASH_SALT = "accounts.otp"


def _otp_hash(*, user: User, code: str) -> str:
    # Keyed with SECRET_KEY: a leaked table cannot be brute-forced offline over the 10^6 codes.
    return salted_hmac(_OTP_HASH_SALT, f"{user.pk}:{code}", algorithm="sha256").hexdigest()


def _email_normalize(email: str) -> str:
    return email.strip().lower()


def _validation_error(field: str, message: str) -> serializers.ValidationError:
    return serializers.ValidationError({field: [message]})


def otp_issue(*, user: User) -> None:
    """Replace the user's pending code with a fresh 6-digit one and email it after commit."""
    code = f"{secrets.randbelow(10**6):06d}"
    now = timezone.now()
    with transaction.atomic():
        EmailOTP.objects.filter(user=user, used_at__isnull=True).delete()
        EmailOTP.objects.create(
            user=user,
            code_hash=_otp_hash(user=user, code=code),
            created_at=now,
            expires_at=now + timedelta(minutes=settings.OTP_TTL_MINUTES),
        )
        otp_issued.send(sender=User, user=user, code=code)


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
    """
    email = _email_normalize(email)
    if account_type == AccountType.MERCHANT and not company_name.strip():
        raise _validation_error("company_name", "A company name is required for merchant accounts.")
    candidate = User(email=email, first_name=first_name, last_name=last_name, account_type=account_type)
    try:
        password_validation.validate_password(password, user=candidate)
    except DjangoValidationError as exc:
        raise serializers.ValidationError({"password": list(exc.messages)}) from exc
    if User.objects.filter(email__iexact=email).exists():
        raise _validation_error("email", "An account with this email address already exists.")
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
    except IntegrityError as exc:  # a concurrent registration won the race for this email
        raise _validation_error("email", "An account with this email address already exists.") from exc
    return user


def otp_request(*, email: str) -> None:
    """Send a new code to an unverified account. Says nothing about whether the account exists."""
    user = User.objects.filter(email__iexact=_email_normalize(email), is_active=True).first()
    if user is None or user.is_email_verified:
        return
    otp_issue(user=user)


def otp_verify(*, email: str, code: str) -> User:
    """Check a code (constant time, single use, limited tries) and mark the email verified."""
    invalid = ApiError(AccountError.INVALID_OTP, "The code is not valid.", status=400)
    user = User.objects.filter(email__iexact=_email_normalize(email)).first()
    if user is None:
        raise invalid
    with transaction.atomic():
        otp = (
            EmailOTP.objects.select_for_update()
            .filter(user=user, used_at__isnull=True)
            .order_by("-created_at")
            .first()
        )
        if otp is None:
            raise invalid
        if otp.attempts >= settings.OTP_MAX_ATTEMPTS:
            raise ApiError(
                AccountError.OTP_LOCKED,
                "Too many wrong codes. Ask for a new code.",
                status=429,
            )
        if otp.expires_at <= timezone.now():
            raise ApiError(AccountError.OTP_EXPIRED, "The code has expired. Ask for a new code.", status=400)
        if not constant_time_compare(otp.code_hash, _otp_hash(user=user, code=code)):
            EmailOTP.objects.filter(pk=otp.pk).update(attempts=F("attempts") + 1)
            remaining = max(settings.OTP_MAX_ATTEMPTS - otp.attempts - 1, 0)
            # Raised after the atomic block so the attempt counter is committed.
            failure = ApiError(
                AccountError.INVALID_OTP,
                "The code is not valid.",
                status=400,
                extra={"attempts_remaining": remaining},
            )
        else:
            failure = None
            otp.used_at = timezone.now()
            otp.save(update_fields=["used_at"])
            if not user.is_email_verified:
                user.is_email_verified = True
                user.save(update_fields=["is_email_verified"])
    if failure is not None:
        raise failure
    return user


def user_tokens_issue(*, user: User) -> dict:
    """A fresh refresh/access pair for `user` (the refresh is tracked so it can be blacklisted)."""
    refresh = RefreshToken.for_user(user)
    update_last_login(None, user)
    return {"access": str(refresh.access_token), "refresh": str(refresh)}


def user_login(*, request, email: str, password: str) -> User:
    """Check email and password; refuse accounts whose email is not verified yet."""
    django_request = getattr(request, "_request", request)
    user = authenticate(django_request, email=_email_normalize(email), password=password)
    if user is None:
        raise ApiError(AccountError.INVALID_CREDENTIALS, "Email or password is incorrect.", status=401)
    if not user.is_email_verified:
        raise ApiError(
            AccountError.EMAIL_NOT_VERIFIED,
            "Verify your email address with the code we sent before logging in.",
            status=403,
        )
    return user


def token_refresh_rotate(*, refresh: str) -> dict:
    """A new pair for a refresh token, which is blacklisted: each refresh token rotates once, even concurrently."""
    try:
        with transaction.atomic():
            token = RefreshToken(refresh)  # signature, expiry and blacklist
            # Two concurrent refreshes of the same token queue here; the second then finds it blacklisted.
            list(
                OutstandingToken.objects.select_for_update()
                .filter(jti=token[jwt_settings.JTI_CLAIM])
                .order_by()
            )
            token.check_blacklist()
            user = User.objects.filter(pk=token.get(jwt_settings.USER_ID_CLAIM)).first()
            if user is None or not user.is_active:
                raise AuthenticationFailed(
                    "No active account found for the given token.", code="user_inactive"
                )
            access = str(token.access_token)
            token.blacklist()
            token.set_jti()
            token.set_exp()
            token.set_iat()
            token.outstand()
    except TokenError as exc:
        raise InvalidToken(exc.args[0]) from exc
    return {"access": access, "refresh": str(token)}


def user_logout(*, user: User, refresh: str) -> None:
    """Blacklist one of the user's refresh tokens so it can never be used again."""
    try:
        token = RefreshToken(refresh)
    except TokenError as exc:
        raise _validation_error("refresh", "The refresh token is invalid or expired.") from exc
    if str(token.get("user_id")) != str(user.pk):
        raise _validation_error("refresh", "The refresh token is invalid or expired.")
    token.blacklist()


def _user_refresh_tokens_blacklist(*, user: User) -> None:
    outstanding = OutstandingToken.objects.filter(user=user, blacklistedtoken__isnull=True)
    BlacklistedToken.objects.bulk_create(
        [BlacklistedToken(token=token) for token in outstanding], ignore_conflicts=True
    )


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
        raise serializers.ValidationError({"new_password": list(exc.messages)}) from exc
    with transaction.atomic():
        user.set_password(new_password)
        user.save(update_fields=["password"])
        _user_refresh_tokens_blacklist(user=user)
