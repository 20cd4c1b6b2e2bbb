from rest_framework import serializers

from .messages import context_masked
from .models import Audience, Broadcast, Channel, DeliveryStatus, Notification, NotificationStatus
from .services import AT_DELIVERY_STATUSES

SMS_MESSAGE_MAX = 918  # six concatenated SMS parts


class NotificationSerializer(serializers.ModelSerializer):
    context = serializers.SerializerMethodField()
    order = serializers.UUIDField(source="order_id", read_only=True, allow_null=True)
    broadcast = serializers.UUIDField(source="broadcast_id", read_only=True, allow_null=True)

    class Meta:
        model = Notification
        fields = [
            "id",
            "channel",
            "recipient",
            "template",
            "context",
            "status",
            "claimed_at",
            "attempts",
            "next_attempt_at",
            "provider_message_id",
            "provider_cost",
            "last_error",
            "sent_at",
            "delivery_status",
            "delivery_reason",
            "delivery_reported_at",
            "order",
            "broadcast",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_context(self, obj) -> dict:
        return context_masked(obj.context)


class NotificationListQuerySerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=NotificationStatus.choices, required=False)
    channel = serializers.ChoiceField(choices=Channel.choices, required=False)
    delivery_status = serializers.ChoiceField(choices=DeliveryStatus.choices, required=False)


class NotificationRetrySerializer(serializers.Serializer):
    force = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Required to send again a notification whose outcome is unknown (it may arrive twice).",
    )


class DeliveryReportSerializer(serializers.Serializer):
    """An Africa's Talking delivery report, with the provider's field names (form-encoded)."""

    id = serializers.CharField(max_length=128)
    status = serializers.ChoiceField(choices=list(AT_DELIVERY_STATUSES))
    phoneNumber = serializers.CharField(max_length=32, required=False, allow_blank=True)
    networkCode = serializers.CharField(max_length=16, required=False, allow_blank=True)
    failureReason = serializers.CharField(max_length=200, required=False, allow_blank=True)
    retryCount = serializers.IntegerField(min_value=0, required=False)


class DeliveryReportAcceptedSerializer(serializers.Serializer):
    matched = serializers.BooleanField(help_text="Whether an SMS with this provider message id was found.")


class BroadcastCreateSerializer(serializers.Serializer):
    audience = serializers.ChoiceField(choices=Audience.choices)
    channels = serializers.ListField(child=serializers.ChoiceField(choices=Channel.choices), min_length=1)
    subject = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    message = serializers.CharField(max_length=5000)

    def validate_channels(self, value):
        return list(dict.fromkeys(value))

    def validate(self, attrs):
        if Channel.SMS in attrs["channels"] and len(attrs["message"]) > SMS_MESSAGE_MAX:
            raise serializers.ValidationError(
                {"message": [f"An SMS broadcast is at most {SMS_MESSAGE_MAX} characters."]}
            )
        return attrs


class BroadcastAcceptedSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    recipients = serializers.IntegerField()


class BroadcastSerializer(serializers.ModelSerializer):
    total = serializers.IntegerField(read_only=True)
    pending = serializers.IntegerField(read_only=True)
    sent = serializers.IntegerField(read_only=True)
    failed = serializers.IntegerField(read_only=True)
    outcome_unknown = serializers.IntegerField(read_only=True)
    created_by = serializers.UUIDField(source="created_by_id", read_only=True, allow_null=True)
    channels = serializers.ListField(child=serializers.ChoiceField(choices=Channel.choices), read_only=True)

    class Meta:
        model = Broadcast
        fields = [
            "id",
            "audience",
            "channels",
            "subject",
            "message",
            "recipients",
            "total",
            "pending",
            "sent",
            "failed",
            "outcome_unknown",
            "created_by",
            "created_at",
        ]
        read_only_fields = fields
