"""Input and output shapes of the orders API (the contract's field names, nothing more)."""

from decimal import Decimal

from rest_framework import serializers

from core.languages import Language
from core.phone import ParsedPhoneNumberField as PhoneNumberField

from .lifecycle import OrderStatus
from .limits import (
    CANCEL_REASON_MAX_LENGTH,
    LOCATION_MAX_LENGTH,
    MAX_ITEMS_PER_ORDER,
    MAX_LINE_QUANTITY,
    NOTE_MAX_LENGTH,
    PAYMENT_REFERENCE_MAX_LENGTH,
    SHIPPING_ADDRESS_MAX_LENGTH,
)
from .models import OrderSource, TrackingEvent
from .payments import PaymentStatus


class OrderItemInputSerializer(serializers.Serializer):
    product = serializers.UUIDField()
    quantity = serializers.IntegerField(min_value=1, max_value=MAX_LINE_QUANTITY)


class OrderCreateSerializer(serializers.Serializer):
    items = OrderItemInputSerializer(many=True, allow_empty=False, max_length=MAX_ITEMS_PER_ORDER)
    phone_number = PhoneNumberField()
    shipping_address = serializers.CharField(max_length=SHIPPING_ADDRESS_MAX_LENGTH)
    note = serializers.CharField(max_length=NOTE_MAX_LENGTH, required=False, allow_blank=True, default="")


class OrderUpdateSerializer(serializers.Serializer):
    phone_number = PhoneNumberField(required=False)
    shipping_address = serializers.CharField(max_length=SHIPPING_ADDRESS_MAX_LENGTH, required=False)
    note = serializers.CharField(max_length=NOTE_MAX_LENGTH, required=False, allow_blank=True)


class OrderCancelSerializer(serializers.Serializer):
    reason = serializers.CharField(
        max_length=CANCEL_REASON_MAX_LENGTH, required=False, allow_blank=True, default=""
    )


class OrderStatusSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=OrderStatus.choices)
    location = serializers.CharField(
        max_length=LOCATION_MAX_LENGTH, required=False, allow_blank=True, default=""
    )
    note = serializers.CharField(max_length=NOTE_MAX_LENGTH, required=False, allow_blank=True, default="")
    estimated_delivery = serializers.DateField(
        required=False,
        help_text="The new delivery estimate (YYYY-MM-DD). With the status the order already has, only the "
        "estimate changes.",
    )


class OrderPaymentSerializer(serializers.Serializer):
    payment_status = serializers.ChoiceField(choices=PaymentStatus.choices)
    reference = serializers.CharField(
        max_length=PAYMENT_REFERENCE_MAX_LENGTH,
        required=False,
        allow_blank=True,
        default="",
        help_text="What the payment or refund is known by, e.g. an M-Pesa receipt number.",
    )


# Output serializers are plain Serializers with explicit fields: a ModelSerializer rebuilds its fields from
# the model on every instantiation, which was a fifth of the CPU of placing an order.
class OrderItemSerializer(serializers.Serializer):
    product = serializers.UUIDField(source="product_id", allow_null=True, read_only=True)
    sku = serializers.CharField(read_only=True)
    name = serializers.CharField(read_only=True)
    quantity = serializers.IntegerField(read_only=True)
    unit_price = serializers.DecimalField(max_digits=12, decimal_places=2, read_only=True)
    line_total = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True)


_MONEY = Decimal("0.01")
_DATETIME = serializers.DateTimeField()


def _money(value) -> str:
    """What DecimalField(decimal_places=2) answers, without building a field per value."""
    return format(value.quantize(_MONEY), "f")


def _line_representation(line) -> dict:
    product_id = line.product_id
    return {
        "product": None if product_id is None else str(product_id),
        "sku": line.sku,
        "name": line.name,
        "quantity": line.quantity,
        "unit_price": _money(line.unit_price),
        "line_total": _money(line.line_total),
    }


class OrderSerializer(serializers.Serializer):
    """The order as the contract shows it. The fields below document the shape (OpenAPI); the answer is built
    by hand in `to_representation`, field for field what they would produce, because walking DRF's fields cost
    more CPU than the rest of showing an order. Every value is JSON-native (the webhook stores it as is)."""

    id = serializers.UUIDField(read_only=True)
    order_number = serializers.CharField(read_only=True)
    status = serializers.ChoiceField(choices=OrderStatus.choices, read_only=True)
    source = serializers.ChoiceField(choices=OrderSource.choices, read_only=True)
    external_id = serializers.CharField(allow_null=True, read_only=True)
    merchant = serializers.UUIDField(source="merchant_id", read_only=True)
    customer_name = serializers.CharField(read_only=True)
    phone_number = serializers.CharField(read_only=True)
    email = serializers.EmailField(read_only=True)
    shipping_address = serializers.CharField(read_only=True)
    items = OrderItemSerializer(many=True, read_only=True)
    total_amount = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True)
    currency = serializers.CharField(read_only=True)
    tracking_code = serializers.CharField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)
    payment_status = serializers.ChoiceField(choices=PaymentStatus.choices, read_only=True)
    estimated_delivery = serializers.DateField(allow_null=True, read_only=True)
    language = serializers.ChoiceField(choices=Language.choices, read_only=True)

    def to_representation(self, instance) -> dict:
        external_id, phone_number = instance.external_id, instance.phone_number
        estimated_delivery = instance.estimated_delivery
        return {
            "id": str(instance.id),
            "order_number": instance.order_number,
            "status": str(instance.status),
            "source": str(instance.source),
            "external_id": None if external_id is None else str(external_id),
            "merchant": str(instance.merchant_id),
            "customer_name": instance.customer_name,
            "phone_number": None if phone_number is None else str(phone_number),
            "email": instance.email,
            "shipping_address": instance.shipping_address,
            "items": [_line_representation(line) for line in instance.items.all()],
            "total_amount": _money(instance.total_amount),
            "currency": instance.currency,
            "tracking_code": instance.tracking_code,
            "created_at": _DATETIME.to_representation(instance.created_at),
            "updated_at": _DATETIME.to_representation(instance.updated_at),
            "payment_status": str(instance.payment_status),
            "estimated_delivery": None if estimated_delivery is None else estimated_delivery.isoformat(),
            "language": str(instance.language),
        }


class TrackingEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = TrackingEvent
        fields = ["status", "location", "note", "occurred_at", "source"]
        read_only_fields = fields
