"""Provider tokens that are JWTs (Firebase ID tokens, Auth0 access tokens, any OIDC provider's) are verified
locally against keys a real HTTP server on loopback publishes; tokens are minted with keys made in the test."""

import base64
import hashlib
import hmac
import json
import threading
import time
from urllib.parse import parse_qs, urlparse

import pytest
import requests
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from accounts.models import ExternalIdentity, User
from accounts.provider_tokens import ProviderTokenInvalid, provider_token_claims
from tests.accounts.oidc_provider import (
    AUTH0_ISSUER,
    CLIENT_ID,
    CLIENT_SECRET,
    FIREBASE_ISSUER,
    auth0_claims,
    firebase_claims,
)
from tests.conftest import bearer_client
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def _me(api_client, token):
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return api_client.get("/api/v1/auth/me/")


def _segment(data) -> str:
    raw = data if isinstance(data, bytes) else json.dumps(data).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def test_a_firebase_id_token_signs_in_to_the_account_with_its_verified_email(presets, api_client):
    owner = CustomerFactory(email="wanjiru@example.com")
    response = _me(api_client, presets.mint(firebase_claims()))

    assert response.status_code == 200, response.json()
    assert response.json()["id"] == str(owner.id)
    assert ExternalIdentity.objects.get(issuer=FIREBASE_ISSUER, subject="fb-uid-123").user == owner
    assert presets.hits["/userinfo"] == 0


@pytest.mark.parametrize(
    "claims",
    [auth0_claims(), auth0_claims(sub="m2m-client@clients", gty="client-credentials", azp="m2m-client")],
    ids=["user-access-token", "machine-to-machine"],
)
def test_an_auth0_access_token_without_email_or_openid_scope_signs_in_as_a_new_customer(
    presets, api_client, claims
):
    token = presets.mint(claims)
    first, second = _me(api_client, token), _me(api_client, token)

    assert first.status_code == 200, first.json()
    assert first.json()["account_type"] == "customer"
    assert first.json()["email"].endswith("@no-email.invalid")  # no email claim: none invented
    assert second.json()["id"] == first.json()["id"]
    assert ExternalIdentity.objects.get(issuer=AUTH0_ISSUER).subject == claims["sub"]
    assert presets.hits["/userinfo"] == 0
    assert presets.hits["/jwks"] == 1  # keys cached across requests


def test_several_issuers_are_accepted_at_once_and_the_token_iss_picks(presets, jwt_provider, api_client):
    tokens = [
        presets.mint(firebase_claims()),
        presets.mint(auth0_claims()),
        jwt_provider.issue_access_token({"sub": "kc-42", "email": "kc@example.com", "email_verified": True}),
    ]
    ids = {_me(api_client, token).json()["id"] for token in tokens}
    assert len(ids) == 3
    assert set(ExternalIdentity.objects.values_list("issuer", flat=True)) == {
        FIREBASE_ISSUER,
        AUTH0_ISSUER,
        jwt_provider.issuer,
    }


def test_a_generic_providers_keys_come_from_its_discovery_document(jwt_provider, api_client):
    token = jwt_provider.issue_access_token(
        {"sub": "kc-42", "email": "kc@example.com", "email_verified": True}
    )
    assert _me(api_client, token).json()["email"] == "kc@example.com"
    assert jwt_provider.hits["/.well-known/openid-configuration"] == 2  # the fixture's own read, then ours
    assert jwt_provider.hits["/jwks"] == 1
    assert jwt_provider.hits["/userinfo"] == 0


def test_tokens_from_the_providers_own_token_endpoint_sign_in_without_userinfo(jwt_provider, api_client):
    jwt_provider.next_login_claims = {"sub": "kc-7", "email": "amina@example.com", "email_verified": True}
    authorize = requests.get(
        f"{jwt_provider.issuer}/authorize",
        params={
            "client_id": CLIENT_ID,
            "redirect_uri": "http://app.example/cb",
            "state": "s1",
            "nonce": "n1",
        },
        allow_redirects=False,
        timeout=5,
    )
    code = parse_qs(urlparse(authorize.headers["Location"]).query)["code"][0]
    grant = requests.post(
        f"{jwt_provider.issuer}/token",
        data={
            "grant_type": "authorization_code",
            "code": code,
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
        },
        timeout=5,
    ).json()

    by_access_token = _me(api_client, grant["access_token"])
    by_id_token = _me(api_client, grant["id_token"])  # its audience is the client id, also configured

    assert by_access_token.status_code == 200, by_access_token.json()
    assert by_access_token.json()["email"] == "amina@example.com"
    assert by_id_token.json()["id"] == by_access_token.json()["id"]
    assert jwt_provider.hits["/userinfo"] == 0


def test_an_es256_key_is_accepted(presets, api_client):
    presets.add_key("ec-key-1", alg="ES256")
    assert _me(api_client, presets.mint(firebase_claims())).status_code == 200


def test_sixty_seconds_of_clock_skew_are_tolerated(presets, api_client):
    now = int(time.time())
    token = presets.mint(firebase_claims(iat=now - 3630, exp=now - 30, auth_time=now - 3700))
    assert _me(api_client, token).status_code == 200


def _alg_none(provider) -> str:
    return f"{_segment({'alg': 'none', 'kid': 'test-key-1'})}.{_segment(firebase_claims())}."


def _hs256_with_the_public_key(provider) -> str:
    # The classic confusion attack: HMAC keyed with the published public key. PyJWT refuses to mint it.
    pem = provider.key.public_key().public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)
    signing_input = (
        f"{_segment({'alg': 'HS256', 'typ': 'JWT', 'kid': 'test-key-1'})}.{_segment(firebase_claims())}"
    )
    signature = hmac.new(pem, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{_segment(signature)}"


def _tampered(provider) -> str:
    header, _payload, signature = provider.mint(firebase_claims(email="someone@example.com")).split(".")
    return f"{header}.{_segment(firebase_claims(email='boss@example.com'))}.{signature}"


INVALID = {
    "wrong-issuer": lambda p: p.mint(firebase_claims(iss="https://securetoken.google.com/another-project")),
    "wrong-audience": lambda p: p.mint(firebase_claims(aud="another-project")),
    "expired": lambda p: p.mint(firebase_claims(iat=int(time.time()) - 7200, exp=int(time.time()) - 120)),
    "not-yet-valid": lambda p: p.mint(firebase_claims(nbf=int(time.time()) + 300)),
    "issued-in-the-future": lambda p: p.mint(firebase_claims(iat=int(time.time()) + 300)),
    "signed-in-in-the-future": lambda p: p.mint(firebase_claims(auth_time=int(time.time()) + 300)),
    "alg-none": _alg_none,
    "hs256-with-public-key": _hs256_with_the_public_key,
    "unknown-kid": lambda p: p.mint(firebase_claims(), kid="forged-kid"),
    "tampered-payload": _tampered,
    "missing-sub": lambda p: p.mint(firebase_claims(sub=None)),
    "empty-sub": lambda p: p.mint(firebase_claims(sub="")),
    "missing-exp": lambda p: p.mint(firebase_claims(exp=None)),
    "auth0-token-for-another-api": lambda p: p.mint(auth0_claims(aud="https://another-api.example")),
    "garbage-signature": lambda p: p.mint(firebase_claims()).rsplit(".", 1)[0] + ".c2lnbmF0dXJl",
}


@pytest.mark.parametrize("make_token", INVALID.values(), ids=INVALID.keys())
def test_an_invalid_provider_jwt_is_401_token_not_valid(presets, api_client, make_token):
    response = _me(api_client, make_token(presets))

    assert response.status_code == 401
    assert response.json()["code"] == "token_not_valid"
    assert not User.objects.exists()
    assert presets.hits["/userinfo"] == 0  # a JWT is never handed to userinfo


def test_a_key_rotation_is_picked_up(presets, api_client, time_machine):
    time_machine.move_to("2026-03-01 09:00:00+00:00", tick=False)
    assert _me(api_client, presets.mint(firebase_claims())).status_code == 200
    old_key_token = presets.mint(firebase_claims())

    time_machine.move_to("2026-03-01 09:05:00+00:00", tick=False)
    presets.rotate("test-key-2")
    response = _me(api_client, presets.mint(firebase_claims()))

    assert response.status_code == 200
    assert presets.hits["/jwks"] == 2
    assert _me(api_client, old_key_token).json()["code"] == "token_not_valid"  # the retired key is gone


def test_a_burst_of_forged_kids_makes_at_most_one_key_fetch(presets, api_client, time_machine):
    time_machine.move_to("2026-03-01 09:00:00+00:00", tick=False)
    assert _me(api_client, presets.mint(firebase_claims())).status_code == 200
    time_machine.move_to("2026-03-01 09:05:00+00:00", tick=False)  # long enough for one refetch
    fetches_before = presets.hits["/jwks"]

    codes = {
        _me(api_client, presets.mint(firebase_claims(), kid=f"forged-{n}")).json()["code"] for n in range(100)
    }

    assert codes == {"token_not_valid"}
    assert presets.hits["/jwks"] - fetches_before <= 1


def test_concurrent_forged_kids_from_cold_make_one_key_fetch(presets):
    tokens = [presets.mint(firebase_claims(), kid=f"forged-{n}") for n in range(100)]
    outcomes = []

    def verify(token):
        try:
            provider_token_claims(token)
        except ProviderTokenInvalid:
            outcomes.append("invalid")

    threads = [threading.Thread(target=verify, args=(token,)) for token in tokens]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert outcomes == ["invalid"] * 100
    assert presets.hits["/jwks"] == 1


@pytest.mark.parametrize("outage", ["error", "stopped"])
def test_keys_out_of_reach_is_503_oidc_unavailable(presets, api_client, outage):
    token = presets.mint(firebase_claims())
    if outage == "error":
        presets.jwks_mode = "error"
    else:
        presets.stop()
    response = _me(api_client, token)
    assert response.status_code == 503
    assert response.json()["code"] == "oidc_unavailable"


def test_cached_keys_keep_working_while_the_provider_cannot_refresh_them(presets, api_client, time_machine):
    time_machine.move_to("2026-03-01 09:00:00+00:00", tick=False)
    assert _me(api_client, presets.mint(firebase_claims())).status_code == 200
    time_machine.move_to("2026-03-01 11:00:00+00:00", tick=False)  # past OIDC_JWKS_CACHE_SECONDS
    presets.jwks_mode = "error"
    assert _me(api_client, presets.mint(firebase_claims())).status_code == 200
    assert presets.hits["/jwks"] == 2  # it tried


def test_our_jwt_and_provider_tokens_work_side_by_side_on_any_endpoint(presets, customer, api_client):
    ours = bearer_client(customer).get("/api/v1/orders/")
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {presets.mint(firebase_claims())}")
    theirs = api_client.get("/api/v1/orders/")
    assert (ours.status_code, theirs.status_code) == (200, 200)


def test_a_firebase_id_token_is_exchanged_for_our_jwt_pair(presets, api_client):
    response = api_client.post("/api/v1/auth/oidc/token/", {"access_token": presets.mint(firebase_claims())})
    assert response.status_code == 200, response.json()
    assert response.json()["user"]["email"] == "wanjiru@example.com"
    presets.stop()  # our own tokens no longer need the provider
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {response.json()['access']}")
    assert api_client.get("/api/v1/auth/me/").json()["email"] == "wanjiru@example.com"
