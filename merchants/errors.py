"""Error codes of the merchant, KYC and webhook-secret API."""

from enum import StrEnum


class MerchantError(StrEnum):
    INVALID_DOCUMENT = "invalid_document"
    KYC_ALREADY_SUBMITTED = "kyc_already_submitted"
    KYC_NOT_PENDING = "kyc_not_pending"
    MERCHANT_NOT_APPROVED = "merchant_not_approved"
    MERCHANT_ALREADY_SUSPENDED = "merchant_already_suspended"
    MERCHANT_NOT_SUSPENDED = "merchant_not_suspended"
    LAST_SECRET = "last_secret"
    STORAGE_UNAVAILABLE = "storage_unavailable"
