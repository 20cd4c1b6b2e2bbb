"""A small OpenID Connect provider on 127.0.0.1 (ephemeral port) for tests.

It speaks real HTTP: discovery, JWKS, userinfo, and the authorization-code endpoints (authorize, token) so
the browser flow can run end to end. Access tokens are RS256 JWTs signed by the provider, like Keycloak's
(profile claims included), unless an opaque token is asked for. Tests also mint their own tokens with `mint`
(any issuer, e.g. Firebase- or Auth0-shaped), rotate or add keys, and take the keys or userinfo down.
"""

import json
import secrets
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlparse

import jwt
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwt.algorithms import ECAlgorithm, RSAAlgorithm

CLIENT_ID = "ordertrail-test"
CLIENT_SECRET = "test-client-secret"
KEY_ID = "test-key-1"
API_AUDIENCE = "ordertrail-api"
# Firebase- and Auth0-shaped tokens are minted by the tests with these issuers; their keys come from here.
FIREBASE_PROJECT = "demo-ordertrail"
FIREBASE_ISSUER = f"https://securetoken.google.com/{FIREBASE_PROJECT}"
AUTH0_DOMAIN = "ordertrail-test.eu.auth0.com"
AUTH0_ISSUER = f"https://{AUTH0_DOMAIN}/"
AUTH0_AUDIENCE = "https://api.ordertrail.test"

_private_key = None


def _signing_key():
    global _private_key
    if _private_key is None:  # one 2048-bit key per test session is plenty
        _private_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return _private_key


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        # A client that gave up (our timeout test) leaves a broken pipe behind; that is expected.
        pass


class OIDCProvider:
    """Start with `start()`; `mode` switches userinfo to "ok", "error" (503), "slow" or "ratelimited" (429),
    `jwks_mode` the keys to "ok" or "error" (503)."""

    def __init__(self):
        self.key = _signing_key()
        # kid -> (algorithm, private key); the JWKS publishes the public halves of all of them.
        self.keys: dict[str, tuple[str, object]] = {KEY_ID: ("RS256", self.key)}
        self.signing_kid = KEY_ID
        self.access_tokens: dict[str, dict] = {}
        self.codes: dict[str, dict] = {}
        self.next_login_claims: dict | None = None
        self.hits: Counter = Counter()
        self.mode = "ok"
        self.jwks_mode = "ok"
        self.slow_seconds = 2.0
        self._server: _Server | None = None

    # --- lifecycle ---------------------------------------------------------------------------
    def start(self) -> "OIDCProvider":
        provider = self

        class Handler(_Handler):
            pass

        Handler.provider = provider
        self._server = _Server(("127.0.0.1", 0), Handler)
        threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    @property
    def issuer(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    # --- what the provider knows ---------------------------------------------------------------
    def discovery(self) -> dict:
        return {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "userinfo_endpoint": f"{self.issuer}/userinfo",
            "jwks_uri": f"{self.issuer}/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "scopes_supported": ["openid", "email", "profile"],
        }

    def jwks(self) -> dict:
        keys = []
        for kid, (alg, key) in self.keys.items():
            to_jwk = RSAAlgorithm.to_jwk if alg == "RS256" else ECAlgorithm.to_jwk
            jwk = json.loads(to_jwk(key.public_key()))
            jwk.update({"kid": kid, "alg": alg, "use": "sig"})
            keys.append(jwk)
        return {"keys": keys}

    def add_key(self, kid: str, *, alg: str = "RS256", sign_with: bool = True) -> None:
        """Publish a new key (RS256 or ES256) and, by default, sign from now on with it."""
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048) if alg == "RS256" else None
        if alg == "ES256":
            key = ec.generate_private_key(ec.SECP256R1())
        self.keys[kid] = (alg, key)
        if sign_with:
            self.signing_kid = kid

    def rotate(self, kid: str) -> None:
        """A key rotation: the new key signs and is the only one published."""
        self.add_key(kid)
        self.keys = {kid: self.keys[kid]}

    def mint(self, claims: dict, *, kid: str | None = None, headers: dict | None = None) -> str:
        """A JWT with exactly these claims, signed with the current (or the named) key."""
        kid = kid or self.signing_kid
        alg, key = self.keys.get(kid, self.keys[self.signing_kid])
        return jwt.encode(claims, key, algorithm=alg, headers={"kid": kid, **(headers or {})})

    def _sign(self, claims: dict) -> str:
        return self.mint(claims)

    def issue_access_token(self, claims: dict, *, opaque: bool = False) -> str:
        """An access token the userinfo endpoint will answer `claims` for."""
        now = int(time.time())
        if opaque:
            token = secrets.token_urlsafe(32)
        else:
            profile = ("email", "email_verified", "given_name", "family_name")
            token = self._sign(
                {
                    "iss": self.issuer,
                    "sub": claims.get("sub", claims.get("email")),
                    "aud": API_AUDIENCE,
                    "iat": now,
                    "exp": now + 3600,
                    "scope": "openid email profile",
                    "jti": secrets.token_hex(8),
                    **{name: claims[name] for name in profile if name in claims},
                }
            )
        self.access_tokens[token] = {"sub": claims.get("email"), **claims}
        return token

    def _id_token(self, claims: dict, nonce: str | None) -> str:
        now = int(time.time())
        payload = {
            "iss": self.issuer,
            "aud": CLIENT_ID,
            "iat": now,
            "exp": now + 600,
            "sub": claims.get("sub", claims.get("email")),
            "email": claims.get("email"),
            "email_verified": claims.get("email_verified"),
        }
        if nonce:
            payload["nonce"] = nonce
        return self._sign(payload)


class _Handler(BaseHTTPRequestHandler):
    provider: OIDCProvider

    def log_message(self, format, *args):  # keep test output quiet
        pass

    def _json(self, status: int, body: dict, headers: dict | None = None) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        url = urlparse(self.path)
        provider = self.provider
        provider.hits[url.path] += 1
        if url.path == "/.well-known/openid-configuration":
            return self._json(200, provider.discovery())
        if url.path == "/jwks":
            if provider.jwks_mode == "error":
                return self._json(503, {"error": "temporarily_unavailable"})
            return self._json(200, provider.jwks())
        if url.path == "/userinfo":
            return self._userinfo()
        if url.path == "/authorize":
            query = {k: v[0] for k, v in parse_qs(url.query).items()}
            code = secrets.token_urlsafe(16)
            provider.codes[code] = {"claims": provider.next_login_claims, "nonce": query.get("nonce")}
            target = f"{query['redirect_uri']}?{urlencode({'code': code, 'state': query['state']})}"
            self.send_response(302)
            self.send_header("Location", target)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return None
        return self._json(404, {"error": "not_found"})

    def do_POST(self):
        url = urlparse(self.path)
        provider = self.provider
        provider.hits[url.path] += 1
        length = int(self.headers.get("Content-Length") or 0)
        form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
        if url.path != "/token":
            return self._json(404, {"error": "not_found"})
        grant = provider.codes.pop(form.get("code", ""), None)
        if (
            grant is None
            or form.get("client_id") != CLIENT_ID
            or form.get("client_secret") != CLIENT_SECRET
            or form.get("grant_type") != "authorization_code"
        ):
            return self._json(400, {"error": "invalid_grant"})
        access_token = provider.issue_access_token(grant["claims"])
        return self._json(
            200,
            {
                "access_token": access_token,
                "id_token": provider._id_token(grant["claims"], grant["nonce"]),
                "token_type": "Bearer",
                "expires_in": 3600,
            },
        )

    def _userinfo(self):
        provider = self.provider
        if provider.mode == "error":
            return self._json(503, {"error": "temporarily_unavailable"})
        if provider.mode == "slow":
            time.sleep(provider.slow_seconds)
        if provider.mode == "ratelimited":  # Auth0: a handful of userinfo calls a minute per user
            return self._json(429, {"error": "too_many_requests"}, {"Retry-After": "30"})
        header = self.headers.get("Authorization", "")
        token = header[len("Bearer ") :] if header.startswith("Bearer ") else ""
        claims = provider.access_tokens.get(token)
        if claims is None:
            return self._json(
                401,
                {"error": "invalid_token"},
                {
                    "WWW-Authenticate": 'Bearer error="invalid_token", error_description="The access token is invalid"'
                },
            )
        return self._json(200, claims)


def firebase_claims(**overrides) -> dict:
    """A Firebase ID token's claims, as the Firebase Auth SDK issues them."""
    now = int(time.time())
    claims = {
        "iss": FIREBASE_ISSUER,
        "aud": FIREBASE_PROJECT,
        "auth_time": now - 30,
        "user_id": "fb-uid-123",
        "sub": "fb-uid-123",
        "iat": now,
        "exp": now + 3600,
        "email": "wanjiru@example.com",
        "email_verified": True,
        "firebase": {"identities": {"email": ["wanjiru@example.com"]}, "sign_in_provider": "password"},
    }
    claims.update(overrides)
    return {k: v for k, v in claims.items() if v is not None}


def auth0_claims(**overrides) -> dict:
    """An Auth0 access token for our API: no email, no `openid` scope needed."""
    now = int(time.time())
    claims = {
        "iss": AUTH0_ISSUER,
        "sub": "auth0|65f0c0ffee",
        "aud": [AUTH0_AUDIENCE, f"{AUTH0_ISSUER}userinfo"],
        "iat": now,
        "exp": now + 86400,
        "scope": "read:orders",
        "azp": "spa-client-id",
    }
    claims.update(overrides)
    return {k: v for k, v in claims.items() if v is not None}
