from core.errors import DomainCode, ErrorCode


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


# See core/errors.py: what each code means, and which operations answer which codes.
ERROR_DETAILS = {
    AccountError.INVALID_CREDENTIALS: "Email or password is incorrect.",
    AccountError.EMAIL_NOT_VERIFIED: "Verify your email with the code we sent first.",
    AccountError.INVALID_OTP: "The code is not valid.",
    AccountError.OTP_EXPIRED: "The code has expired: ask for a new one.",
    AccountError.OTP_LOCKED: "Too many wrong codes: ask for a new code.",
    AccountError.OIDC_UNAVAILABLE: "The identity provider cannot be reached, or none is configured.",
    AccountError.INVALID_CODE: "The sign-in code is unknown, already used or expired.",
    AccountError.IDENTITY_IN_USE: "This provider account already signs in to another account.",
    AccountError.KYC_REQUIRED: "Your merchant account is not active yet: an admin must approve your KYC first.",
    AccountError.MERCHANT_SUSPENDED: "Your merchant account is suspended: it can read but not change anything.",
}
# The 403s of `accounts.permissions.IsActiveMerchant`: a suspended merchant still reads, but never writes.
ACTIVE_MERCHANT_READ = [AccountError.KYC_REQUIRED]
ACTIVE_MERCHANT_WRITE = [AccountError.KYC_REQUIRED, AccountError.MERCHANT_SUSPENDED]
OPERATION_ERRORS = {
    "auth_login_create": [AccountError.INVALID_CREDENTIALS, AccountError.EMAIL_NOT_VERIFIED],
    "auth_verify_otp_create": [AccountError.INVALID_OTP, AccountError.OTP_EXPIRED, AccountError.OTP_LOCKED],
    "auth_password_reset_confirm_create": [
        AccountError.INVALID_OTP,
        AccountError.OTP_EXPIRED,
        AccountError.OTP_LOCKED,
    ],
    "auth_token_refresh_create": [ErrorCode.TOKEN_NOT_VALID, ErrorCode.USER_INACTIVE],
    "auth_oidc_exchange_create": [AccountError.INVALID_CODE, ErrorCode.USER_INACTIVE],
    "auth_oidc_token_create": [
        ErrorCode.TOKEN_NOT_VALID,
        ErrorCode.USER_INACTIVE,
        AccountError.OIDC_UNAVAILABLE,
    ],
    "auth_oidc_identities_create": [ErrorCode.TOKEN_NOT_VALID, AccountError.IDENTITY_IN_USE],
}
