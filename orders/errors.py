from enum import StrEnum


class OrderError(StrEnum):
    MIXED_MERCHANTS = "mixed_merchants"
    INSUFFICIENT_STOCK = "insufficient_stock"
    PRODUCT_UNAVAILABLE = "product_unavailable"
    INVALID_TRANSITION = "invalid_transition"
    ORDER_NOT_EDITABLE = "order_not_editable"
    NOT_CANCELLABLE = "not_cancellable"
