"""Browser sign-in through /oidc/authenticate/ against a real OpenID provider on loopback: it ends with the client
holding our JWT pair; `?code=&state=` anywhere but the callback is just a query string."""

from urllib.parse import parse_qs, urlparse

import pytest
import requests

from accounts.models import ExternalIdentity, User
from tests.accounts.oidc_provider import CLIENT_ID, CLIENT_SECRET
from tests.factories import TEST_PASSWORD, AdminFactory, CustomerFactory

pytestmark = pytest.mark.django_db

ALICE = {"sub": "alice-1", "email": "alice@example.com", "email_verified": True, "given_name": "Alice"}


def _to_callback(client, provider) -> str:
    """Start the flow and let the provider sign the browser in; the callback URL it sends the browser to."""
    start = client.get("/oidc/authenticate/")
    assert start.status_code == 302
    assert start["Location"].startswith(f"{provider.issuer}/authorize?")
    at_provider = requests.get(start["Location"], allow_redirects=False, timeout=5)
    assert at_provider.status_code == 302
    callback = urlparse(at_provider.headers["Location"])
    assert callback.path == "/oidc/callback/"
    return f"{callback.path}?{callback.query}"


def _landing(response) -> dict:
    assert response.status_code == 302
    target = urlparse(response["Location"])
    assert target.path == "/oidc/signed-in/"
    return {k: v[0] for k, v in parse_qs(target.query).items()}


@pytest.mark.django_db(transaction=True)
def test_browser_sign_in_over_http_ends_with_a_working_api_token(live_server, provider):
    provider.next_login_claims = ALICE
    browser = requests.Session()

    # The browser follows every redirect: us -> provider -> our callback -> the landing page with the code.
    landing = browser.get(f"{live_server.url}/oidc/authenticate/", timeout=10)
    assert landing.status_code == 200
    assert urlparse(landing.url).path == "/oidc/signed-in/"
    code = parse_qs(urlparse(landing.url).query)["code"][0]
    assert code in landing.text  # the page shows the curl command to trade it

    tokens = requests.post(f"{live_server.url}/api/v1/auth/oidc/exchange/", json={"code": code}, timeout=10)
    assert tokens.status_code == 200, tokens.text
    assert tokens.json()["user"]["email"] == "alice@example.com"
    me = requests.get(
        f"{live_server.url}/api/v1/auth/me/",
        headers={"Authorization": f"Bearer {tokens.json()['access']}"},
        timeout=10,
    )
    assert me.status_code == 200
    assert me.json()["first_name"] == "Alice"
    assert provider.hits["/token"] == 1


def test_the_sign_in_code_works_once_and_no_session_is_left_behind(provider, client, api_client):
    provider.next_login_claims = ALICE
    params = _landing(client.get(_to_callback(client, provider)))

    first = api_client.post("/api/v1/auth/oidc/exchange/", {"code": params["code"]})
    second = api_client.post("/api/v1/auth/oidc/exchange/", {"code": params["code"]})

    assert first.status_code == 200
    assert set(first.json()) == {"access", "refresh", "user"}
    assert second.status_code == 400
    assert second.json()["code"] == "invalid_code"
    assert client.get("/api/v1/auth/me/").status_code == 401  # the browser holds no session
    identity = ExternalIdentity.objects.get(subject="alice-1")
    assert identity.issuer == provider.issuer  # the id_token's issuer
    assert identity.user.email == "alice@example.com"


def test_a_sign_in_code_expires(provider, client, api_client, time_machine):
    time_machine.move_to("2026-03-01 09:00:00+00:00", tick=False)
    provider.next_login_claims = ALICE
    params = _landing(client.get(_to_callback(client, provider)))
    time_machine.move_to("2026-03-01 09:01:01+00:00", tick=False)
    response = api_client.post("/api/v1/auth/oidc/exchange/", {"code": params["code"]})
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_code"


def test_sign_in_lands_on_the_configured_client_url(provider, client, settings):
    settings.OIDC_SIGNIN_REDIRECT_URL = "https://app.example.com/signed-in?lang=sw"
    provider.next_login_claims = ALICE
    finish = client.get(_to_callback(client, provider))
    target = urlparse(finish["Location"])
    assert (target.scheme, target.netloc, target.path) == ("https", "app.example.com", "/signed-in")
    assert set(parse_qs(target.query)) == {"lang", "code"}


def test_a_code_the_provider_refuses_lands_with_an_error(provider, client):
    provider.next_login_claims = ALICE
    callback = _to_callback(client, provider)
    code = parse_qs(urlparse(callback).query)["code"][0]
    burnt = requests.post(
        f"{provider.issuer}/token",
        data={
            "code": code,
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
            "grant_type": "authorization_code",
        },
        timeout=5,
    )
    assert burnt.status_code == 200  # someone else used the code first

    assert _landing(client.get(callback)) == {"error": "signin_failed"}
    assert not User.objects.exists()


def test_the_callback_checks_state(provider, client):
    provider.next_login_claims = ALICE
    callback = _to_callback(client, provider)
    forged = callback.replace("state=", "state=forged")
    assert client.get(forged).status_code == 400
    # A browser that never started a flow has no state at all.
    assert _landing(type(client)().get(callback)) == {"error": "signin_failed"}
    assert provider.hits["/token"] == 0


def test_browser_sign_in_when_the_provider_is_down_is_a_503_page(provider, client):
    provider.next_login_claims = ALICE
    callback = _to_callback(client, provider)
    provider.stop()
    assert client.get(callback).status_code == 503


def test_code_and_state_on_the_api_login_url_are_just_a_query_string(provider, api_client):
    user = CustomerFactory()
    wrong = api_client.post(
        "/api/v1/auth/login/?code=x&state=y", {"email": user.email, "password": "not-the-password"}
    )
    right = api_client.post(
        "/api/v1/auth/login/?code=x&state=y", {"email": user.email, "password": TEST_PASSWORD}
    )

    assert wrong.status_code == 401
    assert wrong.json()["code"] == "invalid_credentials"
    assert right.status_code == 200
    assert provider.hits["/token"] == 0


def test_code_and_state_on_the_admin_login_are_just_a_query_string(provider, client):
    admin = AdminFactory()
    assert client.get("/admin/login/?code=x&state=y").status_code == 200
    wrong = client.post("/admin/login/?code=x&state=y", {"username": admin.email, "password": "nope"})
    right = client.post("/admin/login/?code=x&state=y", {"username": admin.email, "password": TEST_PASSWORD})

    assert wrong.status_code == 200  # the form again, with its error
    assert right.status_code == 302
    assert provider.hits["/token"] == 0


def test_the_landing_page_without_a_code_says_signing_in_failed(client):
    response = client.get("/oidc/signed-in/?error=signin_failed")
    assert response.status_code == 200
    assert "did not succeed" in response.content.decode()
