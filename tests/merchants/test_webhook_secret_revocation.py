"""A merchant whose signing secret leaked revokes it at once; it can never revoke its last one."""

from datetime import timedelta

import pytest
from django.utils import timezone

from merchants.models import WebhookSecret
from merchants.services import merchant_suspend, webhook_secret_create, webhook_secret_rotate
from tests.conftest import bearer_client
from tests.factories import AdminFactory, MerchantFactory
from tests.webhooks.platform import Platform, order_created_event

pytestmark = pytest.mark.django_db

URL = "/api/v1/merchants/me/webhook-secrets/"


def delete(client, secret):
    return client.delete(f"{URL}{getattr(secret, 'pk', secret)}/")


def test_a_leaked_secret_stops_verifying_the_moment_it_is_deleted(merchant, merchant_client):
    leaked = webhook_secret_create(merchant=merchant)
    fresh = webhook_secret_rotate(merchant=merchant)  # the leaked one would verify for the grace period
    attacker = Platform(merchant, leaked.secret)
    assert attacker.send(order_created_event("SHOP-1")).status_code == 201

    response = delete(merchant_client, leaked)

    assert response.status_code == 204
    assert [s["id"] for s in merchant_client.get(URL).json()] == [str(fresh.pk)]
    refused = attacker.send(order_created_event("SHOP-2"))
    assert (refused.status_code, refused.json()["code"]) == (401, "invalid_signature")
    assert Platform(merchant, fresh.secret).send(order_created_event("SHOP-3")).status_code == 201


def test_the_last_valid_secret_cannot_be_deleted(merchant, merchant_client, settings, time_machine):
    only = webhook_secret_create(merchant=merchant)
    response = delete(merchant_client, only)
    assert (response.status_code, response.json()["code"]) == (409, "last_secret")

    # An expired secret does not count as a second valid one.
    settings.WEBHOOK_SECRET_GRACE_HOURS = 1
    current = webhook_secret_rotate(merchant=merchant)
    time_machine.move_to(timezone.now() + timedelta(hours=2))
    client = bearer_client(merchant.user)
    assert delete(client, current).json()["code"] == "last_secret"
    assert delete(client, only).status_code == 404  # expired: nothing to revoke
    assert Platform(merchant, current.secret).send(order_created_event("SHOP-1")).status_code == 201


def test_deleting_the_current_secret_makes_the_newest_remaining_one_current(merchant, merchant_client):
    older = webhook_secret_create(merchant=merchant)
    current = webhook_secret_rotate(merchant=merchant)

    assert delete(merchant_client, current).status_code == 204

    older.refresh_from_db()
    assert older.expires_at is None  # it would otherwise run out and leave the merchant with no secret
    assert list(WebhookSecret.objects.filter(merchant=merchant)) == [older]


def test_another_merchants_or_an_unknown_secret_is_not_found(merchant, merchant_client):
    webhook_secret_create(merchant=merchant)
    webhook_secret_rotate(merchant=merchant)
    other = MerchantFactory()
    theirs = webhook_secret_create(merchant=other)
    webhook_secret_rotate(merchant=other)

    for secret_id in (theirs.pk, "00000000-0000-4000-8000-000000000000"):
        response = delete(merchant_client, secret_id)
        assert (response.status_code, response.json()["code"]) == (404, "not_found")
    assert WebhookSecret.objects.filter(pk=theirs.pk).exists()


def test_only_an_active_merchant_deletes_secrets(merchant, merchant_client):
    webhook_secret_create(merchant=merchant)
    spare = webhook_secret_rotate(merchant=merchant)
    merchant_suspend(merchant=merchant, suspended_by=AdminFactory(), reason="Fraud review")
    suspended = delete(merchant_client, spare)
    assert (suspended.status_code, suspended.json()["code"]) == (403, "merchant_suspended")

    pending = MerchantFactory(pending=True)
    waiting = delete(bearer_client(pending.user), spare)
    assert (waiting.status_code, waiting.json()["code"]) == (403, "kyc_required")
    assert WebhookSecret.objects.filter(pk=spare.pk).exists()
