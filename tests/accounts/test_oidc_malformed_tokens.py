"""A string that no provider could have issued is a rejected token (401), not an unreachable provider (503).

Found by the schemathesis run: such a token used to be sent on in an HTTP header and fail there."""

import pytest
import requests

from tests.accounts.oidc_provider import CLIENT_ID, CLIENT_SECRET, OIDCProvider

pytestmark = pytest.mark.django_db


@pytest.fixture
def provider(settings):
    provider = OIDCProvider().start()
    config = requests.get(f"{provider.issuer}/.well-known/openid-configuration", timeout=5).json()
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = config["authorization_endpoint"]
    settings.OIDC_OP_TOKEN_ENDPOINT = config["token_endpoint"]
    settings.OIDC_OP_USER_ENDPOINT = config["userinfo_endpoint"]
    settings.OIDC_OP_JWKS_ENDPOINT = config["jwks_uri"]
    settings.OIDC_RP_CLIENT_ID = CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = CLIENT_SECRET
    settings.OIDC_ENABLED = True
    settings.OIDC_TIMEOUT = 5
    yield provider
    provider.stop()


@pytest.mark.parametrize("token", ["line\nbreak", "emoji-\U0001f600"], ids=["newline", "non-latin-1"])
def test_a_malformed_provider_token_is_rejected_not_blamed_on_the_provider(provider, api_client, token):
    response = api_client.post("/api/v1/auth/oidc/token/", {"access_token": token}, format="json")

    assert response.status_code == 401
    assert response.json()["code"] == "token_not_valid"
