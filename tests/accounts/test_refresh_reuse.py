"""Issue 15, row 10: presenting an already-rotated refresh token revokes the whole family (OAuth 2.0 Security
BCP); two parallel refreshes by one client within the grace are not an attack."""

import pytest
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import RefreshToken

from accounts.models import RefreshTokenFamily
from tests.concurrency import run_together
from tests.factories import TEST_PASSWORD, CustomerFactory

REFRESH = "/api/v1/auth/token/refresh/"


def _sign_in(user) -> dict:
    response = APIClient().post("/api/v1/auth/login/", {"email": user.email, "password": TEST_PASSWORD})
    assert response.status_code == 200
    return response.json()


def _refresh(token: str):
    return APIClient().post(REFRESH, {"refresh": token}, format="json")


@pytest.fixture
def user(db, time_machine):
    """A customer, at 09:00 sharp on the clock the tests move."""
    time_machine.move_to("2026-03-01 09:00:00+00:00", tick=False)
    return CustomerFactory()


@pytest.mark.django_db
def test_a_stolen_refresh_token_replayed_after_rotation_signs_everyone_out(user, time_machine):
    stolen = _sign_in(user)["refresh"]
    # The legitimate client rotates twice over the next minutes.
    time_machine.move_to("2026-03-01 09:14:00+00:00", tick=False)
    second = _refresh(stolen).json()["refresh"]
    time_machine.move_to("2026-03-01 09:28:00+00:00", tick=False)
    third = _refresh(second).json()

    # The thief replays the token it stole: refused, and the family is revoked.
    time_machine.move_to("2026-03-01 09:30:00+00:00", tick=False)
    replay = _refresh(stolen)
    assert replay.status_code == 401
    assert replay.json()["code"] == "token_not_valid"
    assert _refresh(third["refresh"]).status_code == 401  # the legitimate holder must sign in again
    family = RefreshTokenFamily.objects.get(user=user)
    assert family.revoked_because == "reuse"

    # Signing in again starts a new family, untouched by the old one.
    fresh = _sign_in(user)
    assert _refresh(fresh["refresh"]).status_code == 200


@pytest.mark.django_db
def test_a_thief_who_rotates_first_is_cut_off_when_the_owner_comes_back(user, time_machine):
    stolen = _sign_in(user)["refresh"]
    thiefs = _refresh(stolen).json()["refresh"]  # the thief rotates first
    time_machine.move_to("2026-03-01 09:15:00+00:00", tick=False)
    assert _refresh(stolen).status_code == 401  # the owner's refresh: reuse
    assert _refresh(thiefs).status_code == 401  # and the thief's token dies with the family


@pytest.mark.django_db
def test_reuse_revokes_only_that_sign_in(user, time_machine):
    phone, laptop = _sign_in(user), _sign_in(user)
    rotated = _refresh(phone["refresh"]).json()["refresh"]
    time_machine.move_to("2026-03-01 09:01:00+00:00", tick=False)
    assert _refresh(phone["refresh"]).status_code == 401
    assert _refresh(rotated).status_code == 401
    assert _refresh(laptop["refresh"]).status_code == 200


@pytest.mark.django_db
def test_a_repeat_within_the_grace_is_refused_but_revokes_nothing(user, time_machine):
    first = _sign_in(user)["refresh"]
    winner = _refresh(first).json()["refresh"]
    time_machine.move_to("2026-03-01 09:00:09+00:00", tick=False)  # REFRESH_TOKEN_REUSE_GRACE_SECONDS = 10
    repeat = _refresh(first)
    assert (repeat.status_code, repeat.json()["code"]) == (401, "token_not_valid")
    assert _refresh(winner).status_code == 200
    assert RefreshTokenFamily.objects.get(user=user).revoked_at is None


@pytest.mark.django_db
def test_the_family_is_not_copied_into_access_tokens():
    user = CustomerFactory()
    tokens = _sign_in(user)
    from rest_framework_simplejwt.tokens import AccessToken

    assert "fam" in RefreshToken(tokens["refresh"]).payload
    assert "fam" not in AccessToken(tokens["access"]).payload


@pytest.mark.django_db
def test_a_token_from_before_families_rotates_into_one_and_is_then_protected(user, time_machine):
    legacy = str(RefreshToken.for_user(user))  # no `fam` claim
    rotated = _refresh(legacy).json()["refresh"]
    assert "fam" in RefreshToken(rotated).payload
    newer = _refresh(rotated).json()["refresh"]
    time_machine.move_to("2026-03-01 09:05:00+00:00", tick=False)
    assert _refresh(rotated).status_code == 401
    assert _refresh(newer).status_code == 401


@pytest.mark.django_db
def test_changing_the_password_revokes_the_family():
    user = CustomerFactory()
    tokens = _sign_in(user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens['access']}")
    response = client.post(
        "/api/v1/auth/change-password/",
        {"old_password": TEST_PASSWORD, "new_password": "a-brand-new-passphrase-77"},
    )
    assert response.status_code == 204
    assert RefreshTokenFamily.objects.get(user=user).revoked_because == "password_change"
    assert _refresh(tokens["refresh"]).status_code == 401


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_parallel_refreshes_by_one_client_are_not_a_reuse_attack():
    """Two tabs refresh the same token at the same instant: one wins, the others get 401, and the winner's
    new token keeps working (no revocation: the repeats came within the grace)."""
    user = CustomerFactory()
    first = _sign_in(user)["refresh"]

    results = run_together([lambda: _refresh(first)] * 4)

    assert sorted(status for status, _ in results) == [200, 401, 401, 401], results
    (winner,) = [body for status, body in results if status == 200]
    assert RefreshTokenFamily.objects.get(user=user).revoked_at is None
    assert _refresh(winner["refresh"]).status_code == 200


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_replay_racing_a_rotation_never_leaves_a_live_token_after_the_grace(settings):
    """With no grace, a replay and a legitimate rotation of the successor racing each other end with the
    family revoked whichever commits first: no token of it refreshes afterwards."""
    settings.REFRESH_TOKEN_REUSE_GRACE_SECONDS = 0
    user = CustomerFactory()
    first = _sign_in(user)["refresh"]
    second = _refresh(first).json()["refresh"]

    results = run_together([lambda: _refresh(first), lambda: _refresh(second)])

    assert results[0][0] == 401
    assert RefreshTokenFamily.objects.get(user=user).revoked_because == "reuse"
    if results[1][0] == 200:
        assert _refresh(results[1][1]["refresh"]).status_code == 401
