from core.errors import DomainCode


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
