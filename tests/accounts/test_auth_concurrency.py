"""Races on tokens and codes, and how many queries authenticating a request costs."""

import threading

import pytest
from django.db import connection
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import RefreshToken

from accounts import services
from accounts.models import EmailOTP
from tests.conftest import bearer_client
from tests.factories import CustomerFactory


def _in_parallel(count, work):
    barrier = threading.Barrier(count)
    results = [None] * count

    def run(index):
        try:
            barrier.wait(timeout=10)
            results[index] = work()
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_refresh_token_used_twice_at_once_rotates_only_once():
    user = CustomerFactory()
    refresh = str(RefreshToken.for_user(user))

    def refresh_once():
        return (
            APIClient().post("/api/v1/auth/token/refresh/", {"refresh": refresh}, format="json").status_code
        )

    assert sorted(_in_parallel(4, refresh_once)) == [200, 401, 401, 401]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_wrong_codes_are_all_counted():
    user = CustomerFactory(is_email_verified=False)
    services.otp_issue(user=user)

    def guess():
        # Every guess below is wrong: the real code's hash never matches a non-numeric string.
        return (
            APIClient()
            .post("/api/v1/auth/verify-otp/", {"email": user.email, "otp": "wrong!"}, format="json")
            .status_code
        )

    answers = _in_parallel(8, guess)
    assert answers.count(400) == 5
    assert answers.count(429) == 3
    assert EmailOTP.objects.get(user=user).attempts == 5


@pytest.mark.django_db
def test_authenticating_with_our_jwt_costs_one_query(customer, django_assert_num_queries):
    client = bearer_client(customer)
    with django_assert_num_queries(1):
        assert client.get("/api/v1/auth/me/").status_code == 200
