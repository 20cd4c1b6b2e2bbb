"""OpenID Connect: a provider's token -> the provider identity (`iss`, `sub`) -> our user.

JWTs from a configured issuer are verified locally (`accounts.provider_tokens`) and never sent anywhere; opaque
tokens are checked at the provider's userinfo endpoint, its answer cached. Used by `BearerAuthentication`,
`POST /api/v1/auth/oidc/token/`, identity binding, and the browser code flow (`accounts.oidc_browser`).
"""

import hashlib
import logging
import re
import time
from dataclasses import dataclass

import requests
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import SuspiciousOperation
from django.urls import reverse
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from rest_framework.exceptions import AuthenticationFailed

from core.errors import DomainError

from .errors import AccountError
from .identity_services import external_identity_sign_in
from .models import User
from .provider_tokens import (
    ProviderKeysUnavailable,
    ProviderTokenInvalid,
    provider_token_claims,
    provider_tokens_enabled,
)

logger = logging.getLogger(__name__)

_CACHE_PREFIX = "oidc:userinfo:"
_BEARER_TOKEN = re.compile(r"[A-Za-z0-9\-._~+/]+=*")


class OIDCProviderUnavailable(Exception):
    """The provider did not answer usably (unreachable, timeout, 5xx, garbage)."""


class OIDCProviderRateLimited(OIDCProviderUnavailable):
    """The provider answered 429 (Auth0 allows a handful of userinfo calls a minute per user)."""

    def __init__(self, retry_after: int | None):
        super().__init__("userinfo answered 429")
        self.retry_after = retry_after


class OIDCTokenRejected(Exception):
    """The provider says the access token is not valid."""


@dataclass(frozen=True)
class ProviderIdentity:
    issuer: str
    subject: str
    claims: dict


def oidc_unavailable_error(*, retry_after: int | None = None) -> DomainError:
    return DomainError(
        AccountError.OIDC_UNAVAILABLE,
        "The sign-in provider cannot be reached right now. Try again shortly.",
        retry_after=retry_after,
    )


def _token_rejected() -> AuthenticationFailed:
    return AuthenticationFailed("The access token was rejected.", code="token_not_valid")


def userinfo_configured() -> bool:
    return bool(settings.OIDC_ENABLED and settings.OIDC_OP_USER_ENDPOINT)


def oidc_enabled() -> bool:
    """Whether any provider token can be accepted: JWTs from a configured issuer, or opaque ones at userinfo."""
    return userinfo_configured() or provider_tokens_enabled()


def userinfo_issuer() -> str:
    """What identities found through userinfo are bound under: the endpoint itself names the provider.

    Never a configured JWT issuer: if that were another provider, its `sub`s could collide with these.
    """
    return settings.OIDC_OP_USER_ENDPOINT


def _retry_after(response) -> int | None:
    value = response.headers.get("Retry-After", "")
    return int(value) if value.isdigit() else None


def _userinfo_fetch(access_token: str) -> dict:
    try:
        response = requests.get(
            settings.OIDC_OP_USER_ENDPOINT,
            headers={"Authorization": f"Bearer {access_token}"},
            timeout=settings.OIDC_TIMEOUT,
        )
    except requests.RequestException as exc:
        raise OIDCProviderUnavailable(type(exc).__name__) from exc
    if response.status_code == 429:
        raise OIDCProviderRateLimited(_retry_after(response))
    if response.status_code >= 500:
        raise OIDCProviderUnavailable(f"userinfo answered {response.status_code}")
    if response.status_code != 200:
        raise OIDCTokenRejected(f"userinfo answered {response.status_code}")
    try:
        claims = response.json()
    except ValueError as exc:
        raise OIDCProviderUnavailable("userinfo is not JSON") from exc
    if not isinstance(claims, dict):
        raise OIDCProviderUnavailable("userinfo is not a JSON object")
    return claims


def userinfo_claims(access_token: str) -> dict:
    """The provider's claims for an opaque `access_token`, cached briefly under a hash of the token.

    While the provider rate-limits us, an answer up to OIDC_USERINFO_STALE_SECONDS old still serves.
    """
    # The token itself never becomes a cache key (keys show up in monitoring tools).
    key = _CACHE_PREFIX + hashlib.sha256(access_token.encode()).hexdigest()
    entry = cache.get(key)
    now = time.time()
    if entry is not None and entry["fresh_until"] > now:
        return entry["claims"]
    try:
        claims = _userinfo_fetch(access_token)
    except OIDCProviderRateLimited:
        if entry is not None:
            return entry["claims"]
        raise
    fresh = settings.OIDC_USERINFO_CACHE_SECONDS
    cache.set(
        key, {"claims": claims, "fresh_until": now + fresh}, fresh + settings.OIDC_USERINFO_STALE_SECONDS
    )
    return claims


def provider_identity_for_token(*, access_token: str) -> ProviderIdentity:
    """Who a provider token belongs to: verified locally when it is a JWT, else asked of userinfo."""
    if not oidc_enabled():
        raise DomainError(AccountError.OIDC_UNAVAILABLE, "Sign-in with a provider is not configured.")
    if not _BEARER_TOKEN.fullmatch(access_token or ""):
        # Not a token any provider issues (RFC 6750 b64token): rejected here, never sent on in a header.
        raise _token_rejected()
    try:
        verified = provider_token_claims(access_token)
    except ProviderTokenInvalid as exc:
        raise _token_rejected() from exc
    except ProviderKeysUnavailable as exc:
        logger.warning("Identity provider keys unavailable: %s", exc)
        raise oidc_unavailable_error() from exc
    if verified is not None:
        issuer, claims = verified
        return ProviderIdentity(issuer=issuer.issuer, subject=claims["sub"], claims=claims)
    if not userinfo_configured():
        raise _token_rejected()
    try:
        claims = userinfo_claims(access_token)
    except OIDCProviderRateLimited as exc:
        logger.warning("OIDC userinfo rate-limited us")
        raise oidc_unavailable_error(retry_after=exc.retry_after) from exc
    except OIDCProviderUnavailable as exc:
        logger.warning("OIDC provider unavailable: %s", exc)
        raise oidc_unavailable_error() from exc
    except OIDCTokenRejected as exc:
        raise _token_rejected() from exc
    subject = claims.get("sub")
    if not isinstance(subject, str) or not subject.strip() or len(subject) > 255:
        logger.error("OIDC userinfo answered without a usable `sub`")
        raise oidc_unavailable_error()
    return ProviderIdentity(issuer=userinfo_issuer(), subject=subject, claims=claims)


def oidc_user_for_access_token(*, access_token: str) -> User:
    """Our user for a provider token: bound by (`iss`, `sub`), linked or created on first sight."""
    identity = provider_identity_for_token(access_token=access_token)
    user = external_identity_sign_in(issuer=identity.issuer, subject=identity.subject, claims=identity.claims)
    if not user.is_active:
        raise AuthenticationFailed("No active account for this access token.", code="user_inactive")
    return user


class OrdertrailOIDCBackend(OIDCAuthenticationBackend):
    """The browser code flow's backend: the id_token's (`iss`, `sub`) signs in like any provider token."""

    def authenticate(self, request, **kwargs):
        # Django asks every backend on every authenticate() call (our password login, the admin's form): only
        # the callback view may run the code exchange, else `?code=&state=` on any login URL would.
        if request is None or request.path != reverse("oidc_authentication_callback"):
            return None
        return super().authenticate(request, **kwargs)

    def get_userinfo(self, access_token, id_token, payload):
        return userinfo_claims(access_token)

    def get_or_create_user(self, access_token, id_token, payload):
        claims = dict(payload)
        if userinfo_configured():
            info = self.get_userinfo(access_token, id_token, payload)
            if info.get("sub", payload.get("sub")) != payload.get("sub"):
                raise SuspiciousOperation("userinfo describes another subject than the id_token")
            claims.update(info)
        subject = payload.get("sub")
        if not isinstance(subject, str) or not subject:
            raise SuspiciousOperation("id_token without sub")
        return external_identity_sign_in(
            issuer=payload.get("iss") or userinfo_issuer(), subject=subject, claims=claims
        )
