from enum import StrEnum


class WebhookError(StrEnum):
    """Codes the inbound webhook endpoint answers with (see docs/webhooks.md)."""

    PAYLOAD_TOO_LARGE = "payload_too_large"
    UNSUPPORTED_MEDIA_TYPE = "unsupported_media_type"
    UNKNOWN_MERCHANT = "unknown_merchant"
    MISSING_HEADERS = "missing_headers"
    STALE_TIMESTAMP = "stale_timestamp"
    INVALID_SIGNATURE = "invalid_signature"
    MERCHANT_INACTIVE = "merchant_inactive"
    INVALID_PAYLOAD = "invalid_payload"
    UNKNOWN_ORDER = "unknown_order"
