"""A 2xx from Africa's Talking is an acceptance, whatever its Content-Type says; a 2xx nobody can read is
`outcome_unknown`, never sent again by the workers. Only answers that prove nothing was sent are retried."""

from datetime import timedelta

import pytest
from django.utils import timezone

from notifications.models import Notification, NotificationStatus
from notifications.tasks import notifications_deliver, notifications_sweep
from tests.notifications.orders import PHONE, place_order

pytestmark = pytest.mark.django_db


def queue_order_sms(*, customer, product) -> Notification:
    place_order(customer=customer, product=product)
    return Notification.objects.get(channel="sms")


def try_again_later(sms: Notification):
    """Every way the outbox could pick the row up again: another task for it, and a sweep long after."""
    notifications_deliver(notification_ids=[sms.pk])
    Notification.objects.filter(pk=sms.pk).update(next_attempt_at=timezone.now() - timedelta(hours=1))
    notifications_sweep()
    notifications_deliver(notification_ids=[sms.pk])


@pytest.mark.parametrize("content_type", ["application/json; charset=utf-8", "text/plain"])
def test_a_json_answer_under_another_content_type_is_sent_exactly_once(
    customer, product, sms_api, content_type
):
    sms_api.answer_content_type = content_type
    sms = queue_order_sms(customer=customer, product=product)

    notifications_deliver(notification_ids=[sms.pk])
    try_again_later(sms)

    sms.refresh_from_db()
    assert sms.status == NotificationStatus.SENT
    assert (sms.attempts, sms.last_error) == (1, "")
    assert sms.provider_message_id == sms_api.message_ids_to(PHONE)[0]
    assert sms.provider_cost == "KES 0.8000"
    assert sms_api.counts() == {PHONE: 1}


@pytest.mark.parametrize("content_type", ["application/json", "text/plain"])
def test_an_empty_2xx_is_outcome_unknown_and_never_sent_again(
    customer, product, sms_api, admin_client, content_type
):
    sms_api.answer_empty = True
    sms_api.answer_content_type = content_type
    sms = queue_order_sms(customer=customer, product=product)

    notifications_deliver(notification_ids=[sms.pk])
    try_again_later(sms)

    sms.refresh_from_db()
    assert (sms.status, sms.attempts) == (NotificationStatus.OUTCOME_UNKNOWN, 1)
    assert sms.last_error.startswith("outcome_unknown")
    assert "not JSON" in sms.last_error
    assert sms_api.counts() == {PHONE: 1}
    listed = admin_client.get("/api/v1/admin/notifications/?status=outcome_unknown").json()
    assert [row["id"] for row in listed["results"]] == [str(sms.pk)]


def test_a_provider_error_proves_nothing_was_sent_and_is_retried(customer, product, sms_api):
    sms_api.fail_rate = 1.0  # 500 before anything is delivered
    sms = queue_order_sms(customer=customer, product=product)
    notifications_deliver(notification_ids=[sms.pk])
    sms.refresh_from_db()
    assert sms.status == NotificationStatus.PENDING

    sms_api.fail_rate = 0.0
    Notification.objects.filter(pk=sms.pk).update(next_attempt_at=timezone.now())
    notifications_deliver(notification_ids=[sms.pk])
    sms.refresh_from_db()
    assert (sms.status, sms.attempts) == (NotificationStatus.SENT, 2)
    assert sms_api.counts() == {PHONE: 1}
