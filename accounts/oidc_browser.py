"""Browser sign-in (authorization-code flow under /oidc/) that ends with the client holding our JWT pair.

The callback logs no session in: it redirects to OIDC_SIGNIN_REDIRECT_URL (or the `?next=` the flow started
with, when allowed) with a one-time code valid OIDC_SIGNIN_CODE_SECONDS, which
`POST /api/v1/auth/oidc/exchange/` trades for `{access, refresh, user}`.
"""

import hashlib
import logging
import re
import secrets
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import jwt
import requests
from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse, HttpResponseRedirect
from django.views.decorators.http import require_GET
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView
from rest_framework.exceptions import AuthenticationFailed

from core.errors import DomainError

from .errors import AccountError
from .models import User
from .oidc import OIDCProviderUnavailable, OIDCTokenRejected

logger = logging.getLogger(__name__)

_CODE_PREFIX = "oidc:signin-code:"
_CODE = re.compile(r"[A-Za-z0-9_-]{43}")  # secrets.token_urlsafe(32)


def _code_key(code: str) -> str:
    return _CODE_PREFIX + hashlib.sha256(code.encode()).hexdigest()


def signin_code_issue(*, user: User) -> str:
    """A one-time, short-lived code standing for `user`, for the client the browser flow ends at."""
    code = secrets.token_urlsafe(32)
    cache.set(_code_key(code), str(user.pk), settings.OIDC_SIGNIN_CODE_SECONDS)
    return code


def signin_code_redeem(*, code: str) -> User:
    """The user a sign-in code stands for; the code is spent, whatever happens next."""
    key = _code_key(code)
    user_id = cache.get(key)
    # delete() says whether this call removed the key: of two concurrent redemptions only one wins.
    if user_id is None or not cache.delete(key):
        raise DomainError(
            AccountError.INVALID_CODE, "The sign-in code is not valid, already used or expired."
        )
    user = User.objects.filter(pk=user_id).first()
    if user is None or not user.is_active:
        raise AuthenticationFailed("No active account for this sign-in.", code="user_inactive")
    return user


def _with_query(url: str, **params: str) -> str:
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in params]
    return urlunsplit(parts._replace(query=urlencode([*query, *params.items()])))


def _browser_flow_configured() -> bool:
    keys_known = settings.OIDC_OP_JWKS_ENDPOINT or not settings.OIDC_RP_SIGN_ALGO.startswith(("RS", "ES"))
    return bool(
        settings.OIDC_OP_AUTHORIZATION_ENDPOINT
        and settings.OIDC_OP_TOKEN_ENDPOINT
        and settings.OIDC_RP_CLIENT_ID
        and keys_known
    )


def _plain(text: str, *, status: int = 200) -> HttpResponse:
    response = HttpResponse(text, status=status, content_type="text/plain; charset=utf-8")
    response["Cache-Control"] = "no-store"
    return response


def _not_configured() -> HttpResponse:
    return _plain("Sign-in with an OpenID Connect provider is not configured.", status=503)


class OIDCAuthenticateView(OIDCAuthenticationRequestView):
    """Starts the browser code flow; a plain 503 when no provider is configured."""

    def get(self, request):
        if not _browser_flow_configured():
            return _not_configured()
        return super().get(request)


class OIDCCallbackView(OIDCAuthenticationCallbackView):
    """Finishes the browser code flow with a one-time code for our JWT pair; provider trouble is a 503 page.

    The library checks `state` against the session (unknown state: 400) before the code is exchanged.
    """

    def get(self, request):
        if not _browser_flow_configured():
            return _not_configured()
        try:
            return super().get(request)
        except requests.HTTPError as exc:
            status = exc.response.status_code if exc.response is not None else 502
            if 400 <= status < 500:  # the provider refused the code (replayed, expired)
                return self.login_failure()
            return self._provider_unavailable(exc)
        except (OIDCProviderUnavailable, requests.RequestException) as exc:
            return self._provider_unavailable(exc)
        except (OIDCTokenRejected, jwt.PyJWTError):  # e.g. an expired id_token
            return self.login_failure()

    def _provider_unavailable(self, exc) -> HttpResponse:
        logger.warning("OIDC provider unavailable during the code flow: %s", exc)
        return _plain("The sign-in provider cannot be reached right now.", status=503)

    def _client_url(self) -> str:
        # `oidc_login_next` was checked against the allowed hosts when the flow started.
        return self.request.session.get("oidc_login_next") or settings.OIDC_SIGNIN_REDIRECT_URL

    def login_success(self):
        return HttpResponseRedirect(_with_query(self._client_url(), code=signin_code_issue(user=self.user)))

    def login_failure(self):
        return HttpResponseRedirect(_with_query(self._client_url(), error="signin_failed"))


@require_GET
def signed_in(request):
    """Where browser sign-in lands when no client URL is configured: what to do with the code."""
    code = request.GET.get("code", "")
    if not _CODE.fullmatch(code):
        return _plain("Signing in did not succeed. Start again at /oidc/authenticate/.\n")
    return _plain(
        f"Signed in. Within {settings.OIDC_SIGNIN_CODE_SECONDS} seconds, trade this one-time code for API "
        f"tokens:\n\ncurl -X POST {settings.PUBLIC_BASE_URL}/api/v1/auth/oidc/exchange/ "
        f"-H 'Content-Type: application/json' -d '{{\"code\": \"{code}\"}}'\n"
    )
