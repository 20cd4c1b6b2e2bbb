"""What a platform sends (events), what it gets back (the order), and the merchant's delivery log."""

from decimal import Decimal

from drf_spectacular.utils import PolymorphicProxySerializer
from phonenumber_field.serializerfields import PhoneNumberField
from rest_framework import serializers

from orders.lifecycle import OrderStatus
from orders.models import OrderSource

from .models import WebhookDelivery

# The largest amount an order line or total can hold (DecimalField(max_digits=14, decimal_places=2)).
MAX_AMOUNT = Decimal("999999999999.99")


class WebhookCustomerSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    phone = PhoneNumberField()
    email = serializers.EmailField(required=False, allow_blank=True)


class WebhookItemSerializer(serializers.Serializer):
    sku = serializers.CharField(max_length=64, required=False, allow_blank=True)
    name = serializers.CharField(max_length=200)
    quantity = serializers.IntegerField(min_value=1, max_value=1_000_000)
    unit_price = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=Decimal("0"))


class WebhookOrderCreatedDataSerializer(serializers.Serializer):
    external_id = serializers.CharField(max_length=100)
    customer = WebhookCustomerSerializer()
    shipping_address = serializers.CharField(max_length=2000)
    items = WebhookItemSerializer(many=True, allow_empty=False, max_length=500)
    currency = serializers.RegexField(r"^[A-Z]{3}$", required=False, help_text="ISO 4217, e.g. KES")
    status = serializers.ChoiceField(choices=OrderStatus.choices, required=False)

    def validate_items(self, items):
        total = sum((item["unit_price"] * item["quantity"] for item in items), Decimal("0"))
        if total > MAX_AMOUNT:
            raise serializers.ValidationError("The order total is larger than an order can hold.")
        return items


class WebhookOrderStatusUpdatedDataSerializer(serializers.Serializer):
    external_id = serializers.CharField(max_length=100)
    status = serializers.ChoiceField(choices=OrderStatus.choices)
    location = serializers.CharField(max_length=200, required=False, allow_blank=True)
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    occurred_at = serializers.DateTimeField()


class WebhookOrderCancelledDataSerializer(serializers.Serializer):
    external_id = serializers.CharField(max_length=100)
    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True)


EVENT_DATA_SERIALIZERS: dict[str, type[serializers.Serializer]] = {
    "order.created": WebhookOrderCreatedDataSerializer,
    "order.status_updated": WebhookOrderStatusUpdatedDataSerializer,
    "order.cancelled": WebhookOrderCancelledDataSerializer,
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


# Plain serializers with declared fields, not ModelSerializers: building a ModelSerializer's fields from
# the model on every instantiation costs more than the rest of the response (this is the hot path of
# every accepted webhook). tests/webhooks/test_representation.py keeps them equal to the model.
class WebhookOrderItemSerializer(serializers.Serializer):
    product = serializers.UUIDField(source="product_id", allow_null=True, read_only=True)
    sku = serializers.CharField(read_only=True)
    name = serializers.CharField(read_only=True)
    quantity = serializers.IntegerField(read_only=True)
    unit_price = serializers.DecimalField(max_digits=12, decimal_places=2, read_only=True)
    line_total = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True)


class WebhookOrderSerializer(serializers.Serializer):
    """The order as the contract shows it (the same fields as `GET /api/v1/orders/{id}/`)."""

    id = serializers.UUIDField(read_only=True)
    order_number = serializers.CharField(read_only=True)
    status = serializers.ChoiceField(choices=OrderStatus.choices, read_only=True)
    source = serializers.ChoiceField(choices=OrderSource.choices, read_only=True)
    external_id = serializers.CharField(read_only=True, allow_null=True)
    merchant = serializers.UUIDField(source="merchant_id", read_only=True)
    customer_name = serializers.CharField(read_only=True)
    phone_number = serializers.CharField(read_only=True)
    email = serializers.EmailField(read_only=True)
    shipping_address = serializers.CharField(read_only=True)
    items = WebhookOrderItemSerializer(many=True, read_only=True)
    total_amount = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True)
    currency = serializers.CharField(read_only=True)
    tracking_code = serializers.CharField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)


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
