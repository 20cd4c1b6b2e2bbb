"""OpenID Connect: provider access tokens checked at the userinfo endpoint; users created or linked by email.

Used by the API (`BearerAuthentication`, `POST /api/v1/auth/oidc/token/`) and by the browser
authorization-code flow under `/oidc/`.
"""

import hashlib
import logging
import re

import requests
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import SuspiciousOperation
from django.db import IntegrityError, transaction
from django.http import HttpResponse
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView
from rest_framework.exceptions import AuthenticationFailed

from core.errors import ApiError

from .errors import AccountError
from .models import AccountType

logger = logging.getLogger(__name__)

_CACHE_PREFIX = "oidc:userinfo:"
_BEARER_TOKEN = re.compile(r"[A-Za-z0-9\-._~+/]+=*")


class OIDCProviderUnavailable(Exception):
    """The provider did not answer usably (unreachable, timeout, 5xx, garbage)."""


class OIDCTokenRejected(Exception):
    """The provider says the access token is not valid."""


def oidc_unavailable_error() -> ApiError:
    return ApiError(
        AccountError.OIDC_UNAVAILABLE,
        "The sign-in provider cannot be reached right now. Try again shortly.",
        status=503,
    )


def _userinfo_cache_key(access_token: str) -> str:
    # The token itself never becomes a cache key (keys show up in monitoring tools).
    return _CACHE_PREFIX + hashlib.sha256(access_token.encode()).hexdigest()


def _email_verified(claims: dict) -> bool:
    value = claims.get("email_verified", False)
    if isinstance(value, str):  # a few providers send "true"
        return value.strip().lower() == "true"
    return value is True


class OrdertrailOIDCBackend(OIDCAuthenticationBackend):
    """Find users by email (our login), create them as verified customers."""

    def get_userinfo(self, access_token, id_token, payload):
        """The provider's claims for `access_token`, cached briefly under a hash of the token."""
        key = _userinfo_cache_key(access_token)
        claims = cache.get(key)
        if claims is not None:
            return claims
        try:
            claims = super().get_userinfo(access_token, id_token, payload)
        except requests.HTTPError as exc:
            status = exc.response.status_code if exc.response is not None else 502
            if status >= 500 or status == 429:
                raise OIDCProviderUnavailable(f"userinfo answered {status}") from exc
            raise OIDCTokenRejected(f"userinfo answered {status}") from exc
        except (requests.ConnectionError, requests.Timeout) as exc:
            raise OIDCProviderUnavailable(type(exc).__name__) from exc
        except (requests.RequestException, ValueError) as exc:  # ValueError: a body that is not JSON
            raise OIDCProviderUnavailable(type(exc).__name__) from exc
        if not isinstance(claims, dict):
            raise OIDCProviderUnavailable("userinfo is not a JSON object")
        cache.set(key, claims, settings.OIDC_USERINFO_CACHE_SECONDS)
        return claims

    def filter_users_by_claims(self, claims):
        email = (claims.get("email") or "").strip().lower()
        if not email or not _email_verified(claims):
            return self.UserModel.objects.none()
        return self.UserModel.objects.filter(email__iexact=email)

    def verify_claims(self, claims):
        return bool(claims.get("email")) and _email_verified(claims)

    def create_user(self, claims):
        email = claims["email"].strip().lower()
        try:
            with transaction.atomic():
                return self.UserModel.objects.create_user(
                    email=email,
                    account_type=AccountType.CUSTOMER,
                    first_name=(claims.get("given_name") or "")[:150],
                    last_name=(claims.get("family_name") or "")[:150],
                    is_email_verified=True,
                )
        except IntegrityError:  # a concurrent first request created it
            return self.UserModel.objects.get(email__iexact=email)

    def update_user(self, user, claims):
        """Link an existing account. The provider proved the email, so it counts as verified."""
        if not user.is_email_verified:
            # Whoever registered this email without verifying it may not be its owner:
            # their password must not open the account the real owner now signs into.
            user.is_email_verified = True
            user.set_unusable_password()
            user.save(update_fields=["is_email_verified", "password"])
        return user

    def user_for_access_token(self, access_token: str):
        """The user a provider access token belongs to (created on first use); API errors otherwise."""
        try:
            user = self.get_or_create_user(access_token, None, None)
        except OIDCProviderUnavailable as exc:
            logger.warning("OIDC provider unavailable: %s", exc)
            raise oidc_unavailable_error() from exc
        except (OIDCTokenRejected, SuspiciousOperation) as exc:
            raise AuthenticationFailed("The access token was rejected.", code="token_not_valid") from exc
        if user is None or not user.is_active:
            raise AuthenticationFailed("No active account for this access token.", code="user_inactive")
        return user


def oidc_enabled() -> bool:
    return bool(settings.OIDC_ENABLED and settings.OIDC_OP_USER_ENDPOINT)


def oidc_user_for_access_token(*, access_token: str):
    """Validate a provider access token at its userinfo endpoint and return (or provision) our user."""
    if not oidc_enabled():
        raise ApiError(
            AccountError.OIDC_UNAVAILABLE, "Sign-in with a provider is not configured.", status=503
        )
    if not _BEARER_TOKEN.fullmatch(access_token or ""):
        # Not a token any provider issues (RFC 6750 b64token): rejected here, never sent on in a header.
        raise AuthenticationFailed("The access token was rejected.", code="token_not_valid")
    return OrdertrailOIDCBackend().user_for_access_token(access_token)


def _browser_flow_configured() -> bool:
    return bool(
        settings.OIDC_OP_AUTHORIZATION_ENDPOINT
        and settings.OIDC_OP_TOKEN_ENDPOINT
        and settings.OIDC_RP_CLIENT_ID
    )


def _not_configured() -> HttpResponse:
    return HttpResponse(
        "Sign-in with an OpenID Connect provider is not configured.", status=503, content_type="text/plain"
    )


class OIDCAuthenticateView(OIDCAuthenticationRequestView):
    """Starts the browser code flow; a plain 503 when no provider is configured."""

    def get(self, request):
        if not _browser_flow_configured():
            return _not_configured()
        return super().get(request)


class OIDCCallbackView(OIDCAuthenticationCallbackView):
    """Finishes the browser code flow; provider trouble is a 503 page, never a 500."""

    def get(self, request):
        if not _browser_flow_configured():
            return _not_configured()
        try:
            return super().get(request)
        except (OIDCProviderUnavailable, requests.RequestException) as exc:
            logger.warning("OIDC provider unavailable during the code flow: %s", exc)
            return HttpResponse(
                "The sign-in provider cannot be reached right now.", status=503, content_type="text/plain"
            )
        except OIDCTokenRejected:
            return self.login_failure()
