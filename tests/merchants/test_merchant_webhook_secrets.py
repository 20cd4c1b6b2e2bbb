"""Webhook signing secrets: issued on approval, rotated with a grace period, never leaked."""

import base64
import logging
from datetime import timedelta

import pytest
from django.contrib.admin.sites import site
from django.utils import timezone

from merchants.selectors import merchant_webhook_secrets_valid
from merchants.services import kyc_approve, webhook_secret_create, webhook_secret_rotate
from tests.conftest import bearer_client
from tests.factories import KYCSubmissionFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/merchants/me/webhook-secrets/"


def test_secrets_are_whsec_and_32_random_bytes(merchant):
    first = webhook_secret_create(merchant=merchant)
    second = webhook_secret_rotate(merchant=merchant)
    for secret in (first, second):
        prefix, _, encoded = secret.secret.partition("_")
        assert prefix == "whsec"
        assert len(base64.b64decode(encoded, validate=True)) == 32
    assert first.secret != second.secret


def test_rotating_twice_keeps_the_first_grace_deadline(merchant, time_machine, settings):
    settings.WEBHOOK_SECRET_GRACE_HOURS = 2
    start = timezone.now()
    time_machine.move_to(start, tick=False)
    original = webhook_secret_create(merchant=merchant)
    webhook_secret_rotate(merchant=merchant)
    time_machine.move_to(start + timedelta(hours=1), tick=False)
    newest = webhook_secret_rotate(merchant=merchant)

    original.refresh_from_db()
    assert original.expires_at == start + timedelta(hours=2)
    assert merchant_webhook_secrets_valid(merchant=merchant).count() == 3
    time_machine.move_to(start + timedelta(hours=2, seconds=1), tick=False)
    assert merchant_webhook_secrets_valid(merchant=merchant).count() == 2
    time_machine.move_to(start + timedelta(hours=3, seconds=1), tick=False)
    assert list(merchant_webhook_secrets_valid(merchant=merchant)) == [newest]


def test_the_grace_period_comes_from_settings(merchant_client, merchant, settings):
    settings.WEBHOOK_SECRET_GRACE_HOURS = 0.5
    webhook_secret_create(merchant=merchant)
    before = timezone.now()
    merchant_client.post(URL + "rotate/")
    older = merchant.webhook_secrets.order_by("created_at").first()
    assert before + timedelta(minutes=30) <= older.expires_at <= timezone.now() + timedelta(minutes=30)


def test_only_the_merchants_own_secrets_are_listed(merchant_client, merchant, django_assert_num_queries):
    webhook_secret_create(merchant=merchant)
    other = KYCSubmissionFactory().merchant
    admin = other.user  # any user can decide in the service layer; the API checks admin rights
    kyc_approve(merchant=other, decided_by=admin)

    with django_assert_num_queries(3):  # user, merchant, secrets
        listed = merchant_client.get(URL).json()
    assert [s["id"] for s in listed] == [str(s.pk) for s in merchant_webhook_secrets_valid(merchant=merchant)]
    assert not {s["secret"] for s in listed} & {s.secret for s in other.webhook_secrets.all()}


def test_pending_merchants_cannot_rotate():
    merchant = KYCSubmissionFactory().merchant
    response = bearer_client(merchant.user).post(URL + "rotate/")
    assert response.status_code == 403
    assert response.json()["code"] == "kyc_required"
    assert not merchant.webhook_secrets.exists()


def test_customers_have_no_secrets(customer_client):
    assert customer_client.get(URL).status_code == 403
    assert customer_client.get(URL).json()["code"] == "permission_denied"


def test_secret_values_stay_out_of_logs_and_text(merchant, merchant_client, caplog, admin_user):
    caplog.set_level(logging.DEBUG)
    submission = KYCSubmissionFactory()
    kyc_approve(merchant=submission.merchant, decided_by=admin_user)
    rotated = merchant_client.post(URL + "rotate/").json()["secret"]
    values = {s.secret for s in submission.merchant.webhook_secrets.all()} | {rotated}
    secret = merchant.webhook_secrets.get()
    texts = [caplog.text, str(secret), repr(secret)]
    assert not any(value in text for value in values for text in texts)
    assert any(r.name == "merchants.services" for r in caplog.records)


def test_the_django_admin_never_shows_a_secret_value(client, admin_user, merchant):
    secret = webhook_secret_create(merchant=merchant)
    client.force_login(admin_user)
    changelist = client.get("/admin/merchants/webhooksecret/")
    change = client.get(f"/admin/merchants/webhooksecret/{secret.pk}/change/")
    assert changelist.status_code == change.status_code == 200
    assert secret.secret not in changelist.content.decode()
    assert secret.secret not in change.content.decode()
    assert "secret" not in site._registry[type(secret)].get_fields(change.wsgi_request, secret)


def test_the_webhook_receivers_one_query_lookup_agrees_with_the_selector_as_secrets_rotate_and_expire(
    merchant, time_machine, settings, django_assert_num_queries
):
    from merchants.selectors import merchant_with_webhook_secrets
    from tests.factories import MerchantFactory

    settings.WEBHOOK_SECRET_GRACE_HOURS = 1
    start = timezone.now()
    time_machine.move_to(start, tick=False)
    other = MerchantFactory()
    webhook_secret_create(merchant=other)

    def both():
        with django_assert_num_queries(1):
            found, secrets = merchant_with_webhook_secrets(merchant_id=merchant.pk)
        expected = set(merchant_webhook_secrets_valid(merchant=merchant).values_list("secret", flat=True))
        assert found == merchant and found.company_name == merchant.company_name
        assert len(secrets) == len(set(secrets))
        return set(secrets), expected

    assert both() == (set(), set())  # approved before any secret: the merchant, no secret
    first = webhook_secret_create(merchant=merchant)
    assert both() == ({first.secret}, {first.secret})
    second = webhook_secret_rotate(merchant=merchant)
    assert both() == ({first.secret, second.secret}, {first.secret, second.secret})
    time_machine.move_to(start + timedelta(hours=1, seconds=1), tick=False)
    assert both() == ({second.secret}, {second.secret})


def test_the_webhook_receivers_lookup_of_an_unknown_merchant_finds_nothing(db):
    import uuid

    from merchants.selectors import merchant_with_webhook_secrets

    assert merchant_with_webhook_secrets(merchant_id=uuid.uuid4()) == (None, [])
