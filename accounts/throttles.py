"""Throttles for the auth endpoints. The anonymous ones count per target email (tight: protects one account)
and per client address (generous: many people share an address behind a NAT or a proxy); change-password
counts per signed-in user.

Emails are keyed on their canonical form (`email_canonical`), so look-alike spellings share one bucket; the
client address is read through `TRUSTED_PROXY_COUNT` (DRF's `NUM_PROXIES`), so a made-up
`X-Forwarded-For` does not open a new bucket. Rates are `DEFAULT_THROTTLE_RATES[scope]`, read per request.
"""

import hashlib

from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from .managers import email_canonical


class _Throttle(SimpleRateThrottle):
    def get_rate(self):
        # Read at request time, not import time, so a changed setting takes effect.
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)


class _ClientThrottle(_Throttle):
    """Counts requests per client address for the view's scope."""

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class _EmailThrottle(_Throttle):
    """Counts requests per target email address, whatever the client: slows down attacks on one account."""

    def get_cache_key(self, request, view):
        email = request.data.get("email") if hasattr(request.data, "get") else None
        if not isinstance(email, str) or not email.strip():
            return None
        digest = hashlib.sha256(email_canonical(email).encode()).hexdigest()
        return self.cache_format % {"scope": f"{self.scope}_email", "ident": digest}


class _UserThrottle(_Throttle):
    """Counts requests per signed-in account, whatever the client or the token it presents."""

    def get_cache_key(self, request, view):
        if not request.user or not request.user.is_authenticated:
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.user.pk}


class LoginClientThrottle(_ClientThrottle):
    scope = "login_ip"


class LoginEmailThrottle(_EmailThrottle):
    scope = "login"


class OTPVerifyClientThrottle(_ClientThrottle):
    scope = "otp_verify_ip"


class OTPVerifyEmailThrottle(_EmailThrottle):
    scope = "otp_verify"


class OTPRequestClientThrottle(_ClientThrottle):
    scope = "otp_request_ip"


class OTPRequestEmailThrottle(_EmailThrottle):
    scope = "otp_request"


class RegisterClientThrottle(_ClientThrottle):
    scope = "register_ip"


class RegisterEmailThrottle(_EmailThrottle):
    scope = "register"


class PasswordChangeUserThrottle(_UserThrottle):
    scope = "change_password"


class PasswordResetClientThrottle(_ClientThrottle):
    scope = "password_reset_ip"


class PasswordResetEmailThrottle(_EmailThrottle):
    scope = "password_reset"


class PasswordResetConfirmClientThrottle(_ClientThrottle):
    scope = "password_reset_confirm_ip"


class PasswordResetConfirmEmailThrottle(_EmailThrottle):
    scope = "password_reset_confirm"


class OIDCTokenClientThrottle(_ClientThrottle):
    scope = "oidc_token_ip"
