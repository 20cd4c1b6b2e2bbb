from core.errors import DomainCode


class OrderError(DomainCode):
    MIXED_MERCHANTS = "mixed_merchants", 400
    MIXED_CURRENCIES = "mixed_currencies", 400
    INSUFFICIENT_STOCK = "insufficient_stock", 409
    PRODUCT_UNAVAILABLE = "product_unavailable", 400
    ORDER_TOO_LARGE = "order_too_large", 400
    INVALID_TRANSITION = "invalid_transition", 409
    ORDER_NOT_EDITABLE = "order_not_editable", 409
    NOT_CANCELLABLE = "not_cancellable", 409
    INVALID_IDEMPOTENCY_KEY = "invalid_idempotency_key", 400
    INVALID_PAYMENT_TRANSITION = "invalid_payment_transition", 409
