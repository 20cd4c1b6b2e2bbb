"""The admin dashboard's answer (the contract's field names)."""

from rest_framework import serializers


class DashboardSerializer(serializers.Serializer):
    orders_total = serializers.IntegerField()
    orders_by_status = serializers.DictField(child=serializers.IntegerField())
    orders_by_payment_status = serializers.DictField(
        child=serializers.IntegerField(), help_text="unpaid, paid, partially_refunded, refunded"
    )
    orders_awaiting_refund = serializers.IntegerField(
        help_text="Cancelled or returned orders still paid or partially refunded: money to give back."
    )
    revenue_by_currency = serializers.DictField(
        child=serializers.DecimalField(max_digits=16, decimal_places=2),
        help_text="Sum of order totals per currency, cancelled and returned orders excluded.",
    )
    merchants_awaiting_kyc = serializers.IntegerField()
    failed_notifications = serializers.IntegerField()
    outcome_unknown_notifications = serializers.IntegerField(
        help_text="Messages the provider may have sent (no answer recorded): an operator decides whether to resend."
    )
    undelivered_sms = serializers.IntegerField(
        help_text="SMS the provider accepted whose delivery report says they never reached the phone."
    )
