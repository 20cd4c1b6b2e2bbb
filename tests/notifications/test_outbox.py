"""The outbox in no-broker mode (tasks run eagerly on commit): what gets written, rendered and sent."""

import threading
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from accounts.signals import otp_issued
from merchants.signals import kyc_decided
from notifications.models import Notification, NotificationStatus
from notifications.tasks import notifications_deliver, notifications_sweep
from orders.placement import order_place
from orders.services import order_set_status
from tests.factories import AdminFactory, MerchantFactory
from tests.notifications.orders import PHONE, place_order

pytestmark = pytest.mark.django_db


def test_placing_an_order_texts_the_customer_and_emails_the_admins(
    customer, product, sms_api, settings, django_capture_on_commit_callbacks
):
    settings.ADMIN_NOTIFICATION_EMAILS = ["ops@ordertrail.test"]
    order = place_order(customer=customer, product=product, capture=django_capture_on_commit_callbacks)

    texts = sms_api.messages_to(PHONE)
    assert len(texts) == 1
    assert order.order_number in texts[0]
    assert f"/track/{order.tracking_code}/" in texts[0]
    assert len(texts[0]) <= 160
    assert sms_api.delivered[0]["from"] == "ORDERTRAIL"
    # The admins, and the merchant's copy of an order placed through the API.
    assert [m.to for m in mail.outbox] == [["ops@ordertrail.test"], [product.merchant.user.email]]
    assert order.order_number in mail.outbox[0].subject
    assert mail.outbox[0].alternatives[0][1] == "text/html"
    rows = Notification.objects.filter(order=order)
    assert {(n.channel, n.status) for n in rows} == {("sms", "sent"), ("email", "sent")}
    assert rows.get(channel="sms").provider_message_id.startswith("ATXid_")


def test_without_configured_admin_addresses_the_staff_are_emailed(
    customer, product, sms_api, settings, django_capture_on_commit_callbacks
):
    settings.ADMIN_NOTIFICATION_EMAILS = []
    first, second = AdminFactory(), AdminFactory()
    place_order(customer=customer, product=product, capture=django_capture_on_commit_callbacks)
    staff_and_merchant = [first.email, second.email, product.merchant.user.email]
    assert sorted(m.to[0] for m in mail.outbox) == sorted(staff_and_merchant)


def test_a_status_change_texts_the_tracking_link_and_emails_the_customer(
    customer, product, sms_api, settings, django_capture_on_commit_callbacks
):
    settings.PUBLIC_BASE_URL = "https://track.example.com"
    order = place_order(customer=customer, product=product, capture=django_capture_on_commit_callbacks)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        order_set_status(order=order, status="confirmed", location="Nairobi hub")

    texts = sms_api.messages_to(PHONE)
    assert len(texts) == 2
    assert f"https://track.example.com/track/{order.tracking_code}/" in texts[1]
    assert "confirmed" in texts[1]
    assert len(texts[1]) <= 160
    (email,) = mail.outbox
    assert email.to == [customer.email]
    assert "confirmed" in email.subject
    assert f"https://track.example.com/track/{order.tracking_code}/" in email.body
    assert f"https://track.example.com/track/{order.tracking_code}/" in email.alternatives[0][0]


def test_nothing_is_sent_when_the_change_rolls_back(
    customer, product, sms_api, django_capture_on_commit_callbacks
):
    order = place_order(customer=customer, product=product, capture=django_capture_on_commit_callbacks)
    before = Notification.objects.count()
    with pytest.raises(Exception), django_capture_on_commit_callbacks(execute=True):  # noqa: B017
        order_set_status(order=order, status="delivered")  # pending -> delivered is not allowed
    assert Notification.objects.count() == before
    assert len(sms_api.messages_to(PHONE)) == 1


@pytest.mark.parametrize(
    ("approved", "reason", "subject_word"),
    [(True, "", "approved"), (False, "Blurry ID scan", "not approved")],
)
def test_the_merchant_is_emailed_the_kyc_decision(
    approved, reason, subject_word, django_capture_on_commit_callbacks
):
    merchant = MerchantFactory(pending=True)
    with django_capture_on_commit_callbacks(execute=True):
        kyc_decided.send(
            sender=type(merchant), merchant=merchant, submission=None, approved=approved, reason=reason
        )
    (email,) = mail.outbox
    assert email.to == [merchant.user.email]
    assert subject_word in email.subject
    if reason:
        assert reason in email.body
        assert reason in email.alternatives[0][0]


def test_the_otp_email_carries_the_code_but_admins_never_see_it(
    customer, admin_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        otp_issued.send(sender=type(customer), user=customer, code="483920")
    (email,) = mail.outbox
    assert "483920" in email.body
    row = Notification.objects.get(template="otp")
    assert row.status == NotificationStatus.SENT
    assert "483920" not in str(row.context)  # scrubbed once sent
    listing = admin_client.get("/api/v1/admin/notifications/")
    assert "483920" not in listing.content.decode()
    assert listing.json()["results"][0]["context"]["code"] == "******"


def test_an_otp_waiting_for_a_retry_is_masked_in_the_listing(customer, admin_client, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 9  # nothing listens: a transient failure
    otp_issued.send(sender=type(customer), user=customer, code="111222")
    notifications_deliver(notification_ids=list(Notification.objects.values_list("pk", flat=True)))
    row = Notification.objects.get()
    assert row.status == NotificationStatus.PENDING and row.attempts == 1
    body = admin_client.get("/api/v1/admin/notifications/?status=pending").content.decode()
    assert "111222" not in body


def test_a_provider_error_is_retried_later_with_backoff(customer, product, sms_api, settings):
    settings.NOTIFICATIONS_RETRY_BASE_SECONDS = 60
    sms_api.fail_rate = 1.0
    order_place(
        customer=customer,
        items=[{"product": product, "quantity": 1}],
        phone_number=PHONE,
        shipping_address="x",
    )
    sms = Notification.objects.get(channel="sms")
    before = timezone.now()
    notifications_deliver(notification_ids=[sms.pk])
    sms.refresh_from_db()
    assert sms.status == NotificationStatus.PENDING
    assert sms.attempts == 1
    assert "AfricasTalkingException" in sms.last_error
    assert before + timedelta(seconds=29) < sms.next_attempt_at < before + timedelta(seconds=61)
    # Not due yet: a second task for it does nothing.
    assert notifications_deliver(notification_ids=[sms.pk]) == 0

    sms_api.fail_rate = 0.0
    Notification.objects.filter(pk=sms.pk).update(next_attempt_at=timezone.now())
    notifications_deliver(notification_ids=[sms.pk])
    sms.refresh_from_db()
    assert sms.status == NotificationStatus.SENT
    assert sms.attempts == 2
    assert len(sms_api.messages_to(PHONE)) == 1


def test_after_the_last_attempt_the_notification_is_failed(customer, product, sms_api, settings):
    settings.NOTIFICATIONS_MAX_ATTEMPTS = 3
    sms_api.fail_rate = 1.0
    order_place(
        customer=customer,
        items=[{"product": product, "quantity": 1}],
        phone_number=PHONE,
        shipping_address="x",
    )
    sms = Notification.objects.get(channel="sms")
    for _ in range(3):
        Notification.objects.filter(pk=sms.pk).update(next_attempt_at=timezone.now())
        notifications_deliver(notification_ids=[sms.pk])
    sms.refresh_from_db()
    assert (sms.status, sms.attempts) == (NotificationStatus.FAILED, 3)
    assert sms_api.requests == 3


def test_an_invalid_number_fails_at_once_without_retry(customer, product, sms_api):
    sms_api.statuses["+254799999403"] = 403
    order_place(
        customer=customer,
        items=[{"product": product, "quantity": 1}],
        phone_number="+254799999403",
        shipping_address="x",
    )
    sms = Notification.objects.get(channel="sms")
    notifications_deliver(notification_ids=[sms.pk])
    sms.refresh_from_db()
    assert sms.status == NotificationStatus.FAILED
    assert sms.attempts == 1
    assert "403" in sms.last_error


def test_the_same_task_delivered_twice_sends_once(customer, product, sms_api):
    order_place(
        customer=customer,
        items=[{"product": product, "quantity": 1}],
        phone_number=PHONE,
        shipping_address="x",
    )
    sms = Notification.objects.get(channel="sms")
    assert notifications_deliver(notification_ids=[sms.pk]) == 1
    assert notifications_deliver(notification_ids=[sms.pk]) == 0
    assert len(sms_api.messages_to(PHONE)) == 1


def test_without_credentials_sms_are_printed_to_the_console(
    customer, product, settings, capsys, django_capture_on_commit_callbacks
):
    settings.AFRICASTALKING_USERNAME = ""
    settings.AFRICASTALKING_API_KEY = ""
    order = place_order(customer=customer, product=product, capture=django_capture_on_commit_callbacks)
    assert f"[SMS to {PHONE}]" in capsys.readouterr().out
    assert Notification.objects.get(order=order, channel="sms").status == NotificationStatus.SENT


def test_the_sweeper_republishes_forgotten_rows_and_marks_rows_stuck_mid_send_outcome_unknown(
    customer, product, sms_api, settings
):
    settings.NOTIFICATIONS_SWEEP_GRACE_SECONDS = 30
    settings.NOTIFICATIONS_SENDING_LEASE_SECONDS = 300
    order_place(
        customer=customer,
        items=[{"product": product, "quantity": 1}],
        phone_number=PHONE,
        shipping_address="x",
    )
    order_place(
        customer=customer,
        items=[{"product": product, "quantity": 1}],
        phone_number="+254711000111",
        shipping_address="x",
    )
    forgotten, stuck = Notification.objects.filter(channel="sms").order_by("recipient")
    long_ago = timezone.now() - timedelta(minutes=10)
    Notification.objects.filter(pk=forgotten.pk).update(next_attempt_at=long_ago)
    Notification.objects.filter(pk=stuck.pk).update(status="sending", claimed_at=long_ago, attempts=1)

    assert notifications_sweep() == {"stuck": 1, "requeued": 1}  # eager: the requeued one is sent right away

    forgotten.refresh_from_db()
    stuck.refresh_from_db()
    assert forgotten.status == NotificationStatus.SENT
    assert stuck.status == NotificationStatus.OUTCOME_UNKNOWN
    assert stuck.last_error.startswith("outcome_unknown")
    assert stuck.claimed_at == long_ago  # since when its fate is unknown
    assert sms_api.counts() == {forgotten.recipient: 1}


def test_a_provider_that_sends_but_answers_too_late_is_not_texted_twice(customer, product, sms_api, settings):
    """A read timeout means the request arrived and may have gone out: it is not resent automatically (the
    contract: never the same message twice); it is outcome_unknown, for an admin to judge."""
    settings.AFRICASTALKING_TIMEOUT_SECONDS = 0.5
    sms_api.hold = threading.Event()  # the stand-in delivers, then waits before answering
    place_order(customer=customer, product=product)
    sms = Notification.objects.get(channel="sms")
    try:
        notifications_deliver(notification_ids=[sms.pk])
    finally:
        sms_api.hold.set()

    sms.refresh_from_db()
    assert (sms.status, sms.attempts) == (NotificationStatus.OUTCOME_UNKNOWN, 1)
    assert sms.last_error.startswith("outcome_unknown")
    Notification.objects.filter(pk=sms.pk).update(next_attempt_at=timezone.now())
    assert notifications_deliver(notification_ids=[sms.pk]) == 0  # nothing claims an outcome_unknown row
    assert len(sms_api.messages_to(PHONE)) == 1
