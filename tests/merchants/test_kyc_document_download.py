"""Admins read a merchant's latest KYC document through the API; nobody else reaches it by any URL."""

import json

import pytest
import requests
from django.conf import settings
from django.contrib.auth.models import Group
from rest_framework.test import APIClient

from merchants.services import kyc_reject
from tests.conftest import bearer_client
from tests.factories import (
    PDF_BYTES,
    PNG_BYTES,
    AdminFactory,
    KYCSubmissionFactory,
    PendingMerchantFactory,
    UserFactory,
    document,
    kyc_form,
)

pytestmark = pytest.mark.django_db


def url(merchant) -> str:
    return f"/api/v1/admin/merchants/{merchant.pk}/kyc/document/"


def resubmitted_as_png():
    """A merchant whose first (PDF) submission was rejected and who sent a PNG next."""
    first = KYCSubmissionFactory()
    merchant = first.merchant
    kyc_reject(merchant=merchant, decided_by=AdminFactory(), reason="Illegible")
    client = bearer_client(merchant.user)
    upload = document(PNG_BYTES, name="scan.pdf", content_type="application/pdf")  # the name lies
    assert (
        client.post("/api/v1/merchants/me/kyc/", kyc_form(document=upload), format="multipart").status_code
        == 201
    )
    return merchant, client


def test_the_latest_document_streams_as_its_sniffed_type_as_an_attachment(admin_client):
    merchant, _ = resubmitted_as_png()
    latest = merchant.kyc_submissions.order_by("-submitted_at").first()

    response = admin_client.get(url(merchant))

    assert response.status_code == 200
    assert response.streaming
    assert b"".join(response.streaming_content) == PNG_BYTES
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"] == f'attachment; filename="kyc-{latest.pk}.png"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]


def test_no_document_yet_or_no_such_merchant_is_a_404(admin_client):
    for missing in (PendingMerchantFactory(), PendingMerchantFactory.build()):
        response = admin_client.get(url(missing))
        assert (response.status_code, response.json()["code"]) == (404, "not_found")


def test_only_staff_allowed_to_review_kyc_read_it(api_client):
    merchant = KYCSubmissionFactory().merchant
    staff = UserFactory(is_staff=True)

    assert api_client.get(url(merchant)).status_code == 401
    assert bearer_client(merchant.user).get(url(merchant)).status_code == 403
    denied = bearer_client(staff).get(url(merchant))
    assert (denied.status_code, denied.json()["code"]) == (403, "permission_denied")
    assert "merchants.view_kycsubmission" in denied.json()["detail"]

    staff.groups.add(Group.objects.get(name="KYC reviewers"))
    allowed = bearer_client(staff).get(url(merchant))
    assert allowed.status_code == 200
    assert b"".join(allowed.streaming_content) == PDF_BYTES


def test_no_api_answer_ever_holds_a_public_url_of_a_document(admin_client):
    merchant, client = resubmitted_as_png()
    stored = [s.document.name for s in merchant.kyc_submissions.all()]
    answers = [
        client.get("/api/v1/merchants/me/kyc/").json(),
        admin_client.get("/api/v1/admin/merchants/").json(),
        admin_client.get("/api/v1/admin/merchants/?kyc_status=submitted").json(),
    ]
    text = json.dumps(answers)
    assert all(name not in text for name in stored)
    assert settings.MEDIA_URL not in text
    urls = [answers[0]["document_url"], answers[1]["results"][0]["latest_kyc"]["document_url"]]
    for document_url in urls:
        # Every document URL the API hands out is an authorised view: nothing without credentials.
        assert APIClient().get(document_url).status_code == 401
        assert bearer_client(PendingMerchantFactory().user).get(document_url).status_code in (403, 404)


def test_on_object_storage_a_document_lives_in_the_private_bucket_and_streams_only_through_the_api(
    admin_client, s3_storages
):
    merchant, client = resubmitted_as_png()
    latest = merchant.kyc_submissions.order_by("-submitted_at").first()

    assert f"private/{latest.document.name}" in s3_storages.keys(s3_storages.private)
    assert s3_storages.keys(s3_storages.public) == set()
    # The bucket itself answers nobody without credentials (no public URL exists to hand out).
    anonymous = requests.get(
        f"{s3_storages.server.endpoint_url}/{s3_storages.private}/private/{latest.document.name}", timeout=5
    )
    assert anonymous.status_code == 403
    response = admin_client.get(url(merchant))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PNG_BYTES
    assert client.get(url(merchant)).status_code == 403
