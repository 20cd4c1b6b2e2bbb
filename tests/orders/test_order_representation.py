"""The order answer is built by hand for speed; it must stay exactly what the declared fields produce."""

import json

import pytest
from rest_framework import serializers
from rest_framework.renderers import JSONRenderer

from orders.serializers import OrderSerializer
from tests.factories import MerchantFactory, external_order, placed_order

pytestmark = pytest.mark.django_db


def _as_json(data) -> dict:
    return json.loads(JSONRenderer().render(data))


@pytest.mark.parametrize(
    "make",
    [lambda: placed_order(), lambda: external_order(merchant=MerchantFactory(), email="a@example.com")],
    ids=["api", "webhook"],
)
def test_the_hand_built_order_answer_matches_the_declared_fields(make):
    order = make()
    serializer = OrderSerializer()

    by_hand = _as_json(serializer.to_representation(order))
    by_fields = _as_json(serializers.Serializer.to_representation(serializer, order))

    assert by_hand == by_fields
    assert set(by_hand) == set(serializer.fields)
