"""Issue 15, row 1: anyone could block a merchant's webhooks (merchant ids are public) by posting unsigned
garbage, which spent the merchant's bucket and was stored whole. The attacks, replayed: they no longer work."""

import hashlib
import json
import time
from datetime import UTC, datetime

import pytest
from django.db.models import Sum
from django.test import Client

from tests.core.outages import RedisServer
from tests.webhooks.platform import Platform, new_secret, order_created_event
from webhooks.models import WebhookDelivery, WebhookRejectedDrop

pytestmark = pytest.mark.django_db

BODY_256_KB = b'{"junk": "' + b"x" * (256 * 1024 - 12) + b'"}'
CAP = 60  # WEBHOOK_REJECTED_RECORD_LIMIT_PER_MINUTE's default


def _rates(settings, **rates):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], **rates},
    }


def _garbage(client: Client, platform: Platform, address: str, body: bytes = BODY_256_KB):
    return client.post(platform.url, data=body, content_type="application/json", REMOTE_ADDR=address)


def _minute() -> int:
    return int(time.time() // 60)


def _clear_of_a_minute_boundary() -> None:
    """The recording cap is per clock minute: a short test must not straddle two."""
    if time.time() % 60 > 57:
        time.sleep(60 - time.time() % 60 + 0.1)


def test_a_flood_of_unsigned_256_kb_posts_neither_blocks_nor_fills_the_merchant(platform, settings):
    assert len(BODY_256_KB) == 256 * 1024
    settings.WEBHOOK_REJECTED_RECORD_LIMIT_PER_MINUTE = CAP
    attacker = Client()
    first_minute = _minute()

    # A botnet: 1,000 addresses, so no per-address budget runs out and every post reaches the merchant's cap.
    answers = {
        _garbage(attacker, platform, f"10.0.{n // 250}.{n % 250 + 1}").status_code for n in range(1000)
    }

    minutes = _minute() - first_minute + 1  # the cap is per clock minute; the loop may straddle one
    assert answers == {401}
    rejected = WebhookDelivery.objects.filter(merchant=platform.merchant)
    recorded = rejected.count()
    assert CAP <= recorded <= CAP * minutes
    assert all(len(row.body.encode()) <= 2048 + 2 for row in rejected)  # 2 KB (+ a split character's U+FFFD)
    row = rejected.first()
    assert (row.error_code, row.body_truncated) == ("missing_headers", True)
    assert row.body_sha256 == hashlib.sha256(BODY_256_KB).hexdigest()
    dropped = WebhookRejectedDrop.objects.filter(merchant=platform.merchant).aggregate(n=Sum("dropped"))["n"]
    assert dropped == 1000 - recorded

    # The merchant's platform, right after: its signed delivery is applied and recorded in full.
    response = platform.send(order_created_event("SHOP-AFTER-FLOOD"), webhook_id="msg_after_flood")
    assert response.status_code == 201, response.content
    signed = WebhookDelivery.objects.get(webhook_id="msg_after_flood")
    assert (signed.applied, signed.body_truncated) == (True, False)
    assert json.loads(signed.body)["data"]["external_id"] == "SHOP-AFTER-FLOOD"
    assert WebhookDelivery.objects.count() == recorded + 1  # the table grew by the cap and the signed one


def test_the_merchants_own_rate_still_throttles_its_signed_deliveries(platform, settings):
    _rates(settings, webhook="3/min")
    for n in range(10):  # garbage and forgeries first: they spend nothing of the merchant's rate
        _garbage(Client(), platform, f"10.1.0.{n + 1}", body=b"{}")
    forger = Platform(platform.merchant, new_secret())
    assert forger.send(order_created_event("SHOP-FORGED")).status_code == 401

    answers = [platform.send(order_created_event(f"SHOP-{n}")).status_code for n in range(4)]

    assert answers == [201, 201, 201, 429]
    throttled = platform.send(order_created_event("SHOP-9"), webhook_id="msg_throttled")
    assert throttled.status_code == 429
    assert throttled.json()["code"] == "throttled"
    assert int(throttled["Retry-After"]) > 0
    recorded = WebhookDelivery.objects.get(webhook_id="msg_throttled")  # its own platform's: recorded in full
    assert (recorded.status_code, recorded.body_truncated) == (429, False)


def test_an_address_over_its_failure_budget_gets_429_and_only_that_address(platform, settings):
    _rates(settings, webhook_failure_ip="5/min")
    attacker = Client()

    answers = [_garbage(attacker, platform, "203.0.113.7", body=b"{}").status_code for _ in range(8)]

    assert answers == [401] * 5 + [429] * 3
    blocked = _garbage(attacker, platform, "203.0.113.7", body=b"{}")
    assert blocked.json()["code"] == "throttled" and int(blocked["Retry-After"]) > 0
    # Turned away without a write: the five failures are recorded, the refused ones are not even counted.
    assert WebhookDelivery.objects.filter(merchant=platform.merchant).count() == 5
    assert not WebhookRejectedDrop.objects.exists()
    # Another address is answered as usual.
    assert _garbage(Client(), platform, "198.51.100.9", body=b"{}").status_code == 401
    # A signed, fresh delivery passes even from the blocked address (a platform behind the attacker's NAT).
    platform.client = Client(REMOTE_ADDR="203.0.113.7")
    assert platform.send(order_created_event("SHOP-SHARED-ADDRESS")).status_code == 201


def test_a_stale_or_forged_signature_is_kept_as_2_kb_too(platform):
    event = order_created_event("SHOP-STALE", shipping_address="y" * 10_000)

    stale = platform.send(event, webhook_id="msg_stale", at=datetime(2020, 1, 1, tzinfo=UTC))
    forged = Platform(platform.merchant, new_secret()).send(event, webhook_id="msg_forged")

    assert (stale.status_code, forged.status_code) == (401, 401)
    for webhook_id, code in (("msg_stale", "stale_timestamp"), ("msg_forged", "invalid_signature")):
        row = WebhookDelivery.objects.get(webhook_id=webhook_id)
        assert (row.error_code, len(row.body), row.body_truncated) == (code, 2048, True)
        assert "webhook-signature" not in row.headers


def test_with_the_cache_redis_down_signed_deliveries_pass_and_refusals_are_still_small(platform, settings):
    server = RedisServer().start()
    settings.CACHES = {"default": {"BACKEND": "core.cache.FailOpenRedisCache", "LOCATION": server.url}}
    _rates(settings, webhook_failure_ip="2/min")
    settings.WEBHOOK_REJECTED_RECORD_LIMIT_PER_MINUTE = 2
    _clear_of_a_minute_boundary()
    try:
        # Redis up: the counters are in it (the cap: two recorded, the third only counted; then the address's 429).
        answers = [_garbage(Client(), platform, "192.0.2.1", body=b"{}").status_code for _ in range(3)]
        assert answers == [401, 401, 429]
        assert _garbage(Client(), platform, "192.0.2.2", body=b"{}").status_code == 401
        assert WebhookRejectedDrop.objects.get().dropped == 1
        assert WebhookDelivery.objects.count() == 2

        server.kill()
        # Redis down: nothing is throttled (fail open), every refusal is recorded, each still at most 2 KB.
        answers = [_garbage(Client(), platform, "192.0.2.1").status_code for _ in range(3)]
        assert answers == [401, 401, 401]
        assert platform.send(order_created_event("SHOP-NO-CACHE")).status_code == 201
        assert WebhookDelivery.objects.filter(body_truncated=True).count() == 3
    finally:
        server.kill()


def test_the_admin_sees_how_many_were_dropped(platform, settings, admin_user):
    settings.WEBHOOK_REJECTED_RECORD_LIMIT_PER_MINUTE = 1
    _clear_of_a_minute_boundary()
    for n in range(4):
        assert _garbage(Client(), platform, f"10.2.0.{n + 1}", body=b"{}").status_code == 401

    admin_client = Client()
    admin_client.force_login(admin_user)
    page = admin_client.get("/admin/webhooks/webhookrejecteddrop/")

    assert page.status_code == 200
    assert WebhookRejectedDrop.objects.get(merchant=platform.merchant).dropped == 3
    assert platform.merchant.company_name in page.content.decode()
    assert '<td class="field-dropped">3</td>' in page.content.decode()
    row = WebhookDelivery.objects.get(merchant=platform.merchant)
    detail = admin_client.get(f"/admin/webhooks/webhookdelivery/{row.pk}/change/")
    assert detail.status_code == 200 and row.body_sha256 in detail.content.decode()
