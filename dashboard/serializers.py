"""The admin dashboard's answer (the contract's field names)."""

from rest_framework import serializers


class DashboardSerializer(serializers.Serializer):
    orders_total = serializers.IntegerField()
    orders_by_status = serializers.DictField(child=serializers.IntegerField())
    revenue_by_currency = serializers.DictField(
        child=serializers.DecimalField(max_digits=16, decimal_places=2),
        help_text="Sum of order totals per currency, cancelled and returned orders excluded.",
    )
    merchants_awaiting_kyc = serializers.IntegerField()
    failed_notifications = serializers.IntegerField()
