"""OpenID Connect: users created (as customers) or linked by verified email on first use."""

from mozilla_django_oidc.auth import OIDCAuthenticationBackend


class OrdertrailOIDCBackend(OIDCAuthenticationBackend):
    """Find users by email (our login), create them as verified customers."""

    def filter_users_by_claims(self, claims):
        email = (claims.get("email") or "").lower()
        if not email or not claims.get("email_verified", False):
            return self.UserModel.objects.none()
        return self.UserModel.objects.filter(email__iexact=email)

    def verify_claims(self, claims):
        return bool(claims.get("email")) and bool(claims.get("email_verified", False))

    def create_user(self, claims):
        return self.UserModel.objects.create_user(
            email=claims["email"].lower(),
            first_name=claims.get("given_name", "")[:150],
            last_name=claims.get("family_name", "")[:150],
            is_email_verified=True,
        )
