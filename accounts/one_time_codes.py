"""Six-digit codes emailed to prove an address: email verification and password reset.

Same rules for both: only a hash is stored (keyed with SECRET_KEY), a code lives OTP_TTL_MINUTES, works once,
only for its own purpose, is compared in constant time, and OTP_MAX_ATTEMPTS wrong tries lock it until a new
code is requested.

No enumeration: an email with no account (or no pending code) answers exactly like a real one: wrong codes
are `invalid_otp` and the sixth try is `otp_locked` (counted in the cache for such emails, in the code's row
otherwise), and `otp_expired` is only ever told to someone who typed the right code, so probing with made-up
codes never shows that a code was issued.
"""

import hashlib
import secrets
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from core.errors import DomainError

from .errors import AccountError
from .managers import email_canonical
from .models import CodePurpose, EmailOTP, User

# VERIFY_EMAIL keeps the salt codes were hashed with before purposes existed, so pending ones still work.
_HASH_SALTS = {
    CodePurpose.VERIFY_EMAIL: "accounts.otp",
    CodePurpose.PASSWORD_RESET: "accounts.password_reset",
}
# How long a code's lock (real or emulated) is remembered; older pending codes count as none, so after this
# a real account and an unknown email are again indistinguishable.
_LOCK_WINDOW = timedelta(hours=24)


def _code_hash(*, user: User, code: str, purpose: str) -> str:
    # Keyed with SECRET_KEY: a leaked table cannot be brute-forced offline over the 10^6 codes.
    return salted_hmac(_HASH_SALTS[purpose], f"{user.pk}:{code}", algorithm="sha256").hexdigest()


def _misses_key(*, email: str, purpose: str) -> str:
    digest = hashlib.sha256(email_canonical(email).encode()).hexdigest()
    return f"accounts:code-misses:{purpose}:{digest}"


def _invalid() -> DomainError:
    return DomainError(AccountError.INVALID_OTP, "The code is not valid.")


def _locked() -> DomainError:
    return DomainError(AccountError.OTP_LOCKED, "Too many wrong codes. Ask for a new code.")


def code_requested(*, email: str, purpose: str) -> None:
    """Someone asked for a new code for `email` (an account or not): its emulated lock starts over."""
    cache.set(_misses_key(email=email, purpose=purpose), 0, int(_LOCK_WINDOW.total_seconds()))


def code_issue(*, user: User, purpose: str) -> str:
    """Replace the user's pending code for `purpose` with a fresh one and return it (to be emailed, never
    stored or logged). Call inside the transaction that announces it."""
    code = f"{secrets.randbelow(10**6):06d}"
    now = timezone.now()
    with transaction.atomic():
        EmailOTP.objects.filter(user=user, purpose=purpose, used_at__isnull=True).delete()
        EmailOTP.objects.create(
            user=user,
            purpose=purpose,
            code_hash=_code_hash(user=user, code=code, purpose=purpose),
            created_at=now,
            expires_at=now + timedelta(minutes=settings.OTP_TTL_MINUTES),
        )
    return code


def _miss(*, email: str, purpose: str) -> DomainError:
    """A code presented for an email with no pending code: counted like a wrong try on a real code."""
    key = _misses_key(email=email, purpose=purpose)
    cache.add(key, 0, int(_LOCK_WINDOW.total_seconds()))
    try:
        misses = cache.incr(key)
    except ValueError:  # evicted between add and incr
        cache.set(key, 1, int(_LOCK_WINDOW.total_seconds()))
        misses = 1
    return _locked() if misses > settings.OTP_MAX_ATTEMPTS else _invalid()


def code_redeem(*, email: str, code: str, purpose: str, then: Callable[[User], None] | None = None) -> User:
    """Check `code` for the account of `email` and use it up; `then(user)` runs in the same transaction
    (an exception from it, e.g. a weak new password, leaves the code unused and the try uncounted)."""
    user = User.objects.by_email(email).first()
    now = timezone.now()
    failure = None
    with transaction.atomic():
        otp = None
        if user is not None:
            otp = (
                EmailOTP.objects.select_for_update()
                .filter(user=user, purpose=purpose, used_at__isnull=True, created_at__gt=now - _LOCK_WINDOW)
                .order_by("-created_at")
                .first()
            )
        if otp is None:
            failure = _miss(email=email, purpose=purpose)
        elif otp.attempts >= settings.OTP_MAX_ATTEMPTS:
            failure = _locked()
        elif not constant_time_compare(otp.code_hash, _code_hash(user=user, code=code, purpose=purpose)):
            EmailOTP.objects.filter(pk=otp.pk).update(attempts=F("attempts") + 1)
            failure = _invalid()  # raised after the block, so the counted try is committed
        elif otp.expires_at <= now:
            failure = DomainError(AccountError.OTP_EXPIRED, "The code has expired. Ask for a new code.")
        else:
            if then is not None:
                then(user)
            otp.used_at = now
            otp.save(update_fields=["used_at"])
    if failure is not None:
        raise failure
    return user
