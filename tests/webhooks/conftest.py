"""Fixtures: a merchant's platform that signs with `standardwebhooks`, and a log of what was announced."""

import pytest

from merchants.models import WebhookSecret
from orders.signals import order_placed, order_status_changed
from tests.factories import MerchantFactory
from tests.webhooks.platform import Platform, new_secret


@pytest.fixture
def secret(merchant):
    value = new_secret()
    WebhookSecret.objects.create(merchant=merchant, secret=value)
    return value


@pytest.fixture
def platform(merchant, secret):
    return Platform(merchant, secret)


@pytest.fixture
def inactive_platform(db):
    merchant = MerchantFactory(pending=True)
    value = new_secret()
    WebhookSecret.objects.create(merchant=merchant, secret=value)
    return Platform(merchant, value)


@pytest.fixture
def notifications_sent():
    """What the orders app announced (the signals notifications listens to), in order."""
    sent = []

    def placed(sender, order, **kwargs):
        sent.append(("placed", order.external_id))

    def changed(sender, order, event, **kwargs):
        sent.append(("status", event.status))

    order_placed.connect(placed, weak=False)
    order_status_changed.connect(changed, weak=False)
    yield sent
    order_placed.disconnect(placed)
    order_status_changed.disconnect(changed)
