"""Bearer authentication: our SimpleJWT tokens, or (when configured) the OIDC provider's access tokens."""

import time

import jwt
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import InvalidToken
from rest_framework_simplejwt.settings import api_settings as jwt_settings

from .oidc import oidc_enabled, oidc_user_for_access_token


def _signed_by_us(raw_token: bytes) -> bool:
    """True when the token carries our signature, expired or not: such a token never leaves for the provider."""
    try:
        jwt.decode(
            raw_token,
            jwt_settings.VERIFYING_KEY or jwt_settings.SIGNING_KEY,
            algorithms=[jwt_settings.ALGORITHM],
            options={"verify_exp": False, "verify_nbf": False, "verify_iat": False, "verify_aud": False},
        )
    except jwt.PyJWTError:
        return False
    return True


# Our access tokens already verified, by their raw bytes: a client sends the same token on every request,
# and checking its signature and claims again cost as much as loading the user. Only time can change the
# verdict on a token we verified, so `exp` is checked again on every hit (strictly, without the leeway: a
# token at its expiry is verified afresh and answered exactly as before). Per process, bounded. The user is
# still loaded on every request, so deactivation and password changes (CHECK_REVOKE_TOKEN) apply at once.
_VERIFIED_TOKENS: dict = {}
_VERIFIED_TOKENS_MAX = 10_000


class BearerAuthentication(JWTAuthentication):
    """`Authorization: Bearer <token>`: one of our JWTs, else a provider access token checked at userinfo.

    SimpleJWT raises on any token it cannot validate, so it is asked first and a token that does not
    carry our signature is handed to the OIDC provider instead of failing the request.
    """

    def authenticate(self, request):
        header = self.get_header(request)
        if header is None:
            return None
        raw_token = self.get_raw_token(header)
        if raw_token is None:
            return None
        try:
            validated_token = self.get_validated_token(raw_token)
        except InvalidToken:
            if not oidc_enabled() or _signed_by_us(raw_token):
                raise
            access_token = raw_token.decode("utf-8", errors="replace")
            return oidc_user_for_access_token(access_token=access_token), access_token
        return self.get_user(validated_token), validated_token

    def get_validated_token(self, raw_token: bytes):
        token = _VERIFIED_TOKENS.get(raw_token)
        if token is not None and token.payload.get("exp", 0) > time.time():
            return token
        token = super().get_validated_token(raw_token)
        if len(_VERIFIED_TOKENS) >= _VERIFIED_TOKENS_MAX:
            _VERIFIED_TOKENS.clear()
        _VERIFIED_TOKENS[raw_token] = token
        return token


class BearerAuthenticationScheme(OpenApiAuthenticationExtension):
    """Documents `BearerAuthentication` in the OpenAPI schema."""

    target_class = BearerAuthentication
    name = "bearerAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "JWT",
            "description": "This platform's JWT access token, or an access token from the configured "
            "OpenID Connect provider.",
        }
