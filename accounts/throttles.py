"""Throttles for the anonymous auth endpoints: each scope counts per client address and per email."""

import hashlib

from rest_framework.throttling import SimpleRateThrottle


class _ClientThrottle(SimpleRateThrottle):
    """Counts requests per client address for the view's scope."""

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": f"{self.scope}_ip", "ident": self.get_ident(request)}


class _EmailThrottle(SimpleRateThrottle):
    """Counts requests per target email address, whatever the client: slows down attacks on one account."""

    def get_cache_key(self, request, view):
        email = request.data.get("email") if hasattr(request.data, "get") else None
        if not isinstance(email, str) or not email.strip():
            return None
        digest = hashlib.sha256(email.strip().lower().encode()).hexdigest()
        return self.cache_format % {"scope": f"{self.scope}_email", "ident": digest}


class LoginClientThrottle(_ClientThrottle):
    scope = "login"


class LoginEmailThrottle(_EmailThrottle):
    scope = "login"


class OTPVerifyClientThrottle(_ClientThrottle):
    scope = "otp_verify"


class OTPVerifyEmailThrottle(_EmailThrottle):
    scope = "otp_verify"


class OTPRequestClientThrottle(_ClientThrottle):
    scope = "otp_request"


class OTPRequestEmailThrottle(_EmailThrottle):
    scope = "otp_request"
