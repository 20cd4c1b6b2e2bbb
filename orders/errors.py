from enum import StrEnum


class OrderError(StrEnum):
    MIXED_MERCHANTS = "mixed_merchants"
    MIXED_CURRENCIES = "mixed_currencies"
    INSUFFICIENT_STOCK = "insufficient_stock"
    PRODUCT_UNAVAILABLE = "product_unavailable"
    ORDER_TOO_LARGE = "order_too_large"
    INVALID_TRANSITION = "invalid_transition"
    ORDER_NOT_EDITABLE = "order_not_editable"
    NOT_CANCELLABLE = "not_cancellable"
    INVALID_IDEMPOTENCY_KEY = "invalid_idempotency_key"
    INVALID_PAYMENT_TRANSITION = "invalid_payment_transition"
