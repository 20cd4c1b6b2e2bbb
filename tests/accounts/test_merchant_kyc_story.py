"""The merchant's road from sign-up to signed webhooks, told through the API."""

import base64
from datetime import timedelta

import pytest
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from tests.accounts.factories import PendingMerchantFactory, kyc_form
from tests.conftest import bearer_client

pytestmark = pytest.mark.django_db


def test_a_merchant_is_approved_gets_a_secret_and_rotates_it(time_machine, admin_client, settings):
    start = timezone.now().replace(microsecond=0) + timedelta(seconds=1)
    time_machine.move_to(start, tick=False)
    merchant = PendingMerchantFactory(company_name="Duka Bora")
    client = bearer_client(merchant.user)

    me = client.get("/api/v1/merchants/me/")
    assert me.status_code == 200
    assert me.json() == {
        "id": str(merchant.pk),
        "company_name": "Duka Bora",
        "kyc_status": "not_submitted",
        "is_active": False,
        "activated_at": None,
    }

    blocked = client.get("/api/v1/merchants/me/webhook-secrets/")
    assert blocked.status_code == 403
    assert blocked.json()["code"] == "kyc_required"

    submitted = client.post("/api/v1/merchants/me/kyc/", kyc_form(), format="multipart")
    assert submitted.status_code == 201, submitted.json()
    assert submitted.json()["status"] == "submitted"
    assert client.get("/api/v1/merchants/me/").json()["kyc_status"] == "submitted"

    again = client.post("/api/v1/merchants/me/kyc/", kyc_form(), format="multipart")
    assert again.status_code == 409
    assert again.json()["code"] == "kyc_already_submitted"

    queue = admin_client.get("/api/v1/admin/merchants/?kyc_status=submitted").json()
    assert [m["id"] for m in queue["results"]] == [str(merchant.pk)]

    approved = admin_client.post(f"/api/v1/admin/merchants/{merchant.pk}/kyc/approve/")
    assert approved.status_code == 200
    assert approved.json()["kyc_status"] == "approved"
    assert approved.json()["is_active"] is True

    me = client.get("/api/v1/merchants/me/").json()
    assert (me["kyc_status"], me["is_active"]) == ("approved", True)

    secrets = client.get("/api/v1/merchants/me/webhook-secrets/").json()
    assert len(secrets) == 1
    first = secrets[0]
    assert first["secret"].startswith("whsec_")
    assert len(base64.b64decode(first["secret"].removeprefix("whsec_"), validate=True)) == 32
    assert first["expires_at"] is None

    time_machine.move_to(start + timedelta(hours=1), tick=False)
    client = bearer_client(merchant.user)  # a fresh access token an hour later
    rotated = client.post("/api/v1/merchants/me/webhook-secrets/rotate/")
    assert rotated.status_code == 201
    new = rotated.json()
    assert set(new) == {"id", "secret", "created_at"}
    assert new["secret"].startswith("whsec_") and new["secret"] != first["secret"]

    secrets = client.get("/api/v1/merchants/me/webhook-secrets/").json()
    assert [s["id"] for s in secrets] == [new["id"], first["id"]]
    grace_ends = start + timedelta(hours=1 + settings.WEBHOOK_SECRET_GRACE_HOURS)
    assert parse_datetime(secrets[1]["expires_at"]) == grace_ends
    assert secrets[0]["expires_at"] is None

    time_machine.move_to(grace_ends + timedelta(seconds=1), tick=False)
    client = bearer_client(merchant.user)
    secrets = client.get("/api/v1/merchants/me/webhook-secrets/").json()
    assert [s["id"] for s in secrets] == [new["id"]]
