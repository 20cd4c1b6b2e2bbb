"""KYC: submission, the admin's decision, resubmission, who may see what."""

import pytest
from django.core import mail
from django.db import IntegrityError, transaction
from rest_framework.test import APIClient

from core.errors import DomainError
from merchants.models import KYCStatus, KYCSubmission
from merchants.services import kyc_approve, kyc_reject
from merchants.signals import kyc_decided
from tests.conftest import bearer_client
from tests.factories import (
    PDF_BYTES,
    KYCSubmissionFactory,
    PendingMerchantFactory,
    RejectedKYCSubmissionFactory,
    kyc_form,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def decisions():
    """Every `kyc_decided` signal sent during the test."""
    received = []

    def receiver(sender, **kwargs):
        received.append(kwargs)

    kyc_decided.connect(receiver, dispatch_uid="test-kyc-decisions")
    yield received
    kyc_decided.disconnect(dispatch_uid="test-kyc-decisions")


def test_rejected_merchant_learns_why_and_resubmits(
    admin_client, admin_user, decisions, django_capture_on_commit_callbacks
):
    submission = KYCSubmissionFactory()
    merchant = submission.merchant
    client = bearer_client(merchant.user)

    missing = admin_client.post(f"/api/v1/admin/merchants/{merchant.pk}/kyc/reject/", {})
    assert missing.status_code == 400
    assert missing.json()["code"] == "validation_error"
    assert "reason" in missing.json()["errors"]
    blank = admin_client.post(f"/api/v1/admin/merchants/{merchant.pk}/kyc/reject/", {"reason": "   "})
    assert blank.status_code == 400

    with django_capture_on_commit_callbacks(execute=True):
        rejected = admin_client.post(
            f"/api/v1/admin/merchants/{merchant.pk}/kyc/reject/", {"reason": "The certificate is illegible."}
        )
    assert rejected.status_code == 200
    (email,) = mail.outbox
    assert email.to == [merchant.user.email]
    assert "The certificate is illegible." in email.body
    assert (rejected.json()["kyc_status"], rejected.json()["is_active"]) == ("rejected", False)
    assert len(decisions) == 1
    assert decisions[0]["approved"] is False
    assert decisions[0]["reason"] == "The certificate is illegible."
    assert decisions[0]["merchant"].pk == merchant.pk
    assert decisions[0]["submission"].pk == submission.pk

    kyc = client.get("/api/v1/merchants/me/kyc/").json()
    assert kyc["status"] == "rejected"
    assert kyc["rejection_reason"] == "The certificate is illegible."
    assert client.get("/api/v1/merchants/me/webhook-secrets/").json()["code"] == "kyc_required"

    # Rejecting again has nothing to decide.
    twice = admin_client.post(f"/api/v1/admin/merchants/{merchant.pk}/kyc/reject/", {"reason": "again"})
    assert twice.status_code == 409
    assert twice.json()["code"] == "kyc_not_pending"

    resubmitted = client.post(
        "/api/v1/merchants/me/kyc/", kyc_form(legal_name="Duka Bora Ltd (clear scan)"), format="multipart"
    )
    assert resubmitted.status_code == 201
    assert resubmitted.json()["legal_name"] == "Duka Bora Ltd (clear scan)"
    assert client.get("/api/v1/merchants/me/").json()["kyc_status"] == "submitted"

    assert admin_client.post(f"/api/v1/admin/merchants/{merchant.pk}/kyc/approve/").status_code == 200
    assert client.get("/api/v1/merchants/me/").json()["is_active"] is True
    # The history keeps both decisions, each with who decided and when.
    history = list(KYCSubmission.objects.filter(merchant=merchant).order_by("submitted_at"))
    assert [s.status for s in history] == [KYCStatus.REJECTED, KYCStatus.APPROVED]
    assert all(s.decided_by == admin_user and s.decided_at for s in history)
    assert [d["approved"] for d in decisions] == [False, True]


def test_approved_merchant_cannot_submit_again(merchant):
    response = bearer_client(merchant.user).post("/api/v1/merchants/me/kyc/", kyc_form(), format="multipart")
    assert response.status_code == 409
    assert response.json()["code"] == "kyc_already_submitted"


def test_approval_records_who_decided_and_when(admin_client, admin_user, time_machine, decisions):
    submission = KYCSubmissionFactory()
    time_machine.move_to("2030-01-15T10:00:00Z", tick=False)
    admin = bearer_client(admin_user)
    assert admin.post(f"/api/v1/admin/merchants/{submission.merchant.pk}/kyc/approve/").status_code == 200
    submission.refresh_from_db()
    submission.merchant.refresh_from_db()
    assert submission.decided_by == admin_user
    assert submission.decided_at.isoformat() == "2030-01-15T10:00:00+00:00"
    assert submission.merchant.activated_at == submission.decided_at
    assert decisions[0]["approved"] is True and decisions[0]["reason"] == ""
    assert submission.merchant.webhook_secrets.count() == 1


def test_a_failing_decision_receiver_rolls_the_decision_back(admin_user):
    """Receivers run inside the decision's transaction, so an outbox row and the decision commit together."""
    submission = KYCSubmissionFactory()

    def broken_receiver(sender, **kwargs):
        raise RuntimeError("outbox unavailable")

    kyc_decided.connect(broken_receiver, dispatch_uid="test-broken")
    try:
        with pytest.raises(RuntimeError):
            kyc_approve(merchant=submission.merchant, decided_by=admin_user)
    finally:
        kyc_decided.disconnect(dispatch_uid="test-broken")
    submission.refresh_from_db()
    submission.merchant.refresh_from_db()
    assert submission.status == KYCStatus.SUBMITTED
    assert (submission.merchant.kyc_status, submission.merchant.is_active) == (KYCStatus.SUBMITTED, False)
    assert not submission.merchant.webhook_secrets.exists()


def test_a_merchant_without_submission_cannot_be_approved(admin_client):
    merchant = PendingMerchantFactory()
    response = admin_client.post(f"/api/v1/admin/merchants/{merchant.pk}/kyc/approve/")
    assert response.status_code == 409
    assert response.json()["code"] == "kyc_not_pending"


def test_only_admins_decide(customer_client, merchant_client):
    submission = KYCSubmissionFactory()
    url = f"/api/v1/admin/merchants/{submission.merchant.pk}/kyc/approve/"
    for client in (customer_client, merchant_client, bearer_client(submission.merchant.user)):
        response = client.post(url)
        assert response.status_code == 403
        assert response.json()["code"] == "permission_denied"
    assert APIClient().post(url).status_code == 401
    submission.refresh_from_db()
    assert submission.status == KYCStatus.SUBMITTED


def test_unknown_merchant_is_404(admin_client):
    url = "/api/v1/admin/merchants/00000000-0000-0000-0000-000000000000/kyc/"
    assert admin_client.post(url + "approve/").status_code == 404
    response = admin_client.post(url + "reject/", {"reason": "no"})
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_merchant_sees_only_its_own_kyc(admin_client):
    mine = KYCSubmissionFactory()
    theirs = KYCSubmissionFactory()
    client = bearer_client(mine.merchant.user)

    kyc = client.get("/api/v1/merchants/me/kyc/").json()
    assert kyc["id"] == str(mine.pk)
    assert kyc["document_url"].endswith(f"/api/v1/merchants/me/kyc/{mine.pk}/document/")

    own = client.get(f"/api/v1/merchants/me/kyc/{mine.pk}/document/")
    assert own.status_code == 200
    assert b"".join(own.streaming_content) == PDF_BYTES

    other = client.get(f"/api/v1/merchants/me/kyc/{theirs.pk}/document/")
    assert other.status_code == 404
    assert other.json()["code"] == "not_found"
    # Nor through the admin document endpoint.
    assert client.get(f"/api/v1/admin/kyc-submissions/{theirs.pk}/document/").status_code == 403
    # Admins see every document.
    assert admin_client.get(f"/api/v1/admin/kyc-submissions/{theirs.pk}/document/").status_code == 200


def test_kyc_before_any_submission(customer_client):
    merchant = PendingMerchantFactory()
    client = bearer_client(merchant.user)
    kyc = client.get("/api/v1/merchants/me/kyc/")
    assert kyc.status_code == 200
    assert kyc.json()["status"] == "not_submitted"
    assert kyc.json()["id"] is None
    assert client.get("/api/v1/merchants/me/kyc/document/").status_code == 404
    # Customers have no merchant profile at all.
    assert customer_client.get("/api/v1/merchants/me/").status_code == 403
    assert (
        customer_client.post("/api/v1/merchants/me/kyc/", kyc_form(), format="multipart").status_code == 403
    )


def test_the_database_refuses_two_live_submissions():
    submission = KYCSubmissionFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        KYCSubmissionFactory(merchant=submission.merchant)


def test_a_rejection_needs_a_reason_even_in_the_database():
    with pytest.raises(IntegrityError), transaction.atomic():
        RejectedKYCSubmissionFactory(rejection_reason="")


def test_reject_service_refuses_a_blank_reason(admin_user):
    submission = KYCSubmissionFactory()
    with pytest.raises(DomainError) as excinfo:
        kyc_reject(merchant=submission.merchant, decided_by=admin_user, reason="  ")
    assert excinfo.value.http_status == 400
