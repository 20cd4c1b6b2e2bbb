"""Error codes of the merchant, KYC and webhook-secret API."""

from accounts.errors import ACTIVE_MERCHANT_READ, ACTIVE_MERCHANT_WRITE
from core.errors import DomainCode, ErrorCode


class MerchantError(DomainCode):
    INVALID_DOCUMENT = "invalid_document", 400
    KYC_ALREADY_SUBMITTED = "kyc_already_submitted", 409
    KYC_NOT_PENDING = "kyc_not_pending", 409
    MERCHANT_NOT_APPROVED = "merchant_not_approved", 409
    MERCHANT_ALREADY_SUSPENDED = "merchant_already_suspended", 409
    MERCHANT_NOT_SUSPENDED = "merchant_not_suspended", 409
    LAST_SECRET = "last_secret", 409
    STORAGE_UNAVAILABLE = "storage_unavailable", 503


# See core/errors.py: what each code means, and which operations answer which codes.
ERROR_DETAILS = {
    MerchantError.INVALID_DOCUMENT: "The document is not a PDF, PNG or JPEG by content, or is over 5 MB.",
    MerchantError.KYC_ALREADY_SUBMITTED: "A KYC submission is pending or approved already.",
    MerchantError.KYC_NOT_PENDING: "No KYC submission awaits a decision.",
    MerchantError.MERCHANT_NOT_APPROVED: "Only a merchant whose KYC is approved can be suspended.",
    MerchantError.MERCHANT_ALREADY_SUSPENDED: "The merchant is suspended already.",
    MerchantError.MERCHANT_NOT_SUSPENDED: "The merchant is not suspended.",
    MerchantError.LAST_SECRET: "This is your only valid webhook secret: rotate first.",
    MerchantError.STORAGE_UNAVAILABLE: "The document store cannot be reached; try again shortly.",
}
OPERATION_ERRORS = {
    "merchants_me_partial_update": ACTIVE_MERCHANT_WRITE,
    "merchants_me_kyc_create": [MerchantError.INVALID_DOCUMENT, MerchantError.KYC_ALREADY_SUBMITTED],
    "merchants_me_kyc_latest_document": [ErrorCode.NOT_FOUND, MerchantError.STORAGE_UNAVAILABLE],
    "merchants_me_kyc_submission_document": [MerchantError.STORAGE_UNAVAILABLE],
    "admin_kyc_submissions_document_retrieve": [MerchantError.STORAGE_UNAVAILABLE],
    "admin_merchants_kyc_latest_document": [MerchantError.STORAGE_UNAVAILABLE],
    "admin_merchants_kyc_approve_create": [MerchantError.KYC_NOT_PENDING],
    "admin_merchants_kyc_reject_create": [MerchantError.KYC_NOT_PENDING],
    "admin_merchants_suspend_create": [
        MerchantError.MERCHANT_NOT_APPROVED,
        MerchantError.MERCHANT_ALREADY_SUSPENDED,
    ],
    "admin_merchants_reactivate_create": [MerchantError.MERCHANT_NOT_SUSPENDED],
    "merchants_me_webhook_secrets_list": ACTIVE_MERCHANT_READ,
    "merchants_me_webhook_secrets_rotate_create": ACTIVE_MERCHANT_WRITE,
    "merchants_me_webhook_secrets_destroy": [*ACTIVE_MERCHANT_WRITE, MerchantError.LAST_SECRET],
}
