"""Our Bearer authentication reads the token's user with a compiled query; it answers exactly as SimpleJWT's
own `get_user` does: the same user, or the same error for a deleted, deactivated or re-passworded user."""

import pytest
from rest_framework.exceptions import AuthenticationFailed
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.tokens import AccessToken

from accounts.authentication import BearerAuthentication
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def outcome(authentication, token):
    try:
        user = authentication.get_user(token)
    except AuthenticationFailed as exc:
        detail = exc.detail  # SimpleJWT's errors carry {"detail": ..., "code": ...}
        return ("refused", str(detail["code"]), str(detail["detail"]))
    return ("user", user.pk, user.email, user.is_active)


def both(token):
    ours, simplejwt = outcome(BearerAuthentication(), token), outcome(JWTAuthentication(), token)
    assert ours == simplejwt
    return ours


def test_an_active_user_is_the_user():
    user = CustomerFactory()
    assert both(AccessToken.for_user(user)) == ("user", user.pk, user.email, True)


def test_a_deactivated_user_is_refused():
    user = CustomerFactory()
    token = AccessToken.for_user(user)
    user.is_active = False
    user.save()
    assert both(token)[:2] == ("refused", "user_inactive")


def test_a_deleted_user_is_refused():
    user = CustomerFactory()
    token = AccessToken.for_user(user)
    user.delete()
    assert both(token)[:2] == ("refused", "user_not_found")


def test_a_token_from_before_a_password_change_is_refused():
    user = CustomerFactory()
    token = AccessToken.for_user(user)
    user.set_password("a-new-password-9481")
    user.save()
    assert both(token)[:2] == ("refused", "password_changed")


def test_over_http_a_deactivated_users_token_is_a_401(api_client):
    user = CustomerFactory()
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {AccessToken.for_user(user)}")
    assert api_client.get("/api/v1/orders/").status_code == 200
    user.is_active = False
    user.save()
    response = api_client.get("/api/v1/orders/")
    assert response.status_code == 401
    assert response.json()["code"] == "user_inactive"
