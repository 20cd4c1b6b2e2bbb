"""The public view of an order: status and timeline, never the customer's phone, email or address, nor the
reason given for a cancellation."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from orders.models import Order, TrackingEvent

from .public_notes import public_location, public_note
from .selectors import tracking_merchant_contact


class PublicEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = TrackingEvent
        fields = ["status", "location", "note", "occurred_at"]
        read_only_fields = fields

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["location"] = public_location(instance)
        data["note"] = public_note(instance)
        return data


class MerchantContactSerializer(serializers.Serializer):
    email = serializers.EmailField(required=False)
    phone = serializers.CharField(required=False, help_text="E.164")


class PublicTrackingSerializer(serializers.ModelSerializer):
    merchant = serializers.CharField(source="merchant.company_name", read_only=True)
    events = PublicEventSerializer(many=True, read_only=True)
    merchant_contact = serializers.SerializerMethodField(
        help_text="The merchant's public support contact; each key only when the merchant set it."
    )

    class Meta:
        model = Order
        fields = ["order_number", "status", "merchant", "events", "estimated_delivery", "merchant_contact"]
        read_only_fields = fields

    @extend_schema_field(MerchantContactSerializer)
    def get_merchant_contact(self, order: Order) -> dict:
        return tracking_merchant_contact(merchant=order.merchant)
