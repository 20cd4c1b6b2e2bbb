"""Identity-provider fixtures: a real OpenID provider on loopback and our settings pointed at it."""

import pytest
import requests

from accounts.provider_tokens import provider_keys_forget
from tests.accounts.oidc_provider import (
    API_AUDIENCE,
    AUTH0_AUDIENCE,
    AUTH0_DOMAIN,
    CLIENT_ID,
    CLIENT_SECRET,
    FIREBASE_PROJECT,
    OIDCProvider,
)


@pytest.fixture
def provider(settings):
    """A running provider; the userinfo path and the browser flow pointed at what its discovery document says."""
    provider_keys_forget()  # keys cached by an earlier test's provider must not answer for this one
    provider = OIDCProvider().start()
    config = requests.get(f"{provider.issuer}/.well-known/openid-configuration", timeout=5).json()
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = config["authorization_endpoint"]
    settings.OIDC_OP_TOKEN_ENDPOINT = config["token_endpoint"]
    settings.OIDC_OP_USER_ENDPOINT = config["userinfo_endpoint"]
    settings.OIDC_OP_JWKS_ENDPOINT = config["jwks_uri"]
    settings.OIDC_RP_CLIENT_ID = CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = CLIENT_SECRET
    settings.OIDC_RP_SIGN_ALGO = "RS256"
    settings.OIDC_ENABLED = True
    settings.OIDC_TIMEOUT = 5
    yield provider
    provider.stop()
    provider_keys_forget()


@pytest.fixture
def jwt_provider(provider, settings):
    """The same provider also accepted as a JWT issuer (keys found through its discovery document)."""
    settings.OIDC_JWT_ISSUER = provider.issuer
    settings.OIDC_JWT_AUDIENCE = [API_AUDIENCE, CLIENT_ID]
    settings.OIDC_JWKS_URL = ""
    return provider


@pytest.fixture
def presets(provider, settings):
    """Firebase and Auth0 configured as their users would, with the key URLs pointed at the local provider."""
    settings.FIREBASE_PROJECT_ID = FIREBASE_PROJECT
    settings.FIREBASE_JWKS_URL = f"{provider.issuer}/jwks"
    settings.AUTH0_DOMAIN = AUTH0_DOMAIN
    settings.AUTH0_AUDIENCE = [AUTH0_AUDIENCE]
    settings.AUTH0_JWKS_URL = f"{provider.issuer}/jwks"
    return provider
