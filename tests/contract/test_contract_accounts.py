"""Contract: Accounts (`/api/v1/auth/…`, `/api/v1/admin/customers/`, `/api/v1/admin/merchants/`)."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from tests.contract.blackbox import (
    GARBAGE_VALUES,
    PASSWORD,
    assert_page,
    client_for,
    last_otp,
    login,
    register,
    signed_up,
)
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

PROFILE_FIELDS = {
    "id",
    "email",
    "account_type",
    "first_name",
    "last_name",
    "phone_number",
    "default_shipping_address",
    "language",
}


def _verify(email, otp):
    return client_for().post("/api/v1/auth/verify-otp/", {"email": email, "otp": otp}, format="json")


def _wrong(code):
    return f"{(int(code) + 1) % 1_000_000:06d}"


# --- register ------------------------------------------------------------------------------------------


def test_a_customer_registers_and_gets_a_six_digit_code_by_email():
    response = register("amina@example.com", first_name="Amina", phone_number="+254712345678")

    assert response.status_code == 201
    body = response.json()
    assert set(body) == {"id", "email", "account_type"}
    assert body["email"] == "amina@example.com"
    assert body["account_type"] == "customer"
    assert re.fullmatch(r"\d{6}", last_otp("amina@example.com"))


def test_a_merchant_registers_with_its_company_name():
    response = register("duka@example.com", "merchant", company_name="Duka Ltd")

    assert response.status_code == 201
    assert response.json() == {
        "id": response.json()["id"],
        "email": "duka@example.com",
        "account_type": "merchant",
        "company_name": "Duka Ltd",
    }


def test_a_merchant_without_company_name_is_a_400():
    response = client_for().post(
        "/api/v1/auth/register/",
        {"email": "m@example.com", "password": PASSWORD, "account_type": "merchant"},
        format="json",
    )
    assert response.status_code == 400
    assert "company_name" in response.json()["errors"]


@pytest.mark.parametrize("account_type", ["admin", "staff", "", None, 1, "CUSTOMER"])
def test_an_unknown_account_type_is_a_400(account_type):
    response = client_for().post(
        "/api/v1/auth/register/",
        {"email": "x@example.com", "password": PASSWORD, "account_type": account_type},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["code"] == "validation_error"
    assert "account_type" in response.json()["errors"]


@pytest.mark.parametrize("phone", ["12345", "not a phone", "+999123", "+2547123456789999"])
def test_a_bad_phone_number_at_registration_is_a_400(phone):
    response = register("p@example.com", phone_number=phone)
    assert response.status_code == 400
    assert "phone_number" in response.json()["errors"]


def test_the_phone_number_is_stored_in_e164():
    client = signed_up("e164@example.com", phone_number="0712 345 678")
    assert client.get("/api/v1/auth/me/").json()["phone_number"] == "+254712345678"


def test_an_email_registered_twice_makes_no_second_account_and_answers_alike():
    # Issue 15 (no enumeration): a taken email answers like a new one; its owner is emailed instead.
    first = register("twice@example.com")
    assert first.status_code == 201
    response = register("TWICE@example.com")
    assert response.status_code == 201
    assert set(response.json()) == set(first.json())
    assert response.json()["id"] != first.json()["id"]
    from accounts.models import User

    assert User.objects.filter(email__iexact="twice@example.com").count() == 1


@pytest.mark.parametrize("field", ["email", "password", "account_type"])
def test_a_missing_required_field_is_a_400_naming_it(field):
    body = {"email": "a@example.com", "password": PASSWORD, "account_type": "customer"}
    del body[field]
    response = client_for().post("/api/v1/auth/register/", body, format="json")
    assert response.status_code == 400
    assert field in response.json()["errors"]


@pytest.mark.parametrize("value", GARBAGE_VALUES)
def test_garbage_in_any_register_field_is_never_a_500(value):
    for field in ["email", "password", "account_type", "first_name", "phone_number", "company_name"]:
        body = {
            "email": "g@example.com",
            "password": PASSWORD,
            "account_type": "merchant",
            "company_name": "C",
        }
        body[field] = value
        response = client_for().post("/api/v1/auth/register/", body, format="json")
        assert response.status_code in (201, 400), (field, value, response.content)
        if response.status_code == 201:
            # a harmless value was accepted; start again from a clean slate for the next field
            from accounts.models import User

            User.objects.filter(email="g@example.com").delete()


@pytest.mark.parametrize(
    "body,content_type",
    [
        ("{not json", "application/json"),
        ("[]", "application/json"),
        ('"a string"', "application/json"),
        ("null", "application/json"),
        ("email=a@b.c", "text/plain"),
        ("\xff\xfe", "application/json"),
    ],
)
def test_a_body_that_is_not_a_json_object_is_a_4xx_with_a_code(body, content_type):
    response = client_for().generic("POST", "/api/v1/auth/register/", body, content_type=content_type)
    assert 400 <= response.status_code < 500


# --- OTP -----------------------------------------------------------------------------------------------


def test_verifying_the_emailed_code_lets_the_user_log_in():
    register("v@example.com")
    assert login("v@example.com").status_code == 403
    response = _verify("v@example.com", last_otp("v@example.com"))
    assert response.status_code == 200
    assert login("v@example.com").status_code == 200


def test_a_wrong_code_is_invalid_otp():
    register("w@example.com")
    response = _verify("w@example.com", _wrong(last_otp("w@example.com")))
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_otp"


def test_five_wrong_codes_lock_the_otp():
    register("lock@example.com")
    code = last_otp("lock@example.com")
    for _ in range(5):
        response = _verify("lock@example.com", _wrong(code))
        assert response.status_code in (400, 429)
    response = _verify("lock@example.com", code)
    assert response.status_code == 429
    assert response.json()["code"] == "otp_locked"
    assert login("lock@example.com").status_code == 403


def test_a_code_expires_after_ten_minutes():
    register("late@example.com")
    code = last_otp("late@example.com")
    with time_machine.travel(timezone.now() + timedelta(minutes=11)):
        response = _verify("late@example.com", code)
    assert response.status_code == 400
    assert response.json()["code"] == "otp_expired"


def test_a_code_is_single_use():
    register("once@example.com")
    code = last_otp("once@example.com")
    assert _verify("once@example.com", code).status_code == 200
    assert _verify("once@example.com", code).status_code == 400


def test_requesting_a_code_answers_the_same_for_unknown_emails():
    register("known@example.com")
    mail.outbox.clear()
    known = client_for().post("/api/v1/auth/request-otp/", {"email": "known@example.com"}, format="json")
    unknown = client_for().post("/api/v1/auth/request-otp/", {"email": "ghost@example.com"}, format="json")
    assert known.status_code == unknown.status_code == 200
    assert known.json() == unknown.json()
    assert [m.to for m in mail.outbox] == [["known@example.com"]]
    assert _verify("known@example.com", last_otp("known@example.com")).status_code == 200


def test_requesting_codes_is_throttled_per_email():
    statuses = [
        client_for()
        .post("/api/v1/auth/request-otp/", {"email": "flood@example.com"}, format="json")
        .status_code
        for _ in range(12)
    ]
    assert statuses[0] == 200
    assert 429 in statuses


@pytest.mark.parametrize("value", GARBAGE_VALUES)
def test_garbage_otp_inputs_are_never_a_500(value):
    register("gar@example.com")
    for body in ({"email": value, "otp": "123456"}, {"email": "gar@example.com", "otp": value}):
        response = client_for().post("/api/v1/auth/verify-otp/", body, format="json")
        assert response.status_code in (400, 429)
    response = client_for().post("/api/v1/auth/request-otp/", {"email": value}, format="json")
    assert response.status_code in (400, 429)


# --- login, tokens, logout -----------------------------------------------------------------------------


def test_login_answers_a_token_pair_and_the_profile():
    signed_up("li@example.com", first_name="Li")
    response = login("li@example.com")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"access", "refresh", "user"}
    assert set(body["user"]) == PROFILE_FIELDS
    assert body["user"]["email"] == "li@example.com"
    assert body["user"]["first_name"] == "Li"


@pytest.mark.parametrize(
    "email,password", [("li@example.com", "wrong-password"), ("nobody@example.com", PASSWORD)]
)
def test_bad_credentials_are_invalid_credentials(email, password):
    signed_up("li@example.com")
    response = login(email, password)
    assert response.status_code == 401
    assert response.json()["code"] == "invalid_credentials"


def test_an_unverified_email_cannot_log_in():
    register("unv@example.com")
    response = login("unv@example.com")
    assert response.status_code == 403
    assert response.json()["code"] == "email_not_verified"


@pytest.mark.parametrize("value", GARBAGE_VALUES)
def test_garbage_login_inputs_are_never_a_500(value):
    for body in ({"email": value, "password": "x"}, {"email": "a@example.com", "password": value}):
        response = client_for().post("/api/v1/auth/login/", body, format="json")
        assert response.status_code in (400, 401, 429)


def test_refresh_rotates_and_blacklists_the_old_refresh_token():
    client = signed_up("rot@example.com")
    old = client.tokens["refresh"]
    response = client_for().post("/api/v1/auth/token/refresh/", {"refresh": old}, format="json")
    assert response.status_code == 200
    assert set(response.json()) == {"access", "refresh"}
    assert response.json()["refresh"] != old
    again = client_for().post("/api/v1/auth/token/refresh/", {"refresh": old}, format="json")
    assert again.status_code == 401
    fresh = client_for(response.json()["access"]).get("/api/v1/auth/me/")
    assert fresh.status_code == 200


@pytest.mark.parametrize("value", [*GARBAGE_VALUES, "a.b.c", "eyJhbGciOiJIUzI1NiJ9.e30.x"])
def test_a_garbage_refresh_token_is_a_4xx(value):
    response = client_for().post("/api/v1/auth/token/refresh/", {"refresh": value}, format="json")
    assert response.status_code in (400, 401)


def test_an_access_token_is_not_a_refresh_token():
    client = signed_up("acc@example.com")
    response = client_for().post(
        "/api/v1/auth/token/refresh/", {"refresh": client.tokens["access"]}, format="json"
    )
    assert response.status_code == 401


def test_logout_kills_the_refresh_token():
    client = signed_up("out@example.com")
    response = client.post("/api/v1/auth/logout/", {"refresh": client.tokens["refresh"]}, format="json")
    assert response.status_code == 204
    again = client_for().post(
        "/api/v1/auth/token/refresh/", {"refresh": client.tokens["refresh"]}, format="json"
    )
    assert again.status_code == 401


def test_logout_needs_authentication():
    client = signed_up("out2@example.com")
    response = client_for().post("/api/v1/auth/logout/", {"refresh": client.tokens["refresh"]}, format="json")
    assert response.status_code == 401


def test_someone_else_s_refresh_token_cannot_be_logged_out():
    alice = signed_up("alice@example.com")
    bob = signed_up("bob@example.com")
    response = bob.post("/api/v1/auth/logout/", {"refresh": alice.tokens["refresh"]}, format="json")
    assert 400 <= response.status_code < 500
    still = client_for().post(
        "/api/v1/auth/token/refresh/", {"refresh": alice.tokens["refresh"]}, format="json"
    )
    assert still.status_code == 200


@pytest.mark.parametrize("value", GARBAGE_VALUES)
def test_garbage_logout_is_a_4xx(value):
    client = signed_up("out3@example.com")
    response = client.post("/api/v1/auth/logout/", {"refresh": value}, format="json")
    assert 400 <= response.status_code < 500


# --- me, password ---------------------------------------------------------------------------------------


def test_the_profile_reads_and_updates():
    client = signed_up("me@example.com")
    body = client.get("/api/v1/auth/me/").json()
    assert set(body) == PROFILE_FIELDS
    assert body["account_type"] == "customer"

    response = client.patch(
        "/api/v1/auth/me/",
        {"first_name": "Zawadi", "phone_number": "+254 733 000111", "default_shipping_address": "Ngong Rd"},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["first_name"] == "Zawadi"
    assert response.json()["phone_number"] == "+254733000111"
    assert client.get("/api/v1/auth/me/").json()["default_shipping_address"] == "Ngong Rd"


def test_the_profile_email_and_account_type_cannot_be_changed_by_patch():
    client = signed_up("fixed@example.com")
    client.patch("/api/v1/auth/me/", {"email": "new@example.com", "account_type": "merchant"}, format="json")
    body = client.get("/api/v1/auth/me/").json()
    assert body["email"] == "fixed@example.com"
    assert body["account_type"] == "customer"


def test_a_bad_phone_on_the_profile_is_a_400():
    client = signed_up("badp@example.com")
    response = client.patch("/api/v1/auth/me/", {"phone_number": "12"}, format="json")
    assert response.status_code == 400
    assert "phone_number" in response.json()["errors"]


@pytest.mark.parametrize("value", GARBAGE_VALUES)
def test_garbage_profile_patches_are_never_a_500(value):
    client = signed_up("garp@example.com")
    for field in ["first_name", "last_name", "phone_number", "default_shipping_address"]:
        response = client.patch("/api/v1/auth/me/", {field: value}, format="json")
        assert response.status_code in (200, 400)


@pytest.mark.parametrize(
    "header",
    [
        "Bearer",
        "Bearer ",
        "Bearer garbage",
        "Bearer a.b.c",
        "Basic Zm9vOmJhcg==",
        "Token x",
        "Bearer 💥".encode().decode("latin-1"),
        "Bearer é",
    ],
)
def test_a_bad_authorization_header_is_a_401(header):
    response = client_for().get("/api/v1/auth/me/", HTTP_AUTHORIZATION=header)
    assert response.status_code == 401


def test_the_profile_needs_authentication():
    assert client_for().get("/api/v1/auth/me/").status_code == 401


def test_changing_the_password():
    client = signed_up("pw@example.com")
    response = client.post(
        "/api/v1/auth/change-password/",
        {"old_password": PASSWORD, "new_password": "an0ther-Long-passphrase"},
        format="json",
    )
    assert response.status_code == 204
    assert login("pw@example.com").status_code == 401
    assert login("pw@example.com", "an0ther-Long-passphrase").status_code == 200


def test_changing_the_password_with_a_wrong_old_one_is_a_400():
    client = signed_up("pw2@example.com")
    response = client.post(
        "/api/v1/auth/change-password/",
        {"old_password": "nope-nope-nope", "new_password": "an0ther-Long-passphrase"},
        format="json",
    )
    assert response.status_code == 400
    assert login("pw2@example.com").status_code == 200


@pytest.mark.parametrize("value", GARBAGE_VALUES)
def test_garbage_password_changes_are_a_400(value):
    client = signed_up("pw3@example.com")
    response = client.post(
        "/api/v1/auth/change-password/", {"old_password": value, "new_password": "x"}, format="json"
    )
    assert response.status_code == 400
    response = client.post(
        "/api/v1/auth/change-password/", {"old_password": PASSWORD, "new_password": value}, format="json"
    )
    assert response.status_code in (204, 400)  # some of these strings are acceptable passwords


# --- OIDC token exchange (no provider configured in tests) ----------------------------------------------


@pytest.mark.parametrize("value", GARBAGE_VALUES)
def test_oidc_token_exchange_never_500s(value):
    response = client_for().post("/api/v1/auth/oidc/token/", {"access_token": value}, format="json")
    assert response.status_code in (400, 401, 503)


# --- admin lists ----------------------------------------------------------------------------------------


def test_admin_lists_customers_paginated_with_search_and_verification_filter(admin):
    signed_up("findme@example.com", first_name="Findme")
    register("pending@example.com")

    everyone = admin.get("/api/v1/admin/customers/")
    assert everyone.status_code == 200
    assert_page(everyone.json())
    emails = {c["email"] for c in everyone.json()["results"]}
    assert {"findme@example.com", "pending@example.com"} <= emails

    found = admin.get("/api/v1/admin/customers/", {"search": "findme"}).json()
    assert [c["email"] for c in found["results"]] == ["findme@example.com"]

    unverified = admin.get("/api/v1/admin/customers/", {"is_verified": "false"}).json()
    assert [c["email"] for c in unverified["results"]] == ["pending@example.com"]
    verified = admin.get("/api/v1/admin/customers/", {"is_verified": "true"}).json()
    assert "pending@example.com" not in {c["email"] for c in verified["results"]}


def test_admin_customer_list_page_size_is_capped_at_100(admin):
    CustomerFactory.create_batch(105)
    body = admin.get("/api/v1/admin/customers/", {"page_size": 1000}).json()
    assert body["count"] == 105
    assert len(body["results"]) == 100
    assert body["next"] is not None
    small = admin.get("/api/v1/admin/customers/", {"page_size": 7}).json()
    assert len(small["results"]) == 7


@pytest.mark.parametrize(
    "query",
    [
        {"page": 999},
        {"page": "x"},
        {"page_size": "x"},
        {"page_size": -1},
        {"is_verified": "maybe"},
        {"search": "\x00"},
        {"search": "a\x00b"},
    ],
)
def test_admin_list_garbage_query_is_never_a_500(admin, query):
    for path in ("/api/v1/admin/customers/", "/api/v1/admin/merchants/"):
        assert admin.get(path, query).status_code in (200, 400, 404)


def test_admin_lists_merchants_and_the_kyc_queue(admin):
    from tests.contract.blackbox import kyc_form

    waiting = signed_up("queue@example.com", "merchant")
    signed_up("idle@example.com", "merchant")
    assert waiting.post("/api/v1/merchants/me/kyc/", kyc_form(), format="multipart").status_code == 201

    everyone = admin.get("/api/v1/admin/merchants/")
    assert everyone.status_code == 200
    assert_page(everyone.json())
    assert everyone.json()["count"] == 2
    queue = admin.get("/api/v1/admin/merchants/", {"kyc_status": "submitted"}).json()
    assert queue["count"] == 1
    assert queue["results"][0]["kyc_status"] == "submitted"
    assert queue["results"][0]["company_name"] == "Queue Ltd"


@pytest.mark.parametrize("path", ["/api/v1/admin/customers/", "/api/v1/admin/merchants/"])
def test_admin_lists_are_for_admins_only(path):
    assert client_for().get(path).status_code == 401
    customer = signed_up("nosy@example.com")
    assert customer.get(path).status_code == 403
