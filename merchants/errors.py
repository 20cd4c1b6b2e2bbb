"""Error codes of the merchant, KYC and webhook-secret API."""

from core.errors import DomainCode


class MerchantError(DomainCode):
    INVALID_DOCUMENT = "invalid_document", 400
    KYC_ALREADY_SUBMITTED = "kyc_already_submitted", 409
    KYC_NOT_PENDING = "kyc_not_pending", 409
    MERCHANT_NOT_APPROVED = "merchant_not_approved", 409
    MERCHANT_ALREADY_SUSPENDED = "merchant_already_suspended", 409
    MERCHANT_NOT_SUSPENDED = "merchant_not_suspended", 409
    LAST_SECRET = "last_secret", 409
    STORAGE_UNAVAILABLE = "storage_unavailable", 503
