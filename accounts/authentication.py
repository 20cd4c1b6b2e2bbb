"""Bearer authentication: our SimpleJWT tokens, or (when configured) the OIDC provider's access tokens."""

from rest_framework_simplejwt.authentication import JWTAuthentication


class BearerAuthentication(JWTAuthentication):
    """Accepts this platform's JWTs. OIDC provider tokens are added by the accounts OIDC work."""
