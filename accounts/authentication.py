"""Bearer authentication: our SimpleJWT tokens, or (when configured) identity providers' tokens."""

import jwt
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import AuthenticationFailed, InvalidToken
from rest_framework_simplejwt.settings import api_settings as jwt_settings
from rest_framework_simplejwt.utils import get_md5_hash_password

from core.queries import PrimaryKeyLookup

from .oidc import oidc_enabled, oidc_user_for_access_token

# Every authenticated request loads its user by primary key (the token's user_id): compiled once.
_user_by_pk = PrimaryKeyLookup(get_user_model())


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


class BearerAuthentication(JWTAuthentication):
    """`Authorization: Bearer <token>`: one of our JWTs, else a provider token (`accounts.oidc`).

    SimpleJWT raises on any token it cannot validate, so it is asked first and a token that does not
    carry our signature goes to the provider path (a JWT verified locally, an opaque token at userinfo)
    instead of failing the request.
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

    def get_user(self, validated_token):
        """SimpleJWT's `get_user` (same checks, same errors) with the user row read by `PrimaryKeyLookup`."""
        if jwt_settings.USER_ID_FIELD != "id":  # pragma: no cover - another setup: SimpleJWT's own lookup
            return super().get_user(validated_token)
        try:
            user_id = validated_token[jwt_settings.USER_ID_CLAIM]
        except KeyError as exc:
            raise InvalidToken(_("Token contained no recognizable user identification")) from exc
        user = _user_by_pk.get(user_id)
        if user is None:
            raise AuthenticationFailed(_("User not found"), code="user_not_found")
        if jwt_settings.CHECK_USER_IS_ACTIVE and not user.is_active:
            raise AuthenticationFailed(_("User is inactive"), code="user_inactive")
        if jwt_settings.CHECK_REVOKE_TOKEN and validated_token.get(
            jwt_settings.REVOKE_TOKEN_CLAIM
        ) != get_md5_hash_password(user.password):
            raise AuthenticationFailed(_("The user's password has been changed."), code="password_changed")
        return user


class BearerAuthenticationScheme(OpenApiAuthenticationExtension):
    """Documents `BearerAuthentication` in the OpenAPI schema."""

    target_class = BearerAuthentication
    name = "bearerAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "JWT",
            "description": "This platform's JWT access token, or a token from a configured identity "
            "provider (Firebase ID token, Auth0 access token, an OpenID Connect provider's JWT or opaque "
            "access token).",
        }
