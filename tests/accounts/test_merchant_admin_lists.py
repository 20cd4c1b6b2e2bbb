"""Admins look through customers and merchants; the KYC approval queue is a filter."""

import pytest

from tests.accounts.factories import (
    KYCSubmissionFactory,
    PendingMerchantFactory,
    RejectedKYCSubmissionFactory,
)
from tests.factories import AdminFactory, CustomerFactory, MerchantFactory

pytestmark = pytest.mark.django_db


def test_the_approval_queue_lists_submitted_merchants_with_their_document(
    admin_client, django_assert_num_queries
):
    waiting = [KYCSubmissionFactory(merchant__company_name=f"Waiting {i}") for i in range(3)]
    MerchantFactory()
    PendingMerchantFactory()
    RejectedKYCSubmissionFactory()

    with django_assert_num_queries(4):  # admin user, count, merchants+users, latest submissions
        body = admin_client.get("/api/v1/admin/merchants/?kyc_status=submitted").json()
    assert body["count"] == 3
    assert [m["company_name"] for m in body["results"]] == ["Waiting 0", "Waiting 1", "Waiting 2"]
    first = body["results"][0]
    assert first["email"] == waiting[0].merchant.user.email
    assert first["latest_kyc"]["id"] == str(waiting[0].pk)
    assert first["latest_kyc"]["document_url"].endswith(
        f"/api/v1/admin/kyc-submissions/{waiting[0].pk}/document/"
    )
    assert admin_client.get(first["latest_kyc"]["document_url"]).status_code == 200


def test_merchant_list_filters(admin_client):
    active = MerchantFactory(company_name="Active Shop")
    PendingMerchantFactory(company_name="New Shop")
    assert admin_client.get("/api/v1/admin/merchants/").json()["count"] == 2
    assert [
        m["id"] for m in admin_client.get("/api/v1/admin/merchants/?is_active=true").json()["results"]
    ] == [str(active.pk)]
    assert admin_client.get("/api/v1/admin/merchants/?search=new").json()["results"][0]["latest_kyc"] is None
    bad = admin_client.get("/api/v1/admin/merchants/?kyc_status=maybe")
    assert bad.status_code == 400
    assert bad.json()["code"] == "validation_error"
    assert "kyc_status" in bad.json()["errors"]


def test_customer_list_searches_and_filters_by_verification(admin_client, django_assert_num_queries):
    amina = CustomerFactory(email="amina@example.com", first_name="Amina", is_email_verified=True)
    brian = CustomerFactory(email="brian@example.com", first_name="Brian", is_email_verified=False)
    MerchantFactory()
    AdminFactory()

    with django_assert_num_queries(3):  # admin user, count, page
        everyone = admin_client.get("/api/v1/admin/customers/").json()
    assert {c["email"] for c in everyone["results"]} == {amina.email, brian.email}
    assert set(everyone["results"][0]) == {
        "id",
        "email",
        "first_name",
        "last_name",
        "phone_number",
        "is_verified",
        "is_active",
        "date_joined",
    }
    assert [
        c["email"] for c in admin_client.get("/api/v1/admin/customers/?search=amina").json()["results"]
    ] == [amina.email]
    unverified = admin_client.get("/api/v1/admin/customers/?is_verified=false").json()["results"]
    assert [(c["email"], c["is_verified"]) for c in unverified] == [(brian.email, False)]
    verified = admin_client.get("/api/v1/admin/customers/?is_verified=true").json()["results"]
    assert [c["email"] for c in verified] == [amina.email]


def test_admin_lists_are_for_admins_only(customer_client, merchant_client, api_client):
    for path in ("/api/v1/admin/customers/", "/api/v1/admin/merchants/"):
        assert customer_client.get(path).status_code == 403
        assert merchant_client.get(path).status_code == 403
        assert api_client.get(path).status_code == 401


def test_admin_lists_paginate(admin_client):
    CustomerFactory.create_batch(3)
    body = admin_client.get("/api/v1/admin/customers/?page_size=2").json()
    assert (body["count"], len(body["results"])) == (3, 2)
    assert body["next"] is not None
