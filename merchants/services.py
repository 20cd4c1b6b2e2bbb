"""Writes on merchants: a new account's merchant, KYC submission and decisions, suspension, webhook signing
secrets."""

import logging
from datetime import timedelta

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone

from accounts.models import User
from core.errors import DomainError, ErrorCode
from core.files import validate_upload

from .errors import MerchantError
from .models import KYCStatus, KYCSubmission, Merchant, WebhookSecret
from .selectors import merchant_webhook_secrets_valid
from .signals import kyc_decided, merchant_suspension_changed
from .signing_secrets import webhook_secret_value_new

logger = logging.getLogger(__name__)

KYC_DOCUMENT_TYPES = {"application/pdf", "image/png", "image/jpeg"}
KYC_DOCUMENT_MAX_BYTES = 5 * 1024 * 1024


def merchant_create(*, user: User, company_name: str) -> Merchant:
    """The business of a newly registered merchant account: inactive, KYC not submitted."""
    return Merchant.objects.create(user=user, company_name=company_name)


def merchant_update_contact(
    *, merchant: Merchant, support_email=None, support_phone=None, new_order_emails: bool | None = None
) -> Merchant:
    """Set the merchant's public support contact (empty clears) and whether new orders are emailed to it;
    what is not given stays."""
    given = {
        "support_email": support_email,
        "support_phone": support_phone,
        "new_order_emails": new_order_emails,
    }
    changed = [name for name, value in given.items() if value is not None]
    for name in changed:
        setattr(merchant, name, given[name])
    if changed:
        merchant.save(update_fields=changed)
    return merchant


def _already_submitted(merchant: Merchant) -> DomainError:
    if merchant.kyc_status == KYCStatus.APPROVED:
        detail = "Your KYC is already approved."
    else:
        detail = "Your KYC is awaiting an admin's decision; you can resubmit only after a rejection."
    return DomainError(MerchantError.KYC_ALREADY_SUBMITTED, detail)


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
        raise DomainError(
            MerchantError.KYC_NOT_PENDING,
            f"This merchant has no KYC submission awaiting a decision (KYC status: {merchant.kyc_status}).",
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


def _reason_required(reason: str, *, what: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(
            ErrorCode.VALIDATION_ERROR,
            f"A {what} needs a reason.",
            errors={"reason": ["This field is required."]},
        )
    return reason


def kyc_reject(*, merchant: Merchant, decided_by: User, reason: str) -> KYCSubmission:
    """Reject the merchant's pending KYC with a reason the merchant is told; it may then resubmit."""
    reason = _reason_required(reason, what="rejection")
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


def merchant_suspend(*, merchant: Merchant, suspended_by: User, reason: str) -> Merchant:
    """Suspend an approved merchant: its API writes and webhooks are refused (403 `merchant_suspended`) until
    it is reactivated; its orders stay as they are and trackable. The merchant is emailed the reason."""
    reason = _reason_required(reason, what="suspension")
    with transaction.atomic():
        locked = _locked(merchant)
        if locked.is_suspended:
            raise DomainError(MerchantError.MERCHANT_ALREADY_SUSPENDED, "This merchant is already suspended.")
        if locked.kyc_status != KYCStatus.APPROVED:
            raise DomainError(
                MerchantError.MERCHANT_NOT_APPROVED,
                f"Only an approved merchant can be suspended (KYC status: {locked.kyc_status}); "
                "decide its KYC instead.",
            )
        locked.is_active = False
        locked.suspended_at = timezone.now()
        locked.suspended_by = suspended_by
        locked.suspension_reason = reason
        locked.save(update_fields=["is_active", "suspended_at", "suspended_by", "suspension_reason"])
        # Inside the transaction, as for KYC decisions: the email's outbox row commits with the suspension.
        merchant_suspension_changed.send(sender=Merchant, merchant=locked, suspended=True, reason=reason)
    _copy_state(source=locked, target=merchant)
    logger.info("Merchant suspended: merchant=%s by=%s", merchant.pk, suspended_by.pk)
    return merchant


def merchant_reactivate(*, merchant: Merchant, reactivated_by: User) -> Merchant:
    """Lift a suspension: the merchant is active again with the secrets, products and orders it had."""
    with transaction.atomic():
        locked = _locked(merchant)
        if not locked.is_suspended:
            raise DomainError(MerchantError.MERCHANT_NOT_SUSPENDED, "This merchant is not suspended.")
        locked.is_active = True
        locked.suspended_at = None
        locked.suspended_by = None
        locked.suspension_reason = ""
        locked.save(update_fields=["is_active", "suspended_at", "suspended_by", "suspension_reason"])
        merchant_suspension_changed.send(sender=Merchant, merchant=locked, suspended=False, reason="")
    _copy_state(source=locked, target=merchant)
    logger.info("Merchant reactivated: merchant=%s by=%s", merchant.pk, reactivated_by.pk)
    return merchant


_LOCKED_STATE = (
    "kyc_status",
    "is_active",
    "activated_at",
    "suspended_at",
    "suspended_by_id",
    "suspension_reason",
)


def _copy_state(*, source: Merchant, target: Merchant) -> None:
    """Keep the caller's instance in step with what was written under the lock."""
    for name in _LOCKED_STATE:
        setattr(target, name, getattr(source, name))


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


def webhook_secret_delete(*, merchant: Merchant, secret_id) -> None:
    """Revoke one of the merchant's valid secrets at once (a leaked one). The last valid secret stays (409
    `last_secret`); deleting the current one makes the newest remaining one current, so the merchant is never
    left with secrets that all run out. Another merchant's, an expired or an unknown secret: 404."""
    with transaction.atomic():
        locked = _locked(merchant)
        valid = list(merchant_webhook_secrets_valid(merchant=locked).order_by("-created_at"))
        secret = next((s for s in valid if str(s.pk) == str(secret_id)), None)
        if secret is None:
            raise Http404
        if len(valid) == 1:
            raise DomainError(
                MerchantError.LAST_SECRET,
                "This is your only valid signing secret; rotate first, then delete the old one.",
            )
        secret.delete()
        if secret.expires_at is None:
            successor = next(s for s in valid if s.pk != secret.pk)
            successor.expires_at = None
            successor.save(update_fields=["expires_at"])
    logger.info("Webhook secret deleted: merchant=%s secret_id=%s", merchant.pk, secret_id)
