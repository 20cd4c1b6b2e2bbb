"""Identity-provider tokens that are JWTs, verified here against the provider's published keys.

No call to the provider per token: the keys (JWKS) are fetched once, cached, refreshed when stale and refetched
on an unknown `kid` at most once a minute, so a flood of forged `kid`s cannot hammer the provider. Firebase ID
tokens, Auth0 access tokens and one generic OIDC issuer can be accepted at once; the token's `iss` picks.
"""

import functools
import json
import logging
import threading
import time
from dataclasses import dataclass

import jwt
import requests
from django.conf import settings

logger = logging.getLogger(__name__)

LEEWAY_SECONDS = 60
# An unknown `kid` refetches the keys at most this often; a failed fetch is retried after the shorter pause.
REFETCH_SECONDS = 60
RETRY_AFTER_FAILURE_SECONDS = 5
# Asymmetric only: `none` and HS* (which a public key would "verify") never get near a key.
ALGORITHMS = {"RS256": ("RSA", None), "ES256": ("EC", "P-256")}
FIREBASE_ISSUER_PREFIX = "https://securetoken.google.com/"


class ProviderTokenInvalid(Exception):
    """The token is not one we accept (signature, issuer, audience, times, claims)."""


class ProviderKeysUnavailable(Exception):
    """The provider's keys (or its discovery document) cannot be fetched right now."""


@dataclass(frozen=True)
class TokenIssuer:
    """One issuer we accept JWTs from: what `aud` must hold and where its keys are ("" = discovery)."""

    issuer: str
    audiences: tuple[str, ...]
    jwks_url: str
    check_auth_time: bool = False


def _auth0_host(domain: str) -> str:
    # People paste the domain as a URL too: "https://tenant.eu.auth0.com/".
    return domain.strip().removeprefix("https://").removeprefix("http://").strip("/")


def token_issuers() -> dict[str, TokenIssuer]:
    """The configured issuers by `iss` value (read from settings on each call: they are few and cheap)."""
    issuers = []
    if settings.FIREBASE_PROJECT_ID:
        project = settings.FIREBASE_PROJECT_ID
        issuers.append(
            TokenIssuer(
                issuer=FIREBASE_ISSUER_PREFIX + project,
                audiences=(project,),
                jwks_url=settings.FIREBASE_JWKS_URL,
                check_auth_time=True,
            )
        )
    if settings.AUTH0_DOMAIN:
        host = _auth0_host(settings.AUTH0_DOMAIN)
        issuers.append(
            TokenIssuer(
                issuer=f"https://{host}/",
                audiences=tuple(settings.AUTH0_AUDIENCE),
                jwks_url=settings.AUTH0_JWKS_URL or f"https://{host}/.well-known/jwks.json",
            )
        )
    if settings.OIDC_JWT_ISSUER:
        issuers.append(
            TokenIssuer(
                issuer=settings.OIDC_JWT_ISSUER,
                audiences=tuple(settings.OIDC_JWT_AUDIENCE),
                jwks_url=settings.OIDC_JWKS_URL,
            )
        )
    return {issuer.issuer: issuer for issuer in issuers if issuer.audiences}


def provider_tokens_enabled() -> bool:
    return bool(token_issuers())


def _get_json(url: str) -> dict:
    try:
        response = requests.get(url, timeout=settings.OIDC_TIMEOUT, headers={"Accept": "application/json"})
        response.raise_for_status()
        document = response.json()
    except (requests.RequestException, ValueError) as exc:  # ValueError: a body that is not JSON
        raise ProviderKeysUnavailable(f"{url}: {type(exc).__name__}") from exc
    if not isinstance(document, dict):
        raise ProviderKeysUnavailable(f"{url}: not a JSON object")
    return document


class _KeySet:
    """One issuer's signing keys by `kid`, cached in this process."""

    def __init__(self, issuer: TokenIssuer):
        self.issuer = issuer
        self._lock = threading.Lock()
        self._keys: dict[str, dict] | None = None
        self._fetched_at = 0.0
        self._not_before = 0.0  # no fetch before this time (rate limit; wall clock so tests can travel)
        self._jwks_url = issuer.jwks_url

    def signing_key(self, *, kid: str, alg: str) -> jwt.PyJWK:
        keys = self._keys
        if keys is None or kid not in keys or self._stale():
            with self._lock:  # concurrent requests wait for one fetch instead of each making their own
                keys = self._current_keys(kid)
        jwk = keys.get(kid)
        if jwk is None:
            raise ProviderTokenInvalid("no key with this kid")
        return _verifying_key(json.dumps(jwk, sort_keys=True), alg)

    def _stale(self) -> bool:
        return time.time() - self._fetched_at > settings.OIDC_JWKS_CACHE_SECONDS

    def _current_keys(self, kid: str) -> dict[str, dict]:
        if self._keys is None:  # nothing to verify with: a failure here is the provider's
            self._fetch(required=True)
        elif kid not in self._keys or self._stale():
            # Unknown kid (rotation?) or stale keys: one fetch at most, else the cached keys answer.
            self._fetch(required=kid not in self._keys)
        return self._keys

    def _fetch(self, *, required: bool) -> None:
        now = time.time()
        if now < self._not_before:
            if self._keys is None:
                raise ProviderKeysUnavailable("the keys could not be fetched a moment ago")
            return  # rate-limited: an unknown kid is simply unknown
        try:
            url = self._jwks_url or self._discover_jwks_url()
            keys = _keys_by_kid(_get_json(url))
        except ProviderKeysUnavailable:
            self._not_before = now + RETRY_AFTER_FAILURE_SECONDS
            if required:
                raise
            logger.warning("Keeping the cached keys of %s: refreshing them failed", self.issuer.issuer)
            return
        self._keys, self._fetched_at, self._not_before = keys, now, now + REFETCH_SECONDS

    def _discover_jwks_url(self) -> str:
        document = _get_json(self.issuer.issuer.rstrip("/") + "/.well-known/openid-configuration")
        if document.get("issuer") != self.issuer.issuer or not isinstance(document.get("jwks_uri"), str):
            # A document for another issuer is a misconfiguration; it must not lend us its keys.
            logger.error("The discovery document of %s names another issuer or no keys", self.issuer.issuer)
            raise ProviderKeysUnavailable("discovery document does not match the issuer")
        self._jwks_url = document["jwks_uri"]
        return self._jwks_url


def _keys_by_kid(document: dict) -> dict[str, dict]:
    keys = document.get("keys")
    if not isinstance(keys, list):
        raise ProviderKeysUnavailable("the JWKS has no key list")
    return {
        key["kid"]: key
        for key in keys
        if isinstance(key, dict) and isinstance(key.get("kid"), str) and key.get("use", "sig") == "sig"
    }


@functools.lru_cache(maxsize=64)
def _verifying_key(jwk_json: str, alg: str) -> jwt.PyJWK:
    """The key for `alg`, refused when the JWK is of another type or names another algorithm."""
    jwk = json.loads(jwk_json)
    kty, crv = ALGORITHMS[alg]
    if jwk.get("kty") != kty or (crv and jwk.get("crv") != crv) or jwk.get("alg", alg) != alg:
        raise ProviderTokenInvalid("the key does not fit the token's algorithm")
    try:
        return jwt.PyJWK(jwk, algorithm=alg)
    except jwt.PyJWTError as exc:
        raise ProviderTokenInvalid("unusable key") from exc


_key_sets: dict[TokenIssuer, _KeySet] = {}
_key_sets_lock = threading.Lock()


def _key_set(issuer: TokenIssuer) -> _KeySet:
    with _key_sets_lock:
        if issuer not in _key_sets:
            _key_sets[issuer] = _KeySet(issuer)
        return _key_sets[issuer]


def provider_keys_forget() -> None:
    """Drop every cached key (a shell after an emergency key revocation; tests between providers)."""
    with _key_sets_lock:
        _key_sets.clear()


def _unverified_jwt(token: str) -> tuple[dict, dict] | None:
    """(header, payload) of a compact JWS, unverified; None for anything else (an opaque token, a JWE)."""
    if token.count(".") != 2:
        return None
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError:
        return None  # dots, but not a JWT: some opaque tokens look like this
    try:
        payload = jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError as exc:
        raise ProviderTokenInvalid("unreadable payload") from exc
    return header, payload


def provider_token_claims(token: str) -> tuple[TokenIssuer, dict] | None:
    """The verified claims of a JWT and its issuer; None when the token is not a JWT (opaque).

    Raises `ProviderTokenInvalid` for any JWT we do not accept (an unknown issuer included: JWTs are only ever
    verified here, never handed to a userinfo endpoint) and `ProviderKeysUnavailable` when the keys are out of
    reach.
    """
    parts = _unverified_jwt(token)
    if parts is None:
        return None
    header, unverified = parts
    issuer = token_issuers().get(unverified.get("iss")) if isinstance(unverified.get("iss"), str) else None
    alg, kid = header.get("alg"), header.get("kid")
    if issuer is None or alg not in ALGORITHMS or not isinstance(kid, str) or not kid:
        raise ProviderTokenInvalid("issuer, algorithm or kid not accepted")
    key = _key_set(issuer).signing_key(kid=kid, alg=alg)
    try:
        claims = jwt.decode(
            token,
            key,
            algorithms=[alg],
            audience=list(issuer.audiences),
            issuer=issuer.issuer,
            leeway=LEEWAY_SECONDS,
            options={"require": ["iss", "aud", "sub", "exp", "iat"]},
        )
    except jwt.PyJWTError as exc:
        raise ProviderTokenInvalid(str(exc)) from exc
    subject = claims["sub"]
    if not isinstance(subject, str) or not subject.strip() or len(subject) > 255:
        raise ProviderTokenInvalid("unusable sub")
    if issuer.check_auth_time:  # Firebase: the sign-in itself cannot lie in the future
        auth_time = claims.get("auth_time")
        if not isinstance(auth_time, int | float) or auth_time > time.time() + LEEWAY_SECONDS:
            raise ProviderTokenInvalid("auth_time missing or in the future")
    return issuer, claims
