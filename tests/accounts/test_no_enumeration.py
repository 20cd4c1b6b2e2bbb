"""Issue 15, row 7: an outsider cannot tell which emails have accounts, from the answers or their timing."""

import re

import pytest
from django.core import mail

from accounts.models import EmailOTP, User
from tests.factories import CustomerFactory, MerchantFactory

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-and-unusual-passphrase-42"


def _register(api_client, email, **extra):
    body = {"email": email, "password": PASSWORD, "account_type": "customer", **extra}
    return api_client.post("/api/v1/auth/register/", body)


def _shape(body: dict) -> dict:
    return {key: type(value) for key, value in body.items()}


def test_registering_a_taken_email_answers_like_a_new_one_and_tells_the_owner_by_email(
    api_client, django_capture_on_commit_callbacks
):
    owner = CustomerFactory(email="amina@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        taken = _register(api_client, "Amina@Example.com")
        fresh = _register(api_client, "baraka@example.com")

    assert taken.status_code == fresh.status_code == 201
    assert _shape(taken.json()) == _shape(fresh.json())
    assert taken.json()["email"] == "amina@example.com"
    # The id names no account: not the owner's, not a new one.
    assert taken.json()["id"] != str(owner.pk)
    assert not User.objects.filter(pk=taken.json()["id"]).exists()
    assert User.objects.filter(email="amina@example.com").count() == 1
    owner.refresh_from_db()
    assert owner.check_password("correct-horse-battery-9")  # untouched

    to_owner = [m for m in mail.outbox if m.to == ["amina@example.com"]]
    assert len(to_owner) == 1
    assert "already" in to_owner[0].subject
    assert not re.search(r"\b\d{6}\b", to_owner[0].body)  # no code: nothing to verify


def test_a_taken_merchant_email_answers_with_the_company_name_like_a_new_merchant(api_client):
    merchant = MerchantFactory()
    body = {"account_type": "merchant", "company_name": "Duka Ltd"}
    taken = _register(api_client, merchant.user.email, **body)
    fresh = _register(api_client, "new-shop@example.com", **body)
    assert taken.status_code == fresh.status_code == 201
    assert set(taken.json()) == set(fresh.json()) == {"id", "email", "account_type", "company_name"}
    assert taken.json()["company_name"] == "Duka Ltd"


def test_a_weak_password_is_refused_alike_for_a_taken_and_a_new_email(api_client):
    CustomerFactory(email="amina@example.com")
    taken = api_client.post(
        "/api/v1/auth/register/",
        {"email": "amina@example.com", "password": "123", "account_type": "customer"},
    )
    fresh = api_client.post(
        "/api/v1/auth/register/",
        {"email": "zawadi@example.com", "password": "123", "account_type": "customer"},
    )
    assert taken.status_code == fresh.status_code == 400
    assert taken.json() == fresh.json()


def _verify(api_client, email, otp="000000"):
    return api_client.post("/api/v1/auth/verify-otp/", {"email": email, "otp": otp})


def test_wrong_codes_answer_alike_for_a_real_account_and_an_unknown_email(
    api_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _register(api_client, "amina@example.com")
    code = re.search(r"\b(\d{6})\b", mail.outbox[-1].body).group(1)
    wrong = f"{(int(code) + 1) % 10**6:06d}"

    real = [_verify(api_client, "amina@example.com", wrong) for _ in range(6)]
    unknown = [_verify(api_client, "ghost@example.com", wrong) for _ in range(6)]

    assert [(r.status_code, r.json()) for r in real] == [(r.status_code, r.json()) for r in unknown]
    assert [r.json()["code"] for r in real] == ["invalid_otp"] * 5 + ["otp_locked"]


def test_a_verified_account_answers_a_code_like_an_unknown_email(api_client):
    CustomerFactory(email="amina@example.com")  # verified: no code pending
    real = [_verify(api_client, "amina@example.com").json() for _ in range(6)]
    unknown = [_verify(api_client, "ghost@example.com").json() for _ in range(6)]
    assert real == unknown


def test_made_up_codes_never_reveal_that_a_code_expired(
    api_client, django_capture_on_commit_callbacks, time_machine
):
    """`otp_expired` would say "this account has a code": only the right code learns it has expired."""
    time_machine.move_to("2026-03-01 09:00:00+00:00", tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        _register(api_client, "amina@example.com")
    code = re.search(r"\b(\d{6})\b", mail.outbox[-1].body).group(1)
    time_machine.move_to("2026-03-01 09:30:00+00:00", tick=False)

    real = _verify(api_client, "amina@example.com", f"{(int(code) + 1) % 10**6:06d}")
    unknown = _verify(api_client, "ghost@example.com", "123456")
    assert real.status_code == unknown.status_code == 400
    assert real.json() == unknown.json() == {"code": "invalid_otp", "detail": "The code is not valid."}
    assert _verify(api_client, "amina@example.com", code).json()["code"] == "otp_expired"


def test_request_otp_does_its_work_after_the_answer(api_client, django_capture_on_commit_callbacks):
    """The endpoint only queues a task; the lookup, the new code and the email happen in it, so the answer
    takes as long for an unverified account as for an unknown email (the timing the attack measured)."""
    user = CustomerFactory(email="amina@example.com", is_email_verified=False)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        known = api_client.post("/api/v1/auth/request-otp/", {"email": "amina@example.com"})
        assert not EmailOTP.objects.filter(user=user).exists()  # nothing done before answering
        unknown = api_client.post("/api/v1/auth/request-otp/", {"email": "ghost@example.com"})
    assert known.status_code == unknown.status_code == 200
    assert known.json() == unknown.json()
    assert len(queued) == 2  # one task published per request, whatever the email

    with django_capture_on_commit_callbacks(execute=True):
        for callback in queued:
            callback()
    assert EmailOTP.objects.filter(user=user).count() == 1
    assert [m.to for m in mail.outbox] == [["amina@example.com"]]


def test_request_otp_runs_the_same_queries_for_a_real_and_an_unknown_email(
    api_client, django_assert_num_queries, django_capture_on_commit_callbacks
):
    CustomerFactory(email="amina@example.com", is_email_verified=False)
    with django_capture_on_commit_callbacks(execute=False):
        with django_assert_num_queries(0):
            api_client.post("/api/v1/auth/request-otp/", {"email": "amina@example.com"})
        with django_assert_num_queries(0):
            api_client.post("/api/v1/auth/request-otp/", {"email": "ghost@example.com"})
