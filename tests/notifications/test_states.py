"""States an operator can read: `sending` while the provider call is in flight, `outcome_unknown` on its own,
sent again only when an admin says `force`, with the provider id shown when it is known."""

import threading

import pytest
from django.db import connection
from django.utils import timezone

from notifications.models import Notification, NotificationStatus
from notifications.tasks import notifications_deliver

PHONE = "+254711000001"


def unknown_sms(**extra) -> Notification:
    return Notification.objects.create(
        channel="sms",
        recipient=PHONE,
        template="broadcast",
        context={"message": "hello"},
        status=NotificationStatus.OUTCOME_UNKNOWN,
        attempts=1,
        claimed_at=timezone.now(),
        last_error="outcome_unknown: the provider did not answer",
        **extra,
    )


@pytest.mark.django_db(transaction=True)
def test_a_message_in_flight_is_sending_since_its_claim_not_pending(sms_api, admin_client):
    row = Notification.objects.create(
        channel="sms", recipient=PHONE, template="broadcast", context={"message": "hello"}
    )
    sms_api.hold = threading.Event()  # the provider has the request and has not answered yet

    def deliver():
        try:
            notifications_deliver(notification_ids=[row.pk])
        finally:
            connection.close()  # this thread's own connection

    worker = threading.Thread(target=deliver)
    worker.start()
    try:
        assert sms_api.held.wait(30), "the request never reached the provider"
        in_flight = admin_client.get("/api/v1/admin/notifications/?status=sending").json()["results"]
        assert [r["id"] for r in in_flight] == [str(row.pk)]
        assert in_flight[0]["claimed_at"] is not None
        assert admin_client.get("/api/v1/admin/notifications/?status=pending").json()["count"] == 0
    finally:
        sms_api.hold.set()
        worker.join(30)
    row.refresh_from_db()
    assert (row.status, row.claimed_at) == (NotificationStatus.SENT, None)


@pytest.mark.django_db
def test_an_outcome_unknown_sms_is_its_own_filter_and_a_retry_without_force_is_refused(admin_client, sms_api):
    row = unknown_sms(provider_message_id="ATXid_maybe")
    Notification.objects.create(channel="sms", recipient=PHONE, template="x", status="failed")

    listed = admin_client.get("/api/v1/admin/notifications/?status=outcome_unknown").json()
    assert [r["id"] for r in listed["results"]] == [str(row.pk)]

    refused = admin_client.post(f"/api/v1/admin/notifications/{row.pk}/retry/")
    assert refused.status_code == 409
    body = refused.json()
    assert body["code"] == "notification_outcome_unknown"
    assert body["provider_message_id"] == "ATXid_maybe"
    assert "ATXid_maybe" in body["detail"] and "force" in body["detail"]
    row.refresh_from_db()
    assert row.status == NotificationStatus.OUTCOME_UNKNOWN
    assert sms_api.counts() == {}


@pytest.mark.django_db
def test_an_admin_forces_an_outcome_unknown_sms_out_again(
    admin_client, sms_api, django_capture_on_commit_callbacks
):
    row = unknown_sms()
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            f"/api/v1/admin/notifications/{row.pk}/retry/", {"force": True}, format="json"
        )
    assert response.status_code == 200
    row.refresh_from_db()
    assert (row.status, row.attempts) == (NotificationStatus.SENT, 1)
    assert sms_api.counts() == {PHONE: 1}


@pytest.mark.django_db
def test_force_never_resends_what_was_sent_and_must_be_a_boolean(admin_client):
    sent = Notification.objects.create(
        channel="sms", recipient=PHONE, template="x", status="sent", sent_at=timezone.now()
    )
    response = admin_client.post(
        f"/api/v1/admin/notifications/{sent.pk}/retry/", {"force": True}, format="json"
    )
    assert response.status_code == 409
    assert response.json()["code"] == "notification_not_failed"
    bad = admin_client.post(
        f"/api/v1/admin/notifications/{sent.pk}/retry/", {"force": "maybe"}, format="json"
    )
    assert bad.status_code == 400
    assert bad.json()["code"] == "validation_error"


@pytest.mark.django_db
def test_the_django_admin_filters_outcome_unknown_and_forces_it_only_with_its_own_action(
    admin_user, client, sms_api, django_capture_on_commit_callbacks
):
    row = unknown_sms(provider_message_id="ATXid_seen", delivery_status="", delivery_reason="")
    failed = Notification.objects.create(
        channel="sms",
        recipient="+254711000002",
        template="broadcast",
        context={"message": "x"},
        status="failed",
    )
    client.force_login(admin_user)
    page = client.get("/admin/notifications/notification/?status__exact=outcome_unknown")
    assert page.status_code == 200
    assert str(row.recipient) in page.content.decode()
    assert str(failed.recipient) not in page.content.decode()
    # the provider's id, the evidence of whether it went out, is on the message's page
    assert "ATXid_seen" in client.get(f"/admin/notifications/notification/{row.pk}/change/").content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/admin/notifications/notification/",
            {"action": "retry_failed", "_selected_action": [str(row.pk), str(failed.pk)]},
        )
    row.refresh_from_db()
    assert row.status == NotificationStatus.OUTCOME_UNKNOWN  # the plain retry leaves it alone

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/admin/notifications/notification/",
            {"action": "force_retry_outcome_unknown", "_selected_action": [str(row.pk)]},
        )
    row.refresh_from_db()
    assert row.status == NotificationStatus.SENT
    assert sms_api.counts() == {PHONE: 1, "+254711000002": 1}
