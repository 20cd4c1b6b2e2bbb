"""What a platform sends (events), what it gets back (the order), and the merchant's delivery log."""

from decimal import Decimal

from drf_spectacular.utils import PolymorphicProxySerializer
from rest_framework import serializers

from core.languages import Language
from core.phone import ParsedPhoneNumberField as PhoneNumberField
from orders import limits
from orders.lifecycle import OrderStatus
from orders.payments import PaymentStatus

from .models import WebhookDelivery


# Every rule of a platform order is checked here (and, word for word, by its mirror in validation.py), with the
# limits of orders.limits; `order_create_external` takes the values as validated.
def order_items_total(items: list[dict]) -> Decimal:
    """The total of validated lines (what the order's total will be)."""
    return sum((item["unit_price"] * item["quantity"] for item in items), Decimal("0"))


class WebhookCustomerSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=limits.CUSTOMER_NAME_MAX_LENGTH)
    phone = PhoneNumberField()
    email = serializers.EmailField(required=False, allow_blank=True)


class WebhookItemSerializer(serializers.Serializer):
    sku = serializers.CharField(max_length=limits.SKU_MAX_LENGTH, required=False, allow_blank=True)
    name = serializers.CharField(max_length=limits.ITEM_NAME_MAX_LENGTH)
    quantity = serializers.IntegerField(min_value=1, max_value=limits.MAX_LINE_QUANTITY)
    unit_price = serializers.DecimalField(
        max_digits=limits.UNIT_PRICE_MAX_DIGITS,
        decimal_places=limits.UNIT_PRICE_DECIMAL_PLACES,
        min_value=Decimal("0"),
    )


class WebhookOrderCreatedDataSerializer(serializers.Serializer):
    external_id = serializers.CharField(max_length=limits.EXTERNAL_ID_MAX_LENGTH)
    customer = WebhookCustomerSerializer()
    shipping_address = serializers.CharField(max_length=limits.PLATFORM_SHIPPING_ADDRESS_MAX_LENGTH)
    items = WebhookItemSerializer(
        many=True, allow_empty=False, max_length=limits.MAX_ITEMS_PER_PLATFORM_ORDER
    )
    currency = serializers.RegexField(r"^[A-Z]{3}$", required=False, help_text="ISO 4217, e.g. KES")
    status = serializers.ChoiceField(choices=OrderStatus.choices, required=False)
    payment_status = serializers.ChoiceField(choices=PaymentStatus.choices, required=False)
    estimated_delivery = serializers.DateField(required=False, help_text="YYYY-MM-DD")
    language = serializers.ChoiceField(
        choices=Language.choices, required=False, help_text="The language the customer is written to."
    )

    def validate_items(self, items):
        if not limits.order_total_fits(order_items_total(items)):
            raise serializers.ValidationError("The order total is larger than an order can hold.")
        return items


class WebhookOrderStatusUpdatedDataSerializer(serializers.Serializer):
    external_id = serializers.CharField(max_length=limits.EXTERNAL_ID_MAX_LENGTH)
    status = serializers.ChoiceField(choices=OrderStatus.choices)
    location = serializers.CharField(max_length=limits.LOCATION_MAX_LENGTH, required=False, allow_blank=True)
    note = serializers.CharField(max_length=limits.NOTE_MAX_LENGTH, required=False, allow_blank=True)
    occurred_at = serializers.DateTimeField()
    estimated_delivery = serializers.DateField(required=False, help_text="YYYY-MM-DD")


class WebhookOrderCancelledDataSerializer(serializers.Serializer):
    external_id = serializers.CharField(max_length=limits.EXTERNAL_ID_MAX_LENGTH)
    reason = serializers.CharField(
        max_length=limits.PLATFORM_CANCEL_REASON_MAX_LENGTH, required=False, allow_blank=True
    )


class WebhookOrderPaymentUpdatedDataSerializer(serializers.Serializer):
    external_id = serializers.CharField(max_length=limits.EXTERNAL_ID_MAX_LENGTH)
    payment_status = serializers.ChoiceField(choices=PaymentStatus.choices)
    reference = serializers.CharField(
        max_length=limits.PAYMENT_REFERENCE_MAX_LENGTH,
        required=False,
        allow_blank=True,
        help_text="E.g. an M-Pesa receipt number.",
    )


EVENT_DATA_SERIALIZERS: dict[str, type[serializers.Serializer]] = {
    "order.created": WebhookOrderCreatedDataSerializer,
    "order.status_updated": WebhookOrderStatusUpdatedDataSerializer,
    "order.cancelled": WebhookOrderCancelledDataSerializer,
    "order.payment_updated": WebhookOrderPaymentUpdatedDataSerializer,
}


class WebhookEnvelopeSerializer(serializers.Serializer):
    """`{"type", "timestamp", "data"}`; `data` is validated by the serializer of its type."""

    type = serializers.CharField(max_length=64)
    timestamp = serializers.DateTimeField()
    data = serializers.DictField()


def _event_serializer(event_type: str, data_serializer) -> type[serializers.Serializer]:
    name = "Webhook" + "".join(part.title() for part in event_type.replace(".", "_").split("_")) + "Event"
    return type(
        name,
        (serializers.Serializer,),
        {
            "type": serializers.ChoiceField(choices=[event_type]),
            "timestamp": serializers.DateTimeField(),
            "data": data_serializer(),
            "__module__": __name__,
        },
    )


# The request body as the schema documents it: one shape per event type, told apart by `type`.
WebhookEventSchema = PolymorphicProxySerializer(
    component_name="WebhookEvent",
    serializers={
        event_type: _event_serializer(event_type, data) for event_type, data in EVENT_DATA_SERIALIZERS.items()
    },
    resource_type_field_name="type",
)


class WebhookErrorSerializer(serializers.Serializer):
    code = serializers.CharField()
    detail = serializers.CharField()
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text='Where the payload is wrong: {"data.items.0.quantity": ["..."]}',
    )


class WebhookDeliverySerializer(serializers.ModelSerializer):
    class Meta:
        model = WebhookDelivery
        fields = ["id", "webhook_id", "event_type", "received_at", "status_code", "error_code"]
        read_only_fields = fields
