"""Writes on merchants: a new account's merchant, KYC submission and decisions, webhook signing secrets."""

import logging
from datetime import timedelta

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import User
from core.errors import ApiError, ErrorCode
from core.files import validate_upload

from .errors import MerchantError
from .models import KYCStatus, KYCSubmission, Merchant, WebhookSecret
from .signals import kyc_decided
from .signing_secrets import webhook_secret_value_new

logger = logging.getLogger(__name__)

KYC_DOCUMENT_TYPES = {"application/pdf", "image/png", "image/jpeg"}
KYC_DOCUMENT_MAX_BYTES = 5 * 1024 * 1024


def merchant_create(*, user: User, company_name: str) -> Merchant:
    """The business of a newly registered merchant account: inactive, KYC not submitted."""
    return Merchant.objects.create(user=user, company_name=company_name)


def _already_submitted(merchant: Merchant) -> ApiError:
    if merchant.kyc_status == KYCStatus.APPROVED:
        detail = "Your KYC is already approved."
    else:
        detail = "Your KYC is awaiting an admin's decision; you can resubmit only after a rejection."
    return ApiError(MerchantError.KYC_ALREADY_SUBMITTED, detail, status=409)


def _locked(merchant: Merchant) -> Merchant:
    """Re-read the merchant under a row lock: decisions and submissions on one merchant run one at a time."""
    return Merchant.objects.select_for_update().get(pk=merchant.pk)


def kyc_submit(
    *,
    merchant: Merchant,
    legal_name: str,
    registration_number: str,
    tax_id: str,
    country: str,
    address: str,
    contact_phone: str,
    document: UploadedFile,
) -> KYCSubmission:
    """Submit KYC for review (first time, or again after a rejection). The document must really be PDF/PNG/JPEG."""
    content_type = validate_upload(
        document,
        allowed=KYC_DOCUMENT_TYPES,
        max_bytes=KYC_DOCUMENT_MAX_BYTES,
        field="document",
        code=MerchantError.INVALID_DOCUMENT,
    )
    submission = None
    try:
        with transaction.atomic():
            locked = _locked(merchant)
            if locked.kyc_status in (KYCStatus.SUBMITTED, KYCStatus.APPROVED):
                raise _already_submitted(locked)
            submission = KYCSubmission(
                merchant=locked,
                legal_name=legal_name,
                registration_number=registration_number,
                tax_id=tax_id,
                country=country,
                address=address,
                contact_phone=contact_phone,
                document_content_type=content_type,
            )
            # The stored name is random; the client's file name is never used on disk.
            submission.document.save("document", document, save=False)
            submission.save()
            locked.kyc_status = KYCStatus.SUBMITTED
            locked.save(update_fields=["kyc_status"])
    except IntegrityError as exc:
        # A concurrent submission won the race for the merchant's one live submission.
        _discard_document(submission)
        raise _already_submitted(Merchant.objects.get(pk=merchant.pk)) from exc
    except Exception:
        _discard_document(submission)
        raise
    merchant.kyc_status = KYCStatus.SUBMITTED
    logger.info("KYC submitted: merchant=%s submission=%s", merchant.pk, submission.pk)
    return submission


def _discard_document(submission: KYCSubmission | None) -> None:
    if submission is not None and submission.document.name:
        submission.document.storage.delete(submission.document.name)


def _pending_submission(merchant: Merchant) -> KYCSubmission:
    submission = (
        KYCSubmission.objects.select_for_update()
        .filter(merchant=merchant, status=KYCStatus.SUBMITTED)
        .first()
    )
    if submission is None:
        raise ApiError(
            MerchantError.KYC_NOT_PENDING,
            f"This merchant has no KYC submission awaiting a decision (KYC status: {merchant.kyc_status}).",
            status=409,
        )
    return submission


def kyc_approve(*, merchant: Merchant, decided_by: User) -> KYCSubmission:
    """Approve the merchant's pending KYC: the merchant becomes active and gets its first webhook secret."""
    with transaction.atomic():
        locked = _locked(merchant)
        submission = _pending_submission(locked)
        now = timezone.now()
        submission.status = KYCStatus.APPROVED
        submission.decided_at = now
        submission.decided_by = decided_by
        submission.rejection_reason = ""
        submission.save(update_fields=["status", "decided_at", "decided_by", "rejection_reason"])
        locked.kyc_status = KYCStatus.APPROVED
        locked.is_active = True
        locked.activated_at = locked.activated_at or now
        locked.save(update_fields=["kyc_status", "is_active", "activated_at"])
        if not WebhookSecret.objects.filter(merchant=locked, expires_at__isnull=True).exists():
            webhook_secret_create(merchant=locked)
        # Inside the transaction: receivers (notifications) write their outbox rows atomically with the decision.
        kyc_decided.send(sender=Merchant, merchant=locked, submission=submission, approved=True, reason="")
    _copy_state(source=locked, target=merchant)
    logger.info("KYC approved: merchant=%s submission=%s by=%s", merchant.pk, submission.pk, decided_by.pk)
    return submission


def kyc_reject(*, merchant: Merchant, decided_by: User, reason: str) -> KYCSubmission:
    """Reject the merchant's pending KYC with a reason the merchant is told; it may then resubmit."""
    reason = (reason or "").strip()
    if not reason:
        raise ApiError(
            ErrorCode.VALIDATION_ERROR,
            "A rejection needs a reason.",
            errors={"reason": ["This field is required."]},
        )
    with transaction.atomic():
        locked = _locked(merchant)
        submission = _pending_submission(locked)
        submission.status = KYCStatus.REJECTED
        submission.decided_at = timezone.now()
        submission.decided_by = decided_by
        submission.rejection_reason = reason
        submission.save(update_fields=["status", "decided_at", "decided_by", "rejection_reason"])
        locked.kyc_status = KYCStatus.REJECTED
        locked.is_active = False
        locked.save(update_fields=["kyc_status", "is_active"])
        kyc_decided.send(
            sender=Merchant, merchant=locked, submission=submission, approved=False, reason=reason
        )
    _copy_state(source=locked, target=merchant)
    logger.info("KYC rejected: merchant=%s submission=%s by=%s", merchant.pk, submission.pk, decided_by.pk)
    return submission


def _copy_state(*, source: Merchant, target: Merchant) -> None:
    """Keep the caller's instance in step with what was written under the lock."""
    target.kyc_status = source.kyc_status
    target.is_active = source.is_active
    target.activated_at = source.activated_at


def webhook_secret_create(*, merchant: Merchant) -> WebhookSecret:
    """A new current signing secret for a merchant that has none (done on KYC approval)."""
    secret = WebhookSecret.objects.create(merchant=merchant, secret=webhook_secret_value_new())
    logger.info("Webhook secret created: merchant=%s secret_id=%s", merchant.pk, secret.pk)
    return secret


def webhook_secret_rotate(*, merchant: Merchant) -> WebhookSecret:
    """Issue a new signing secret; the current one stays valid for WEBHOOK_SECRET_GRACE_HOURS, then expires."""
    with transaction.atomic():
        locked = _locked(merchant)
        now = timezone.now()
        grace_ends = now + timedelta(hours=settings.WEBHOOK_SECRET_GRACE_HOURS)
        # Secrets already counting down keep their (earlier) expiry; only the current one starts its grace.
        WebhookSecret.objects.filter(merchant=locked, expires_at__isnull=True).update(expires_at=grace_ends)
        secret = WebhookSecret.objects.create(
            merchant=locked, secret=webhook_secret_value_new(), created_at=now
        )
    logger.info("Webhook secret rotated: merchant=%s new_secret_id=%s", merchant.pk, secret.pk)
    return secret
