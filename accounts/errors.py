from core.errors import DomainCode


class AccountError(DomainCode):
    INVALID_CREDENTIALS = "invalid_credentials", 401
    EMAIL_NOT_VERIFIED = "email_not_verified", 403
    INVALID_OTP = "invalid_otp", 400
    OTP_EXPIRED = "otp_expired", 400
    OTP_LOCKED = "otp_locked", 429
    OIDC_UNAVAILABLE = "oidc_unavailable", 503
    INVALID_CODE = "invalid_code", 400
    IDENTITY_IN_USE = "identity_in_use", 409
    KYC_REQUIRED = "kyc_required", 403
    MERCHANT_SUSPENDED = "merchant_suspended", 403
    NOT_A_MERCHANT = "not_a_merchant", 403
