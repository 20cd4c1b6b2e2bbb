"""A person registers, verifies the emailed code, logs in, refreshes and logs out — through the API."""

import re

import pytest
from django.core import mail

from accounts.models import EmailOTP, User
from accounts.signals import otp_issued
from tests.factories import TEST_PASSWORD, CustomerFactory

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-and-unusual-passphrase-42"


def _register(api_client, capture, **overrides):
    payload = {"email": "amina@example.com", "password": PASSWORD, "account_type": "customer", **overrides}
    with capture(execute=True):
        return api_client.post("/api/v1/auth/register/", payload)


def _code_from_last_email() -> str:
    return re.search(r"\b(\d{6})\b", mail.outbox[-1].body).group(1)


def _wrong_code(right: str) -> str:
    return f"{(int(right) + 1) % 10**6:06d}"


def test_a_customer_registers_verifies_logs_in_refreshes_and_logs_out(
    api_client, django_capture_on_commit_callbacks
):
    response = _register(api_client, django_capture_on_commit_callbacks, first_name="Amina")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["email"] == "amina@example.com"
    assert body["account_type"] == "customer"
    assert "company_name" not in body
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["amina@example.com"]
    code = _code_from_last_email()

    # The code is stored only as a hash.
    stored = EmailOTP.objects.get(user__email="amina@example.com")
    assert code not in stored.code_hash

    response = api_client.post("/api/v1/auth/verify-otp/", {"email": "amina@example.com", "otp": code})
    assert response.status_code == 200, response.json()

    response = api_client.post("/api/v1/auth/login/", {"email": "Amina@Example.com", "password": PASSWORD})
    assert response.status_code == 200, response.json()
    tokens = response.json()
    assert tokens["user"]["email"] == "amina@example.com"
    assert tokens["user"]["first_name"] == "Amina"
    assert set(tokens["user"]) == {
        "id",
        "email",
        "account_type",
        "first_name",
        "last_name",
        "phone_number",
        "default_shipping_address",
        "language",
    }

    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens['access']}")
    assert api_client.get("/api/v1/auth/me/").json()["email"] == "amina@example.com"

    # Refresh rotates: a new pair, and the old refresh token is dead.
    response = api_client.post("/api/v1/auth/token/refresh/", {"refresh": tokens["refresh"]})
    assert response.status_code == 200, response.json()
    rotated = response.json()
    assert rotated["refresh"] != tokens["refresh"]
    again = api_client.post("/api/v1/auth/token/refresh/", {"refresh": tokens["refresh"]})
    assert again.status_code == 401
    assert again.json()["code"] == "token_not_valid"

    # Logout kills the current refresh token.
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {rotated['access']}")
    response = api_client.post("/api/v1/auth/logout/", {"refresh": rotated["refresh"]})
    assert response.status_code == 204
    api_client.credentials()
    response = api_client.post("/api/v1/auth/token/refresh/", {"refresh": rotated["refresh"]})
    assert response.status_code == 401
    assert response.json()["code"] == "token_not_valid"


def test_a_merchant_cannot_register_without_a_company_name(api_client, django_capture_on_commit_callbacks):
    response = _register(api_client, django_capture_on_commit_callbacks, account_type="merchant")
    assert response.status_code == 400
    assert "company_name" in response.json()["errors"]
    assert not User.objects.exists()
    assert mail.outbox == []


def test_registering_an_email_twice_makes_no_second_account(api_client, django_capture_on_commit_callbacks):
    # The answer is the same as for a new email (tests/accounts/test_no_enumeration.py); the owner is emailed.
    assert _register(api_client, django_capture_on_commit_callbacks).status_code == 201
    response = _register(api_client, django_capture_on_commit_callbacks, email="AMINA@example.com")
    assert response.status_code == 201
    assert User.objects.count() == 1
    assert mail.outbox[-1].to == ["amina@example.com"]
    assert "already" in mail.outbox[-1].subject


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"password": "123"}, "password"),
        ({"account_type": "admin"}, "account_type"),
        ({"email": "not-an-email"}, "email"),
        ({"phone_number": "12"}, "phone_number"),
    ],
)
def test_registration_with_bad_input_says_which_field(
    api_client, django_capture_on_commit_callbacks, overrides, field
):
    response = _register(api_client, django_capture_on_commit_callbacks, **overrides)
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "validation_error"
    assert field in body["errors"]


def test_the_phone_number_is_stored_in_e164(api_client, django_capture_on_commit_callbacks):
    response = _register(api_client, django_capture_on_commit_callbacks, phone_number="0712 345 678")
    assert response.status_code == 201
    assert str(User.objects.get().phone_number) == "+254712345678"


def test_the_otp_is_announced_by_signal(api_client, django_capture_on_commit_callbacks):
    received = []

    def receiver(sender, user, code, **kwargs):
        received.append((user.email, code))

    otp_issued.connect(receiver)
    try:
        _register(api_client, django_capture_on_commit_callbacks)
    finally:
        otp_issued.disconnect(receiver)
    assert received == [("amina@example.com", _code_from_last_email())]


def test_an_unverified_user_cannot_log_in(api_client, django_capture_on_commit_callbacks):
    _register(api_client, django_capture_on_commit_callbacks)
    response = api_client.post("/api/v1/auth/login/", {"email": "amina@example.com", "password": PASSWORD})
    assert response.status_code == 403
    assert response.json()["code"] == "email_not_verified"


def test_a_wrong_password_or_unknown_email_is_invalid_credentials(api_client):
    user = CustomerFactory()
    for payload in (
        {"email": user.email, "password": "wrong-password"},
        {"email": "nobody@example.com", "password": TEST_PASSWORD},
    ):
        response = api_client.post("/api/v1/auth/login/", payload)
        assert response.status_code == 401
        assert response.json()["code"] == "invalid_credentials"


def test_five_wrong_codes_lock_the_code_even_for_the_right_one(
    api_client, django_capture_on_commit_callbacks
):
    _register(api_client, django_capture_on_commit_callbacks)
    code = _code_from_last_email()
    for _ in range(5):
        response = api_client.post(
            "/api/v1/auth/verify-otp/", {"email": "amina@example.com", "otp": _wrong_code(code)}
        )
        assert response.status_code == 400
        assert response.json()["code"] == "invalid_otp"
        assert "attempts_remaining" not in response.json()  # an unknown email could not say it
    response = api_client.post("/api/v1/auth/verify-otp/", {"email": "amina@example.com", "otp": code})
    assert response.status_code == 429
    assert response.json()["code"] == "otp_locked"
    assert User.objects.get().is_email_verified is False

    # A new code unlocks verification.
    with django_capture_on_commit_callbacks(execute=True):
        assert api_client.post("/api/v1/auth/request-otp/", {"email": "amina@example.com"}).status_code == 200
    new_code = _code_from_last_email()
    response = api_client.post("/api/v1/auth/verify-otp/", {"email": "amina@example.com", "otp": new_code})
    assert response.status_code == 200


def test_an_expired_code_is_refused(api_client, django_capture_on_commit_callbacks, time_machine):
    time_machine.move_to("2026-03-01 09:00:00+00:00", tick=False)
    _register(api_client, django_capture_on_commit_callbacks)
    code = _code_from_last_email()
    time_machine.move_to("2026-03-01 09:10:01+00:00", tick=False)
    response = api_client.post("/api/v1/auth/verify-otp/", {"email": "amina@example.com", "otp": code})
    assert response.status_code == 400
    assert response.json()["code"] == "otp_expired"
    assert User.objects.get().is_email_verified is False


def test_a_code_still_works_just_before_it_expires(
    api_client, django_capture_on_commit_callbacks, time_machine
):
    time_machine.move_to("2026-03-01 09:00:00+00:00", tick=False)
    _register(api_client, django_capture_on_commit_callbacks)
    code = _code_from_last_email()
    time_machine.move_to("2026-03-01 09:09:59+00:00", tick=False)
    response = api_client.post("/api/v1/auth/verify-otp/", {"email": "amina@example.com", "otp": code})
    assert response.status_code == 200


def test_a_code_works_only_once(api_client, django_capture_on_commit_callbacks):
    _register(api_client, django_capture_on_commit_callbacks)
    code = _code_from_last_email()
    payload = {"email": "amina@example.com", "otp": code}
    assert api_client.post("/api/v1/auth/verify-otp/", payload).status_code == 200
    response = api_client.post("/api/v1/auth/verify-otp/", payload)
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_otp"


def test_a_new_code_replaces_the_old_one(api_client, django_capture_on_commit_callbacks):
    _register(api_client, django_capture_on_commit_callbacks)
    first = _code_from_last_email()
    with django_capture_on_commit_callbacks(execute=True):
        api_client.post("/api/v1/auth/request-otp/", {"email": "amina@example.com"})
    second = _code_from_last_email()
    if first != second:
        response = api_client.post("/api/v1/auth/verify-otp/", {"email": "amina@example.com", "otp": first})
        assert response.json()["code"] == "invalid_otp"
    response = api_client.post("/api/v1/auth/verify-otp/", {"email": "amina@example.com", "otp": second})
    assert response.status_code == 200


def test_verifying_for_an_unknown_email_looks_like_a_wrong_code(api_client):
    response = api_client.post("/api/v1/auth/verify-otp/", {"email": "ghost@example.com", "otp": "123456"})
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_otp"


def test_request_otp_answers_the_same_for_unknown_and_known_emails(
    api_client, django_capture_on_commit_callbacks
):
    _register(api_client, django_capture_on_commit_callbacks)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        known = api_client.post("/api/v1/auth/request-otp/", {"email": "amina@example.com"})
        unknown = api_client.post("/api/v1/auth/request-otp/", {"email": "ghost@example.com"})
    assert known.status_code == unknown.status_code == 200
    assert known.content == unknown.content
    assert [m.to for m in mail.outbox] == [["amina@example.com"]]


def test_request_otp_is_throttled_per_email(api_client, django_capture_on_commit_callbacks, settings):
    _register(api_client, django_capture_on_commit_callbacks)
    answers = [
        api_client.post("/api/v1/auth/request-otp/", {"email": "amina@example.com"}).status_code
        for _ in range(4)
    ]
    assert answers == [200, 200, 200, 429]  # THROTTLE_OTP_REQUEST defaults to 3/min
    response = api_client.post("/api/v1/auth/request-otp/", {"email": "amina@example.com"})
    assert response.json()["code"] == "throttled"


def test_request_otp_for_an_unknown_email_is_throttled_the_same_way(api_client):
    answers = [
        api_client.post("/api/v1/auth/request-otp/", {"email": "ghost@example.com"}).status_code
        for _ in range(4)
    ]
    assert answers == [200, 200, 200, 429]


def test_login_is_throttled(api_client):
    user = CustomerFactory()
    answers = [
        api_client.post("/api/v1/auth/login/", {"email": user.email, "password": "wrong"}).status_code
        for _ in range(11)
    ]
    assert answers == [401] * 10 + [429]
    assert (
        api_client.post("/api/v1/auth/login/", {"email": user.email, "password": TEST_PASSWORD}).status_code
        == 429
    )


def test_otp_verification_is_throttled(api_client):
    answers = [
        api_client.post("/api/v1/auth/verify-otp/", {"email": "ghost@example.com", "otp": "000000"}).json()[
            "code"
        ]
        for _ in range(11)
    ]
    # Like a real account's code, the sixth try is locked; the eleventh is throttled before any check.
    assert answers == ["invalid_otp"] * 5 + ["otp_locked"] * 5 + ["throttled"]


def test_the_emailed_code_is_never_logged(api_client, django_capture_on_commit_callbacks, caplog):
    caplog.set_level("DEBUG")
    _register(api_client, django_capture_on_commit_callbacks)
    code = _code_from_last_email()
    assert code not in caplog.text


def test_many_people_behind_one_address_can_each_log_in(api_client):
    people = CustomerFactory.create_batch(15)
    answers = [
        api_client.post("/api/v1/auth/login/", {"email": p.email, "password": TEST_PASSWORD}).status_code
        for p in people
    ]
    assert answers == [200] * 15


def test_one_address_hammering_many_accounts_is_throttled(api_client, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "login_ip": "5/min"},
    }
    from rest_framework.throttling import SimpleRateThrottle

    original = SimpleRateThrottle.THROTTLE_RATES
    SimpleRateThrottle.THROTTLE_RATES = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    try:
        answers = [
            api_client.post(
                "/api/v1/auth/login/", {"email": f"x{i}@example.com", "password": "x"}
            ).status_code
            for i in range(6)
        ]
    finally:
        SimpleRateThrottle.THROTTLE_RATES = original
    assert answers == [401] * 5 + [429]
