"""Admins watch the outbox, retry what failed, and broadcast system alerts."""

import pytest
from django.core import mail
from django.utils import timezone

from notifications.models import Notification, NotificationStatus
from notifications.tasks import notifications_deliver
from tests.factories import AdminFactory, CustomerFactory, MerchantFactory

pytestmark = pytest.mark.django_db


def failed_sms(n=1, **extra):
    return [
        Notification.objects.create(
            channel="sms",
            recipient=f"+25471100{i:04d}",
            template="broadcast",
            context={"message": "hello"},
            status=NotificationStatus.FAILED,
            attempts=8,
            last_error="Africa's Talking status 500",
            **extra,
        )
        for i in range(n)
    ]


def test_an_admin_lists_failed_notifications_page_by_page(admin_client, django_assert_num_queries):
    failed_sms(3)
    Notification.objects.create(
        channel="email", recipient="a@b.co", template="otp", context={}, status="sent", sent_at=timezone.now()
    )
    with django_assert_num_queries(3):  # the user, the count, the page
        response = admin_client.get("/api/v1/admin/notifications/?status=failed&page_size=2")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 3
    assert len(body["results"]) == 2 and body["next"]
    assert {r["status"] for r in body["results"]} == {"failed"}
    assert set(body["results"][0]) >= {
        "id",
        "channel",
        "recipient",
        "template",
        "status",
        "attempts",
        "last_error",
    }


def test_a_bad_status_filter_is_a_400(admin_client):
    response = admin_client.get("/api/v1/admin/notifications/?status=lost")
    assert response.status_code == 400
    assert response.json()["code"] == "validation_error"


def test_customers_and_merchants_cannot_see_the_outbox(customer_client, merchant_client, api_client):
    assert customer_client.get("/api/v1/admin/notifications/").status_code == 403
    assert merchant_client.get("/api/v1/admin/notifications/").status_code == 403
    assert api_client.get("/api/v1/admin/notifications/").status_code == 401


def test_an_admin_retries_a_failed_sms_and_it_goes_out(
    admin_client, sms_api, django_capture_on_commit_callbacks
):
    (row,) = failed_sms()
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(f"/api/v1/admin/notifications/{row.pk}/retry/")
    assert response.status_code == 200
    row.refresh_from_db()
    assert row.status == NotificationStatus.SENT
    assert row.attempts == 1
    assert sms_api.messages_to(row.recipient) == ["hello"]


def test_retrying_what_did_not_fail_is_a_409_and_unknown_ids_a_404(admin_client):
    sent = Notification.objects.create(
        channel="sms", recipient="+254711000000", template="x", status="sent", sent_at=timezone.now()
    )
    response = admin_client.post(f"/api/v1/admin/notifications/{sent.pk}/retry/")
    assert response.status_code == 409
    assert response.json()["code"] == "notification_not_failed"
    missing = admin_client.post("/api/v1/admin/notifications/00000000-0000-0000-0000-000000000000/retry/")
    assert missing.status_code == 404


def test_the_django_admin_retry_action_requeues_failed_ones(admin_user, client, sms_api):
    rows = failed_sms(2)
    client.force_login(admin_user)
    response = client.post(
        "/admin/notifications/notification/",
        {"action": "retry_failed", "_selected_action": [str(r.pk) for r in rows]},
    )
    assert response.status_code == 302
    assert set(Notification.objects.values_list("status", flat=True)) == {"pending"}
    page = client.get(f"/admin/notifications/notification/{rows[0].pk}/change/")
    assert page.status_code == 200


def test_a_broadcast_to_customers_goes_out_in_sms_batches_and_emails(
    admin_client, sms_api, settings, django_capture_on_commit_callbacks
):
    settings.NOTIFICATIONS_SMS_BATCH_SIZE = 2
    customers = [CustomerFactory() for _ in range(5)]
    CustomerFactory(phone_number="")  # no phone: email only
    MerchantFactory()  # not in the audience
    AdminFactory()
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            "/api/v1/admin/broadcasts/",
            {
                "audience": "customers",
                "channels": ["sms", "email"],
                "subject": "Maintenance",
                "message": "Down at 2am.",
            },
        )
    assert response.status_code == 202
    body = response.json()
    assert body["recipients"] == 6
    assert sms_api.requests == 3  # 5 numbers, 2 per request
    assert sorted(sms_api.counts()) == sorted(str(c.phone_number) for c in customers)
    assert len(mail.outbox) == 6
    assert mail.outbox[0].subject == "Maintenance"

    detail = admin_client.get(f"/api/v1/admin/broadcasts/{body['id']}/").json()
    assert (detail["total"], detail["sent"], detail["failed"], detail["pending"]) == (11, 11, 0, 0)
    assert detail["audience"] == "customers"


def test_broadcast_counts_show_failures(admin_client, sms_api):
    bad = CustomerFactory(phone_number="+254799999403")
    CustomerFactory()
    sms_api.statuses[str(bad.phone_number)] = 403
    response = admin_client.post(
        "/api/v1/admin/broadcasts/", {"audience": "customers", "channels": ["sms"], "message": "Hi"}
    )
    ids = list(Notification.objects.values_list("pk", flat=True))
    notifications_deliver(notification_ids=ids)  # one batch task's work
    assert sms_api.requests == 1
    detail = admin_client.get(f"/api/v1/admin/broadcasts/{response.json()['id']}/").json()
    assert (detail["sent"], detail["failed"]) == (1, 1)


@pytest.mark.parametrize(
    "payload",
    [
        {"audience": "everyone", "channels": ["sms"], "message": "x"},
        {"audience": "admins", "channels": [], "message": "x"},
        {"audience": "admins", "channels": ["fax"], "message": "x"},
        {"audience": "admins", "channels": ["email"], "message": ""},
        {"audience": "admins", "channels": ["sms"], "message": "x" * 1000},
    ],
)
def test_a_bad_broadcast_is_a_400(admin_client, payload):
    response = admin_client.post("/api/v1/admin/broadcasts/", payload)
    assert response.status_code == 400
    assert response.json()["code"] == "validation_error"


def test_only_admins_broadcast(customer_client):
    response = customer_client.post(
        "/api/v1/admin/broadcasts/", {"audience": "admins", "channels": ["email"], "message": "x"}
    )
    assert response.status_code == 403
