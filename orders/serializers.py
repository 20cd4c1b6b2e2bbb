"""Input and output shapes of the orders API (the contract's field names, nothing more)."""

from phonenumber_field.serializerfields import PhoneNumberField
from rest_framework import serializers

from .lifecycle import OrderStatus
from .models import OrderSource, TrackingEvent
from .services import MAX_LINE_QUANTITY

MAX_ITEMS_PER_ORDER = 100


class OrderItemInputSerializer(serializers.Serializer):
    product = serializers.UUIDField()
    quantity = serializers.IntegerField(min_value=1, max_value=MAX_LINE_QUANTITY)


class OrderCreateSerializer(serializers.Serializer):
    items = OrderItemInputSerializer(many=True, allow_empty=False, max_length=MAX_ITEMS_PER_ORDER)
    phone_number = PhoneNumberField()
    shipping_address = serializers.CharField(max_length=1000)
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class OrderUpdateSerializer(serializers.Serializer):
    phone_number = PhoneNumberField(required=False)
    shipping_address = serializers.CharField(max_length=1000, required=False)
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True)


class OrderCancelSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")


class OrderStatusSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=OrderStatus.choices)
    location = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


# Output serializers are plain Serializers with explicit fields: a ModelSerializer rebuilds its fields from
# the model on every instantiation, which was a fifth of the CPU of placing an order.
class OrderItemSerializer(serializers.Serializer):
    product = serializers.UUIDField(source="product_id", allow_null=True, read_only=True)
    sku = serializers.CharField(read_only=True)
    name = serializers.CharField(read_only=True)
    quantity = serializers.IntegerField(read_only=True)
    unit_price = serializers.DecimalField(max_digits=12, decimal_places=2, read_only=True)
    line_total = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True)


class OrderSerializer(serializers.Serializer):
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


class TrackingEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = TrackingEvent
        fields = ["status", "location", "note", "occurred_at", "source"]
        read_only_fields = fields


class DashboardSerializer(serializers.Serializer):
    orders_total = serializers.IntegerField()
    orders_by_status = serializers.DictField(child=serializers.IntegerField())
    revenue_by_currency = serializers.DictField(
        child=serializers.DecimalField(max_digits=16, decimal_places=2),
        help_text="Sum of order totals per currency, cancelled and returned orders excluded.",
    )
    merchants_awaiting_kyc = serializers.IntegerField()
    failed_notifications = serializers.IntegerField()
