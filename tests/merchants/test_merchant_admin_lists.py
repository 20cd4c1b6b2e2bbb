"""Admins look through the merchants; the KYC approval queue is a filter."""

import pytest

from tests.factories import (
    KYCSubmissionFactory,
    MerchantFactory,
    PendingMerchantFactory,
    RejectedKYCSubmissionFactory,
)

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


def test_the_merchant_list_is_for_admins_only(customer_client, merchant_client, api_client):
    path = "/api/v1/admin/merchants/"
    assert customer_client.get(path).status_code == 403
    assert merchant_client.get(path).status_code == 403
    assert api_client.get(path).status_code == 401
