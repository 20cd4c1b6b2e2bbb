"""Input and output shapes of the orders API (the contract's field names, nothing more)."""

from phonenumber_field.serializerfields import PhoneNumberField
from rest_framework import serializers

from .lifecycle import OrderStatus
from .models import Order, OrderItem, TrackingEvent
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


class OrderItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = OrderItem
        fields = ["product", "sku", "name", "quantity", "unit_price", "line_total"]


class OrderSerializer(serializers.ModelSerializer):
    phone_number = serializers.CharField(read_only=True)
    items = OrderItemSerializer(many=True, read_only=True)

    class Meta:
        model = Order
        fields = [
            "id",
            "order_number",
            "status",
            "source",
            "external_id",
            "merchant",
            "customer_name",
            "phone_number",
            "email",
            "shipping_address",
            "items",
            "total_amount",
            "currency",
            "tracking_code",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


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
