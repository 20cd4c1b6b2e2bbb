"""The webhook answer's order is the contract's order, field for field."""

import json

import pytest
from rest_framework import serializers
from rest_framework.renderers import JSONRenderer

from orders.models import Order, OrderItem
from tests.webhooks.platform import order_created_event
from webhooks.serializers import WebhookOrderSerializer

pytestmark = pytest.mark.django_db


def _json(data) -> dict:
    return json.loads(JSONRenderer().render(data))


class _ItemFromModel(serializers.ModelSerializer):
    class Meta:
        model = OrderItem
        fields = ["product", "sku", "name", "quantity", "unit_price", "line_total"]


class _OrderFromModel(serializers.ModelSerializer):
    phone_number = serializers.CharField()
    items = _ItemFromModel(many=True)

    class Meta:
        model = Order
        fields = list(WebhookOrderSerializer().fields)


def test_the_declared_order_serializer_says_what_the_model_says(platform):
    platform.send(order_created_event("SHOP-1"))
    order = Order.objects.get()

    assert _json(WebhookOrderSerializer(order).data) == _json(_OrderFromModel(order).data)
    assert list(WebhookOrderSerializer().fields) == [
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
