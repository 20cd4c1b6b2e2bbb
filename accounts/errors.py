from enum import StrEnum


class AccountError(StrEnum):
    INVALID_CREDENTIALS = "invalid_credentials"
    EMAIL_NOT_VERIFIED = "email_not_verified"
    INVALID_OTP = "invalid_otp"
    OTP_EXPIRED = "otp_expired"
    OTP_LOCKED = "otp_locked"
    OIDC_UNAVAILABLE = "oidc_unavailable"
    INVALID_CODE = "invalid_code"
    IDENTITY_IN_USE = "identity_in_use"
    KYC_REQUIRED = "kyc_required"
    MERCHANT_SUSPENDED = "merchant_suspended"
    NOT_A_MERCHANT = "not_a_merchant"
