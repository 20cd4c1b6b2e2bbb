"""The merchant's road from sign-up to signed webhooks, told through the API."""

import base64
import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from rest_framework.test import APIClient

from tests.factories import kyc_form

pytestmark = pytest.mark.django_db

EMAIL = "owner@dukabora.example"
PASSWORD = "a-long-and-unusual-passphrase-42"


def login(email: str = EMAIL, password: str = PASSWORD) -> APIClient:
    client = APIClient()
    response = client.post("/api/v1/auth/login/", {"email": email, "password": password})
    assert response.status_code == 200, response.json()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {response.json()['access']}")
    return client


def test_a_merchant_signs_up_is_approved_and_rotates_its_secret(
    api_client, admin_client, time_machine, settings, django_capture_on_commit_callbacks
):
    start = timezone.now().replace(microsecond=0) + timedelta(seconds=1)
    time_machine.move_to(start, tick=False)

    with django_capture_on_commit_callbacks(execute=True):
        registered = api_client.post(
            "/api/v1/auth/register/",
            {"email": EMAIL, "password": PASSWORD, "account_type": "merchant", "company_name": "Duka Bora"},
        )
    assert registered.status_code == 201, registered.json()
    code = re.search(r"\b(\d{6})\b", mail.outbox[-1].body).group(1)
    assert api_client.post("/api/v1/auth/verify-otp/", {"email": EMAIL, "otp": code}).status_code == 200
    client = login()

    me = client.get("/api/v1/merchants/me/")
    assert me.status_code == 200
    assert me.json() | {"id": None} == {
        "id": None,
        "company_name": "Duka Bora",
        "kyc_status": "not_submitted",
        "is_active": False,
        "support_email": "",
        "support_phone": "",
        "new_order_emails": True,
    }
    merchant_id = me.json()["id"]

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
    assert [m["id"] for m in queue["results"]] == [merchant_id]

    emails_before = len(mail.outbox)
    with django_capture_on_commit_callbacks(execute=True):
        approved = admin_client.post(f"/api/v1/admin/merchants/{merchant_id}/kyc/approve/")
    assert approved.status_code == 200
    (approval_email,) = mail.outbox[emails_before:]
    assert approval_email.to == [EMAIL]
    assert "approved" in approval_email.subject.lower()
    assert (approved.json()["kyc_status"], approved.json()["is_active"]) == ("approved", True)

    me = client.get("/api/v1/merchants/me/").json()
    assert (me["kyc_status"], me["is_active"]) == ("approved", True)

    secrets = client.get("/api/v1/merchants/me/webhook-secrets/").json()
    assert len(secrets) == 1
    first = secrets[0]
    assert first["secret"].startswith("whsec_")
    assert len(base64.b64decode(first["secret"].removeprefix("whsec_"), validate=True)) == 32
    assert first["expires_at"] is None

    time_machine.move_to(start + timedelta(hours=1), tick=False)
    client = login()  # the first access token has expired by now
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
    client = login()
    secrets = client.get("/api/v1/merchants/me/webhook-secrets/").json()
    assert [s["id"] for s in secrets] == [new["id"]]
