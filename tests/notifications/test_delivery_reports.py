"""Africa's Talking posts a delivery report per message to our callback: matched by its message id, recorded
next to the send status; forged ones are refused, unknown ids answered 200 and logged."""

import logging
from urllib.parse import urlencode

import pytest
from django.utils import timezone

from notifications.models import DeliveryStatus, Notification, NotificationStatus
from notifications.selectors import notification_attention_counts
from tests.notifications.orders import PHONE, place_order

pytestmark = pytest.mark.django_db

TOKEN = "cb-3f9a1c7e5d2b4a6f8e0d"
URL = f"/api/v1/notifications/delivery-reports/africastalking/{TOKEN}/"


@pytest.fixture(autouse=True)
def callback_token(settings):
    settings.AFRICASTALKING_CALLBACK_TOKEN = TOKEN
    settings.AFRICASTALKING_CALLBACK_ALLOWED_NETWORKS = []


@pytest.fixture
def sent_sms(customer, product, sms_api, django_capture_on_commit_callbacks) -> Notification:
    """An order's SMS, accepted by the Africa's Talking stand-in."""
    place_order(customer=customer, product=product, capture=django_capture_on_commit_callbacks)
    sms = Notification.objects.get(channel="sms")
    assert sms.provider_message_id == sms_api.message_ids_to(PHONE)[0]
    return sms


def form_post(client, url: str, data: dict, **meta):
    """Posted the way Africa's Talking does: form-encoded, the provider's field names."""
    return client.post(url, urlencode(data), content_type="application/x-www-form-urlencoded", **meta)


def report(client, message_id: str, status: str, url: str = URL, **extra):
    data = {"id": message_id, "status": status, "phoneNumber": PHONE, "networkCode": "63902", **extra}
    return form_post(client, url, data)


def test_a_delivered_report_is_recorded_next_to_the_send_status(api_client, admin_client, sent_sms):
    response = report(api_client, sent_sms.provider_message_id, "Success", retryCount="0")
    assert response.status_code == 200
    assert response.json() == {"matched": True}
    row = admin_client.get("/api/v1/admin/notifications/?delivery_status=delivered").json()["results"][0]
    assert (row["id"], row["status"], row["delivery_status"]) == (str(sent_sms.pk), "sent", "delivered")
    assert row["delivery_reported_at"] is not None
    assert notification_attention_counts()["undelivered_sms"] == 0


def test_a_failed_report_records_the_reason_and_counts_as_undelivered(
    api_client, admin_user, client, sent_sms
):
    response = report(api_client, sent_sms.provider_message_id, "Failed", failureReason="AbsentSubscriber")
    assert response.status_code == 200
    sent_sms.refresh_from_db()
    assert (sent_sms.status, sent_sms.delivery_status) == (NotificationStatus.SENT, DeliveryStatus.FAILED)
    assert sent_sms.delivery_reason == "AbsentSubscriber"
    assert notification_attention_counts()["undelivered_sms"] == 1

    client.force_login(admin_user)
    page = client.get("/admin/notifications/notification/?delivery_status__exact=failed").content.decode()
    assert "Not delivered: AbsentSubscriber" in page


def test_an_interim_report_arriving_late_does_not_hide_the_final_one(api_client, sent_sms):
    report(api_client, sent_sms.provider_message_id, "Success")
    report(api_client, sent_sms.provider_message_id, "Buffered")
    sent_sms.refresh_from_db()
    assert sent_sms.delivery_status == DeliveryStatus.DELIVERED


def test_a_report_resolves_an_sms_whose_outcome_was_unknown(api_client):
    claimed = timezone.now()
    row = Notification.objects.create(
        channel="sms",
        recipient=PHONE,
        template="broadcast",
        status=NotificationStatus.OUTCOME_UNKNOWN,
        claimed_at=claimed,
        provider_message_id="ATXid_known",
        last_error="outcome_unknown: provider accepted (id ATXid_known), outcome not recorded",
    )
    assert report(api_client, "ATXid_known", "Success").status_code == 200
    row.refresh_from_db()
    assert (row.status, row.delivery_status) == (NotificationStatus.SENT, DeliveryStatus.DELIVERED)
    assert row.sent_at == claimed
    assert row.claimed_at is None


def test_a_report_for_an_unknown_id_is_answered_200_and_logged(api_client, sent_sms, caplog):
    with caplog.at_level(logging.WARNING, logger="notifications.services"):
        response = report(api_client, "ATXid_from_another_system", "Success")
    assert response.status_code == 200
    assert response.json() == {"matched": False}
    assert "ATXid_from_another_system" in caplog.text
    sent_sms.refresh_from_db()
    assert sent_sms.delivery_status == DeliveryStatus.NONE


def test_a_forged_token_is_refused_and_records_nothing(api_client, sent_sms, settings):
    forged = "/api/v1/notifications/delivery-reports/africastalking/guessed-token/"
    response = report(api_client, sent_sms.provider_message_id, "Failed", url=forged)
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    settings.AFRICASTALKING_CALLBACK_TOKEN = ""  # not configured: no token opens it
    assert report(api_client, sent_sms.provider_message_id, "Failed", url=forged).status_code == 404
    sent_sms.refresh_from_db()
    assert sent_sms.delivery_status == DeliveryStatus.NONE


def test_reports_from_outside_the_allowed_networks_are_refused(api_client, sent_sms, settings):
    settings.AFRICASTALKING_CALLBACK_ALLOWED_NETWORKS = ["196.201.214.0/24"]
    refused = report(api_client, sent_sms.provider_message_id, "Success")  # from 127.0.0.1
    assert refused.status_code == 403
    assert refused.json()["code"] == "callback_source_not_allowed"
    allowed = form_post(
        api_client,
        URL,
        {"id": sent_sms.provider_message_id, "status": "Success"},
        REMOTE_ADDR="196.201.214.17",
    )
    assert allowed.status_code == 200
    sent_sms.refresh_from_db()
    assert sent_sms.delivery_status == DeliveryStatus.DELIVERED


@pytest.mark.parametrize(
    "data",
    [
        {"status": "Success"},
        {"id": "ATXid_1", "status": "Lost"},
        {"id": "ATXid_1", "status": "Failed", "retryCount": "-1"},
    ],
)
def test_a_malformed_report_is_a_400(api_client, data):
    """A report we cannot read is a 400 with a code, never a 500."""
    response = form_post(api_client, URL, data)
    assert response.status_code == 400
    assert response.json()["code"] == "validation_error"
