"""A signed-in user reads and edits their profile, changes their password, and logs out."""

import pytest
from rest_framework_simplejwt.tokens import RefreshToken

from tests.conftest import bearer_client
from tests.factories import TEST_PASSWORD, CustomerFactory

pytestmark = pytest.mark.django_db


def test_me_shows_the_profile(customer_client, customer):
    response = customer_client.get("/api/v1/auth/me/")
    assert response.status_code == 200
    body = response.json()
    assert body["id"] == str(customer.id)
    assert body["email"] == customer.email
    assert body["account_type"] == "customer"
    assert body["phone_number"] == str(customer.phone_number)


def test_me_needs_a_token(api_client):
    response = api_client.get("/api/v1/auth/me/")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_a_garbage_token_is_401_when_oidc_is_off(api_client):
    api_client.credentials(HTTP_AUTHORIZATION="Bearer not-a-token")
    response = api_client.get("/api/v1/auth/me/")
    assert response.status_code == 401
    assert response.json()["code"] == "token_not_valid"


def test_a_user_edits_their_profile_and_the_phone_is_stored_in_e164(customer_client, customer):
    response = customer_client.patch(
        "/api/v1/auth/me/",
        {
            "first_name": "Wanjiru",
            "phone_number": "0722 000 111",
            "default_shipping_address": "Moi Ave 1, Nairobi",
        },
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["first_name"] == "Wanjiru"
    assert body["phone_number"] == "+254722000111"
    customer.refresh_from_db()
    assert customer.default_shipping_address == "Moi Ave 1, Nairobi"


def test_email_and_account_type_cannot_be_changed_through_me(customer_client, customer):
    customer_client.patch("/api/v1/auth/me/", {"email": "other@example.com", "account_type": "merchant"})
    customer.refresh_from_db()
    assert customer.email != "other@example.com"
    assert customer.account_type == "customer"


def test_a_bad_phone_number_is_a_400(customer_client):
    response = customer_client.patch("/api/v1/auth/me/", {"phone_number": "+12"})
    assert response.status_code == 400
    assert response.json()["code"] == "validation_error"
    assert "phone_number" in response.json()["errors"]


def test_a_user_changes_their_password_and_every_token_dies(api_client):
    user = CustomerFactory()
    login = api_client.post("/api/v1/auth/login/", {"email": user.email, "password": TEST_PASSWORD}).json()
    client = bearer_client(user)
    response = client.post(
        "/api/v1/auth/change-password/",
        {"old_password": TEST_PASSWORD, "new_password": "brand-new-passphrase-77"},
    )
    assert response.status_code == 204
    # Old access and refresh tokens no longer work.
    assert client.get("/api/v1/auth/me/").status_code == 401
    assert api_client.post("/api/v1/auth/token/refresh/", {"refresh": login["refresh"]}).status_code == 401
    # The new password does.
    response = api_client.post(
        "/api/v1/auth/login/", {"email": user.email, "password": "brand-new-passphrase-77"}
    )
    assert response.status_code == 200


def test_changing_the_password_needs_the_current_one(customer_client):
    response = customer_client.post(
        "/api/v1/auth/change-password/", {"old_password": "nope", "new_password": "brand-new-passphrase-77"}
    )
    assert response.status_code == 400
    assert "old_password" in response.json()["errors"]


def test_a_weak_new_password_is_refused(customer_client):
    response = customer_client.post(
        "/api/v1/auth/change-password/", {"old_password": TEST_PASSWORD, "new_password": "12345678"}
    )
    assert response.status_code == 400
    assert "new_password" in response.json()["errors"]


def test_logout_needs_authentication(api_client, customer):
    refresh = str(RefreshToken.for_user(customer))
    assert api_client.post("/api/v1/auth/logout/", {"refresh": refresh}).status_code == 401


def test_nobody_can_log_out_someone_elses_refresh_token(customer_client):
    other = CustomerFactory()
    refresh = str(RefreshToken.for_user(other))
    response = customer_client.post("/api/v1/auth/logout/", {"refresh": refresh})
    assert response.status_code == 400
    assert "refresh" in response.json()["errors"]
    assert customer_client.post("/api/v1/auth/token/refresh/", {"refresh": refresh}).status_code == 200


def test_logout_with_garbage_is_a_400(customer_client):
    response = customer_client.post("/api/v1/auth/logout/", {"refresh": "garbage"})
    assert response.status_code == 400


def test_refreshing_with_garbage_is_a_401(api_client):
    response = api_client.post("/api/v1/auth/token/refresh/", {"refresh": "garbage"})
    assert response.status_code == 401
    assert response.json()["code"] == "token_not_valid"


def test_a_deleted_users_refresh_token_is_a_401(api_client):
    user = CustomerFactory()
    refresh = str(RefreshToken.for_user(user))
    user.delete()
    response = api_client.post("/api/v1/auth/token/refresh/", {"refresh": refresh})
    assert response.status_code == 401


def test_an_inactive_user_cannot_refresh(api_client):
    user = CustomerFactory()
    refresh = str(RefreshToken.for_user(user))
    user.is_active = False
    user.save()
    assert api_client.post("/api/v1/auth/token/refresh/", {"refresh": refresh}).status_code == 401


def test_oidc_token_exchange_is_503_when_no_provider_is_configured(api_client):
    response = api_client.post("/api/v1/auth/oidc/token/", {"access_token": "whatever"})
    assert response.status_code == 503
    assert response.json()["code"] == "oidc_unavailable"


def test_browser_oidc_sign_in_does_not_crash_when_unconfigured(client):
    assert client.get("/oidc/authenticate/").status_code == 503
    assert client.get("/oidc/callback/?code=x&state=y").status_code == 503
