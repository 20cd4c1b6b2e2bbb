"""The public view of an order: status and timeline, never the customer's phone, email or address."""

from rest_framework import serializers

from orders.models import Order, TrackingEvent


class PublicEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = TrackingEvent
        fields = ["status", "location", "note", "occurred_at"]
        read_only_fields = fields


class PublicTrackingSerializer(serializers.ModelSerializer):
    merchant = serializers.CharField(source="merchant.company_name", read_only=True)
    events = PublicEventSerializer(many=True, read_only=True)

    class Meta:
        model = Order
        fields = ["order_number", "status", "merchant", "events"]
        read_only_fields = fields
