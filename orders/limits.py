"""How large an order and its parts may be, defined once. The API's and the webhooks' validation and the
placement services read these; where a column holds the value, the limit is the column's.
"""

from decimal import Decimal

from .models import Order, OrderEvent, OrderItem, TrackingEvent


def _max_length(model, field: str) -> int:
    return model._meta.get_field(field).max_length


_UNIT_PRICE = OrderItem._meta.get_field("unit_price")
_TOTAL = Order._meta.get_field("total_amount")

# A line: at most this many of one product (an API order adds up repeats of one product first).
MAX_LINE_QUANTITY = 1_000_000
UNIT_PRICE_MAX_DIGITS = _UNIT_PRICE.max_digits
UNIT_PRICE_DECIMAL_PLACES = _UNIT_PRICE.decimal_places
SKU_MAX_LENGTH = _max_length(OrderItem, "sku")
ITEM_NAME_MAX_LENGTH = _max_length(OrderItem, "name")

# The largest total the amount column holds (numeric(14, 2): 999999999999.99).
MAX_ORDER_TOTAL = Decimal(10) ** (_TOTAL.max_digits - _TOTAL.decimal_places) - Decimal(1).scaleb(
    -_TOTAL.decimal_places
)
# Lines of one order: a customer's basket through the API; a platform's, whose wholesale carts run longer.
MAX_ITEMS_PER_ORDER = 100
MAX_ITEMS_PER_PLATFORM_ORDER = 500

EXTERNAL_ID_MAX_LENGTH = _max_length(Order, "external_id")
CUSTOMER_NAME_MAX_LENGTH = _max_length(Order, "customer_name")
IDEMPOTENCY_KEY_MAX_LENGTH = _max_length(Order, "idempotency_key")
# Free text kept in text columns: what a person types in the API, and what a platform may send.
SHIPPING_ADDRESS_MAX_LENGTH = 1000
PLATFORM_SHIPPING_ADDRESS_MAX_LENGTH = 2000
NOTE_MAX_LENGTH = 2000
CANCEL_REASON_MAX_LENGTH = 1000
PLATFORM_CANCEL_REASON_MAX_LENGTH = 2000
LOCATION_MAX_LENGTH = _max_length(TrackingEvent, "location")
PAYMENT_REFERENCE_MAX_LENGTH = _max_length(OrderEvent, "reference")


def order_total_fits(total: Decimal) -> bool:
    """Whether an order of this total can be stored."""
    return total <= MAX_ORDER_TOTAL
