"""A provider identity (`iss`, `sub`) signs in as one account: linked by verified email on first sight, bound
explicitly by a signed-in user of any role, never shared between two accounts."""

import pytest
from rest_framework.test import APIClient

from accounts.models import ExternalIdentity, User
from tests.accounts.oidc_provider import AUTH0_ISSUER, FIREBASE_ISSUER, auth0_claims, firebase_claims
from tests.concurrency import run_together
from tests.conftest import bearer_client
from tests.factories import AdminFactory, CustomerFactory, MerchantFactory

pytestmark = pytest.mark.django_db

IDENTITIES = "/api/v1/auth/oidc/identities/"


def _client(api_client, token):
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return api_client


def test_the_binding_outlives_an_email_change_at_the_provider(presets, api_client):
    first = _client(api_client, presets.mint(firebase_claims())).get("/api/v1/auth/me/").json()
    renamed = presets.mint(firebase_claims(email="wanjiru.k@example.com"))
    assert _client(api_client, renamed).get("/api/v1/auth/me/").json()["id"] == first["id"]
    assert User.objects.count() == 1


def test_a_verified_email_links_once_and_later_tokens_follow_the_binding(presets, api_client):
    owner = CustomerFactory(email="wanjiru@example.com")
    _client(api_client, presets.mint(firebase_claims())).get("/api/v1/auth/me/")
    # Another Firebase account claiming the same email, unverified: a new customer, not the owner's account.
    other = presets.mint(firebase_claims(sub="fb-uid-999", email_verified=False))
    response = _client(api_client, other).get("/api/v1/auth/me/")
    assert response.json()["id"] != str(owner.id)
    assert ExternalIdentity.objects.get(subject="fb-uid-123").user == owner


def test_a_merchant_signs_in_with_a_provider_token_and_still_needs_approved_kyc(presets, api_client):
    merchant = MerchantFactory(pending=True, user__email="wanjiru@example.com")
    client = _client(api_client, presets.mint(firebase_claims()))

    assert client.get("/api/v1/merchants/me/").json()["id"] == str(merchant.id)
    blocked = client.get("/api/v1/products/low-stock/")
    assert blocked.status_code == 403
    assert blocked.json()["code"] == "kyc_required"


def test_an_approved_merchant_works_with_a_provider_token(presets, api_client):
    MerchantFactory(user__email="wanjiru@example.com")
    assert (
        _client(api_client, presets.mint(firebase_claims())).get("/api/v1/products/low-stock/").status_code
        == 200
    )


def test_an_admin_binds_an_auth0_identity_and_then_signs_in_with_it(presets, api_client):
    admin = AdminFactory()
    token = presets.mint(auth0_claims())  # no email in it: only an explicit binding can find the admin

    bound = bearer_client(admin).post(IDENTITIES, {"access_token": token})
    again = bearer_client(admin).post(IDENTITIES, {"access_token": token})

    assert bound.status_code == 201, bound.json()
    assert bound.json()["issuer"] == AUTH0_ISSUER
    assert again.status_code == 200
    client = _client(api_client, token)
    assert client.get("/api/v1/auth/me/").json()["id"] == str(admin.id)
    assert client.get("/api/v1/admin/customers/").status_code == 200
    assert [i["subject"] for i in client.get(IDENTITIES).json()] == ["auth0|65f0c0ffee"]


def test_an_identity_already_signing_in_elsewhere_cannot_be_bound(presets, api_client):
    token = presets.mint(firebase_claims(email_verified=False))
    _client(api_client, token).get("/api/v1/auth/me/")  # first sight created its own customer

    response = bearer_client(CustomerFactory()).post(IDENTITIES, {"access_token": token})

    assert response.status_code == 409
    assert response.json()["code"] == "identity_in_use"
    assert ExternalIdentity.objects.get(issuer=FIREBASE_ISSUER).user.email.endswith("@no-email.invalid")


def test_binding_an_invalid_token_is_401(presets, customer_client):
    response = customer_client.post(IDENTITIES, {"access_token": presets.mint(auth0_claims(aud="elsewhere"))})
    assert response.status_code == 401
    assert response.json()["code"] == "token_not_valid"
    assert not ExternalIdentity.objects.exists()


def test_a_deactivated_account_cannot_sign_in_with_its_provider(presets, api_client):
    CustomerFactory(email="wanjiru@example.com", is_active=False)
    response = _client(api_client, presets.mint(firebase_claims())).get("/api/v1/auth/me/")
    assert response.status_code == 401
    assert response.json()["code"] == "user_inactive"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_first_sign_ins_at_once_make_one_account(presets):
    token = presets.mint(firebase_claims())
    clients = []
    for _ in range(6):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
        client.raise_request_exception = False
        clients.append(client)

    results = run_together([lambda c=c: c.get("/api/v1/auth/me/") for c in clients])

    assert {status for status, _body in results} == {200}
    assert len({body["id"] for _status, body in results}) == 1
    assert User.objects.count() == 1
    assert ExternalIdentity.objects.count() == 1
