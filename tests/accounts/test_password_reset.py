"""Issue 15, row 10: a person who forgot their password resets it with an emailed code; the codes follow the
OTP rules, and the endpoints tell nobody which emails have accounts."""

import re

import pytest
from django.core import mail

from accounts.models import EmailOTP
from tests.factories import TEST_PASSWORD, CustomerFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-brand-new-passphrase-77"
RESET = "/api/v1/auth/password-reset/"
CONFIRM = "/api/v1/auth/password-reset/confirm/"


def _request_code(api_client, capture, email):
    with capture(execute=True):
        return api_client.post(RESET, {"email": email})


def _last_code() -> str:
    return re.search(r"\b(\d{6})\b", mail.outbox[-1].body).group(1)


def _wrong(code: str) -> str:
    return f"{(int(code) + 1) % 10**6:06d}"


def _confirm(api_client, email, code, password=NEW_PASSWORD):
    return api_client.post(CONFIRM, {"email": email, "code": code, "new_password": password})


def _login(api_client, email, password):
    return api_client.post("/api/v1/auth/login/", {"email": email, "password": password})


def test_a_customer_resets_a_forgotten_password_and_every_session_ends(
    api_client, django_capture_on_commit_callbacks
):
    user = CustomerFactory(email="amina@example.com")
    session = _login(api_client, "amina@example.com", TEST_PASSWORD).json()

    response = _request_code(api_client, django_capture_on_commit_callbacks, "Amina@Example.com")
    assert response.status_code == 202
    assert mail.outbox[-1].to == ["amina@example.com"]
    assert "reset" in mail.outbox[-1].subject.lower()
    code = _last_code()
    assert code not in EmailOTP.objects.get(user=user).code_hash  # stored hashed

    response = _confirm(api_client, "amina@example.com", code)
    assert response.status_code == 204

    assert _login(api_client, "amina@example.com", TEST_PASSWORD).status_code == 401
    assert _login(api_client, "amina@example.com", NEW_PASSWORD).status_code == 200
    # Every refresh token of the user is revoked, and the old access token no longer works.
    refresh = api_client.post("/api/v1/auth/token/refresh/", {"refresh": session["refresh"]})
    assert refresh.status_code == 401
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {session['access']}")
    assert api_client.get("/api/v1/auth/me/").status_code == 401


def test_the_answer_is_the_same_whatever_the_email_and_only_a_known_active_account_gets_mail(
    api_client, django_capture_on_commit_callbacks
):
    CustomerFactory(email="amina@example.com")
    CustomerFactory(email="gone@example.com", is_active=False)
    answers = [
        _request_code(api_client, django_capture_on_commit_callbacks, email)
        for email in ("amina@example.com", "ghost@example.com", "gone@example.com")
    ]
    assert {a.status_code for a in answers} == {202}
    assert answers[0].json() == answers[1].json() == answers[2].json()
    assert [m.to for m in mail.outbox] == [["amina@example.com"]]


def test_the_request_does_its_work_after_the_answer(api_client, django_capture_on_commit_callbacks):
    user = CustomerFactory(email="amina@example.com")
    with django_capture_on_commit_callbacks(execute=False) as queued:
        assert api_client.post(RESET, {"email": "amina@example.com"}).status_code == 202
    assert not EmailOTP.objects.filter(user=user).exists()
    assert len(queued) == 1


def test_five_wrong_codes_lock_the_code_even_for_the_right_one(
    api_client, django_capture_on_commit_callbacks
):
    CustomerFactory(email="amina@example.com")
    _request_code(api_client, django_capture_on_commit_callbacks, "amina@example.com")
    code = _last_code()
    for _ in range(5):
        response = _confirm(api_client, "amina@example.com", _wrong(code))
        assert response.status_code == 400
        assert response.json()["code"] == "invalid_otp"
    response = _confirm(api_client, "amina@example.com", code)
    assert response.status_code == 429
    assert response.json()["code"] == "otp_locked"
    assert _login(api_client, "amina@example.com", TEST_PASSWORD).status_code == 200

    # A new code unlocks.
    _request_code(api_client, django_capture_on_commit_callbacks, "amina@example.com")
    assert _confirm(api_client, "amina@example.com", _last_code()).status_code == 204


def test_an_unknown_email_answers_exactly_like_a_real_one(api_client, django_capture_on_commit_callbacks):
    CustomerFactory(email="amina@example.com")
    _request_code(api_client, django_capture_on_commit_callbacks, "amina@example.com")
    _request_code(api_client, django_capture_on_commit_callbacks, "ghost@example.com")
    wrong = _wrong(_last_code())
    real = [_confirm(api_client, "amina@example.com", wrong) for _ in range(6)]
    ghost = [_confirm(api_client, "ghost@example.com", wrong) for _ in range(6)]
    assert [(r.status_code, r.json()) for r in real] == [(r.status_code, r.json()) for r in ghost]


def test_an_expired_code_is_refused(api_client, django_capture_on_commit_callbacks, time_machine):
    time_machine.move_to("2026-03-01 09:00:00+00:00", tick=False)
    CustomerFactory(email="amina@example.com")
    _request_code(api_client, django_capture_on_commit_callbacks, "amina@example.com")
    code = _last_code()
    time_machine.move_to("2026-03-01 09:10:01+00:00", tick=False)
    response = _confirm(api_client, "amina@example.com", code)
    assert response.status_code == 400
    assert response.json()["code"] == "otp_expired"
    assert _login(api_client, "amina@example.com", TEST_PASSWORD).status_code == 200


def test_a_code_works_once(api_client, django_capture_on_commit_callbacks):
    CustomerFactory(email="amina@example.com")
    _request_code(api_client, django_capture_on_commit_callbacks, "amina@example.com")
    code = _last_code()
    assert _confirm(api_client, "amina@example.com", code).status_code == 204
    response = _confirm(api_client, "amina@example.com", code, password="yet-another-passphrase-88")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_otp"


def test_a_verification_code_is_not_a_reset_code(api_client, django_capture_on_commit_callbacks):
    user = CustomerFactory(email="amina@example.com", is_email_verified=False)
    with django_capture_on_commit_callbacks(execute=True):
        api_client.post("/api/v1/auth/request-otp/", {"email": "amina@example.com"})
    response = _confirm(api_client, "amina@example.com", _last_code())
    assert response.json()["code"] == "invalid_otp"
    user.refresh_from_db()
    assert user.check_password(TEST_PASSWORD)


def test_a_weak_new_password_is_refused_and_the_code_still_works(
    api_client, django_capture_on_commit_callbacks
):
    CustomerFactory(email="amina@example.com")
    _request_code(api_client, django_capture_on_commit_callbacks, "amina@example.com")
    code = _last_code()
    response = _confirm(api_client, "amina@example.com", code, password="123")
    assert response.status_code == 400
    assert response.json()["code"] == "validation_error"
    assert "new_password" in response.json()["errors"]
    assert _confirm(api_client, "amina@example.com", code).status_code == 204


def test_a_reset_proves_the_address_of_an_unverified_account(api_client, django_capture_on_commit_callbacks):
    CustomerFactory(email="amina@example.com", is_email_verified=False)
    _request_code(api_client, django_capture_on_commit_callbacks, "amina@example.com")
    assert _confirm(api_client, "amina@example.com", _last_code()).status_code == 204
    assert _login(api_client, "amina@example.com", NEW_PASSWORD).status_code == 200


def test_requests_are_throttled_per_email_whatever_the_spelling(api_client):
    spellings = ["amina@example.com", "AMINA@example.com", "amina@EXAMPLE.com", "Amina@example.com"]
    answers = [api_client.post(RESET, {"email": spellings[i % 4]}).status_code for i in range(6)]
    assert answers == [202] * 5 + [429]  # THROTTLE_PASSWORD_RESET defaults to 5/hour


def test_requests_are_throttled_per_client(api_client):
    answers = [api_client.post(RESET, {"email": f"person{i}@example.com"}).status_code for i in range(31)]
    assert answers == [202] * 30 + [429]  # THROTTLE_PASSWORD_RESET_IP defaults to 30/hour


def test_confirmations_are_throttled_per_email(api_client):
    answers = [_confirm(api_client, "amina@example.com", "000000").status_code for _ in range(11)]
    assert answers[-1] == 429
    assert _confirm(api_client, "amina@example.com", "000000").json()["code"] == "throttled"


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"email": "x"},
        {"email": "a@example.com"},
        {"email": "a@example.com", "code": "1"},
        {"code": ["1"]},
    ],
)
def test_incomplete_confirmations_are_a_400(api_client, body):
    response = api_client.post(CONFIRM, body, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "validation_error"
