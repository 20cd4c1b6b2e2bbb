"""Issue 15, rows 2, 3 and 6: guessing passwords at the admin sign-in, dodging throttles with an invented
X-Forwarded-For, and the endpoints that were not throttled (change-password, register, OIDC exchange)."""

import pytest
from axes.models import AccessAttempt
from django.core import mail
from rest_framework.test import APIClient

from tests.conftest import bearer_client
from tests.factories import TEST_PASSWORD, AdminFactory, CustomerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def rates(settings):
    """Override some throttle rates for one test: `rates(login_ip="5/min")`."""

    def override(**overrides):
        framework = settings.REST_FRAMEWORK
        settings.REST_FRAMEWORK = {
            **framework,
            "DEFAULT_THROTTLE_RATES": {**framework["DEFAULT_THROTTLE_RATES"], **overrides},
        }

    return override


@pytest.fixture
def proxies(settings):
    """Run one test as if `count` proxies stood in front (TRUSTED_PROXY_COUNT, wired to DRF's NUM_PROXIES)."""

    def override(count):
        settings.TRUSTED_PROXY_COUNT = count
        settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": count}

    return override


def _admin_login(client, email, password, **headers):
    return client.post("/admin/login/?next=/admin/", {"username": email, "password": password}, **headers)


# --- row 2: the Django admin sign-in --------------------------------------------------------------------


def test_wrong_admin_passwords_lock_the_admin_out_even_for_the_right_one(client):
    admin = AdminFactory()
    answers = [_admin_login(client, admin.email, f"guess-{i}").status_code for i in range(5)]
    assert answers == [200] * 4 + [429]  # AXES_FAILURE_LIMIT = 5
    locked = _admin_login(client, admin.email, TEST_PASSWORD)
    assert locked.status_code == 429
    assert b"too many login attempts" in locked.content
    # Another spelling of the same address is the same account, and still locked out.
    assert _admin_login(client, admin.email.upper(), TEST_PASSWORD).status_code == 429


def test_the_lockout_is_per_address_so_the_admin_elsewhere_still_signs_in(client):
    admin = AdminFactory()
    for i in range(5):
        _admin_login(client, admin.email, f"guess-{i}", REMOTE_ADDR="203.0.113.7")
    assert _admin_login(client, admin.email, TEST_PASSWORD, REMOTE_ADDR="203.0.113.7").status_code == 429
    response = _admin_login(client, admin.email, TEST_PASSWORD, REMOTE_ADDR="198.51.100.20")
    assert response.status_code == 302
    assert response["Location"] == "/admin/"


def test_an_invented_forwarded_for_does_not_escape_the_admin_lockout(client):
    admin = AdminFactory()
    answers = [
        _admin_login(client, admin.email, f"guess-{i}", HTTP_X_FORWARDED_FOR=f"192.0.2.{i}").status_code
        for i in range(8)
    ]
    assert answers == [200] * 4 + [429] * 4
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"127.0.0.1"}


def test_behind_one_proxy_the_lockout_keys_on_the_address_the_proxy_saw(client, proxies):
    proxies(1)
    admin = AdminFactory()
    for i in range(5):
        # The client writes the left part; the proxy appends the address it saw.
        _admin_login(client, admin.email, f"g{i}", HTTP_X_FORWARDED_FOR=f"10.9.9.{i}, 203.0.113.7")
    assert AccessAttempt.objects.get().ip_address == "203.0.113.7"
    blocked = _admin_login(client, admin.email, TEST_PASSWORD, HTTP_X_FORWARDED_FOR="1.1.1.1, 203.0.113.7")
    assert blocked.status_code == 429
    elsewhere = _admin_login(client, admin.email, TEST_PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.20")
    assert elsewhere.status_code == 302


def test_a_successful_admin_sign_in_clears_the_failures(client):
    admin = AdminFactory()
    for i in range(4):
        _admin_login(client, admin.email, f"guess-{i}")
    assert _admin_login(client, admin.email, TEST_PASSWORD).status_code == 302
    client.logout()
    assert _admin_login(client, admin.email, "one-more-typo").status_code == 200


def test_api_logins_are_not_recorded_by_the_admin_lockout(api_client):
    user = CustomerFactory()
    for _ in range(6):
        api_client.post("/api/v1/auth/login/", {"email": user.email, "password": "wrong"})
    assert not AccessAttempt.objects.exists()
    assert api_client.post(
        "/api/v1/auth/login/", {"email": user.email, "password": TEST_PASSWORD}
    ).status_code in (
        200,
        429,
    )


# --- row 3: invented X-Forwarded-For --------------------------------------------------------------------


def test_invented_forwarded_for_headers_do_not_dodge_the_per_address_login_throttle(api_client, rates):
    rates(login_ip="5/min")
    answers = [
        api_client.post(
            "/api/v1/auth/login/",
            {"email": f"x{i}@example.com", "password": "x"},
            HTTP_X_FORWARDED_FOR=f"198.51.100.{i}",
        ).status_code
        for i in range(16)
    ]
    assert answers == [401] * 5 + [429] * 11


def test_behind_one_proxy_each_real_client_has_its_own_bucket(api_client, rates, proxies):
    rates(login_ip="2/min")
    proxies(1)

    def login(forwarded_for):
        body = {"email": "x@example.com", "password": "x"}
        return api_client.post("/api/v1/auth/login/", body, HTTP_X_FORWARDED_FOR=forwarded_for).status_code

    # Whatever the client writes on the left, the proxy's entry on the right is the address counted.
    assert [login(f"6.6.6.{i}, 203.0.113.7") for i in range(3)] == [401, 401, 429]
    assert login("203.0.113.8") == 401


# --- row 6: change-password, register, OIDC token exchange ----------------------------------------------


def test_guessing_the_current_password_with_a_stolen_token_is_throttled():
    user = CustomerFactory()
    client = bearer_client(user)

    def change(old):
        body = {"old_password": old, "new_password": "a-brand-new-passphrase-77"}
        return client.post("/api/v1/auth/change-password/", body).status_code

    answers = [change(f"guess-{i}") for i in range(20)]
    assert answers == [400] * 10 + [429] * 10  # THROTTLE_CHANGE_PASSWORD defaults to 10/hour
    assert change(TEST_PASSWORD) == 429
    user.refresh_from_db()
    assert user.check_password(TEST_PASSWORD)


def test_registrations_from_one_client_are_throttled(api_client, django_capture_on_commit_callbacks):
    body = {"password": "a-long-and-unusual-passphrase-42", "account_type": "customer"}
    with django_capture_on_commit_callbacks(execute=True):
        answers = [
            api_client.post("/api/v1/auth/register/", {**body, "email": f"victim{i}@example.org"}).status_code
            for i in range(25)
        ]
    assert answers == [201] * 20 + [429] * 5  # THROTTLE_REGISTER_IP defaults to 20/hour
    assert len(mail.outbox) == 20


def test_registrations_for_one_email_are_throttled_whoever_sends_them(django_capture_on_commit_callbacks):
    body = {
        "email": "victim@example.org",
        "password": "a-long-and-unusual-passphrase-42",
        "account_type": "customer",
    }
    with django_capture_on_commit_callbacks(execute=True):
        answers = [
            APIClient().post("/api/v1/auth/register/", body, REMOTE_ADDR=f"198.51.100.{i}").status_code
            for i in range(12)
        ]
    assert answers == [201] * 10 + [429] * 2  # THROTTLE_REGISTER defaults to 10/hour
    assert len(mail.outbox) == 10  # one code, then nine "already registered" notices: bounded


def test_the_oidc_token_exchange_is_throttled_per_client(api_client, rates):
    rates(oidc_token_ip="3/min")
    answers = [
        api_client.post("/api/v1/auth/oidc/token/", {"access_token": "guess"}, format="json").status_code
        for _ in range(4)
    ]
    assert answers[-1] == 429
    assert 429 not in answers[:3]
