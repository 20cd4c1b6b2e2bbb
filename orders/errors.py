from accounts.errors import ACTIVE_MERCHANT_READ, ACTIVE_MERCHANT_WRITE
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


# See core/errors.py: what each code means, and which operations answer which codes.
ERROR_DETAILS = {
    OrderError.MIXED_MERCHANTS: "All products of an order must belong to one merchant.",
    OrderError.MIXED_CURRENCIES: "All products of an order must share one currency.",
    OrderError.INSUFFICIENT_STOCK: "Not enough stock: `products` lists what is short.",
    OrderError.PRODUCT_UNAVAILABLE: "A product does not exist, is inactive, or its merchant is not active.",
    OrderError.ORDER_TOO_LARGE: "The order total is larger than we can accept.",
    OrderError.INVALID_TRANSITION: "The order's lifecycle forbids this move.",
    OrderError.ORDER_NOT_EDITABLE: "The order is no longer pending.",
    OrderError.NOT_CANCELLABLE: "A customer cannot cancel an order that is processing or later.",
    OrderError.INVALID_IDEMPOTENCY_KEY: "The Idempotency-Key is longer than 100 characters.",
    OrderError.INVALID_PAYMENT_TRANSITION: "A refund before a payment, or any change after a full refund.",
}
_ITEMS = [
    OrderError.MIXED_MERCHANTS,
    OrderError.MIXED_CURRENCIES,
    OrderError.PRODUCT_UNAVAILABLE,
    OrderError.ORDER_TOO_LARGE,
]
OPERATION_ERRORS = {
    "orders_list": ACTIVE_MERCHANT_READ,
    "orders_create": [*_ITEMS, OrderError.INVALID_IDEMPOTENCY_KEY, OrderError.INSUFFICIENT_STOCK],
    "orders_retrieve": ACTIVE_MERCHANT_READ,
    "orders_partial_update": [*_ITEMS, OrderError.ORDER_NOT_EDITABLE, OrderError.INSUFFICIENT_STOCK],
    "orders_cancel": [*ACTIVE_MERCHANT_WRITE, OrderError.INVALID_TRANSITION, OrderError.NOT_CANCELLABLE],
    "orders_set_status": [*ACTIVE_MERCHANT_WRITE, OrderError.INVALID_TRANSITION],
    "orders_set_payment": [*ACTIVE_MERCHANT_WRITE, OrderError.INVALID_PAYMENT_TRANSITION],
    "orders_tracking": ACTIVE_MERCHANT_READ,
}
