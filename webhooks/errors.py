from accounts.errors import ACTIVE_MERCHANT_READ, AccountError
from core.errors import DomainCode, ErrorCode
from orders.errors import OrderError


class WebhookError(DomainCode):
    """Codes the inbound webhook endpoint answers with (see docs/webhooks.md)."""

    PAYLOAD_TOO_LARGE = "payload_too_large", 413
    UNSUPPORTED_MEDIA_TYPE = "unsupported_media_type", 415
    UNKNOWN_MERCHANT = "unknown_merchant", 404
    MISSING_HEADERS = "missing_headers", 401
    STALE_TIMESTAMP = "stale_timestamp", 401
    INVALID_SIGNATURE = "invalid_signature", 401
    MERCHANT_INACTIVE = "merchant_inactive", 403
    INVALID_PAYLOAD = "invalid_payload", 400
    UNKNOWN_ORDER = "unknown_order", 404


# See core/errors.py: what each code means, and which operations answer which codes.
ERROR_DETAILS = {
    WebhookError.PAYLOAD_TOO_LARGE: "The body is over 256 KB.",
    WebhookError.UNKNOWN_MERCHANT: "No such merchant.",
    WebhookError.MISSING_HEADERS: "A webhook-id, webhook-timestamp or webhook-signature header is missing.",
    WebhookError.STALE_TIMESTAMP: "The webhook-timestamp is more than 5 minutes away from our clock.",
    WebhookError.INVALID_SIGNATURE: "No signature matches any of the merchant's valid secrets.",
    WebhookError.MERCHANT_INACTIVE: "The merchant's KYC is not approved.",
    WebhookError.INVALID_PAYLOAD: "The payload is not a valid event: `errors` says where.",
    WebhookError.UNKNOWN_ORDER: "No order of this merchant has this external_id.",
}
OPERATION_ERRORS = {
    "webhooks_receive": [
        WebhookError.INVALID_PAYLOAD,
        WebhookError.MISSING_HEADERS,
        WebhookError.STALE_TIMESTAMP,
        WebhookError.INVALID_SIGNATURE,
        WebhookError.MERCHANT_INACTIVE,
        AccountError.MERCHANT_SUSPENDED,
        WebhookError.UNKNOWN_MERCHANT,
        WebhookError.UNKNOWN_ORDER,
        OrderError.INVALID_TRANSITION,
        OrderError.INVALID_PAYMENT_TRANSITION,
        WebhookError.PAYLOAD_TOO_LARGE,
        WebhookError.UNSUPPORTED_MEDIA_TYPE,
        ErrorCode.THROTTLED,
    ],
    "merchants_me_webhook_deliveries_list": ACTIVE_MERCHANT_READ,
}
# Their codes above are all they answer: none of the ones operations share (`validation_error`, `not_found`...).
OPERATIONS_WITH_THEIR_OWN_ERRORS = {"webhooks_receive"}
