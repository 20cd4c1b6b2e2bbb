"""The public view of an order: status and timeline, never the customer's phone, email or address, nor the
reason given for a cancellation."""

from rest_framework import serializers

from orders.models import Order, TrackingEvent

from .public_notes import public_location, public_note


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


class PublicTrackingSerializer(serializers.ModelSerializer):
    merchant = serializers.CharField(source="merchant.company_name", read_only=True)
    events = PublicEventSerializer(many=True, read_only=True)

    class Meta:
        model = Order
        fields = ["order_number", "status", "merchant", "events"]
        read_only_fields = fields
