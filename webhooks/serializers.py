"""What a platform sends (events), what it gets back (the order), and the merchant's delivery log."""

from decimal import Decimal

from drf_spectacular.utils import PolymorphicProxySerializer
from rest_framework import serializers

from core.phone import ParsedPhoneNumberField as PhoneNumberField
from orders.lifecycle import OrderStatus
from orders.services import MAX_LINE_QUANTITY, MAX_ORDER_TOTAL

from .models import WebhookDelivery


class WebhookCustomerSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    phone = PhoneNumberField()
    email = serializers.EmailField(required=False, allow_blank=True)


class WebhookItemSerializer(serializers.Serializer):
    sku = serializers.CharField(max_length=64, required=False, allow_blank=True)
    name = serializers.CharField(max_length=200)
    quantity = serializers.IntegerField(min_value=1, max_value=MAX_LINE_QUANTITY)
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
        if total > MAX_ORDER_TOTAL:
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
