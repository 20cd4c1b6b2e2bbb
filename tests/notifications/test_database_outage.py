"""Never lost: an SMS the provider accepted while PostgreSQL was away is recorded once the database is back.

A real worker reaches the test database through a TCP proxy this test cuts and restores (the shared server is
never touched); the Africa's Talking stand-in holds its answer until the proxy is cut, so the database goes
away exactly between the provider's answer and the write.
"""

import threading
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.utils import timezone

from notifications.models import DeliveryStatus, Notification, NotificationStatus
from orders.models import Order
from tests import services
from tests.conftest import bearer_client
from tests.factories import CustomerFactory, ProductFactory
from tests.notifications.standins import SmsApi, SmtpServer, TcpProxy
from tests.notifications.workers import Worker, broker_flush, publishing_to, wait_until

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
]

PHONE = "+254717000001"


@pytest.fixture
def world(settings, tmp_path):
    """The stand-ins, a proxy in front of the test database, and a way to start a worker behind it."""
    settings.ADMIN_NOTIFICATION_EMAILS = []  # no admins in this database: the order writes one SMS only
    broker_flush()
    db = connection.settings_dict
    proxy = TcpProxy(db["HOST"] or "127.0.0.1", int(db["PORT"] or 5432))
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    via_proxy = f"postgres://{db['USER']}{password}@127.0.0.1:{proxy.port}/{db['NAME']}"
    sms, smtp, workers = SmsApi(seed=21), SmtpServer(), []
    journal = tmp_path / "journal"

    def start_worker(*, beat: bool, **env):
        worker = Worker(
            sms_base_url=sms.base_url,
            smtp_url=smtp.url,
            beat=beat,
            extra_env={"DATABASE_URL": via_proxy, "NOTIFICATIONS_JOURNAL_DIR": str(journal), **env},
        )
        workers.append(worker)
        return worker

    with publishing_to(services.redis_url()):
        yield sms, proxy, journal, start_worker
    for worker in workers:
        worker.stop()
    proxy.stop()
    sms.stop()
    smtp.stop()
    broker_flush()


def place_and_cut_the_database_during_the_send(*, sms: SmsApi, proxy: TcpProxy) -> Notification:
    """Place an order; once its SMS is in flight, cut the database, then let the provider answer."""
    sms.hold = threading.Event()
    response = bearer_client(CustomerFactory()).post(
        "/api/v1/orders/",
        {
            "items": [{"product": str(ProductFactory(stock=5).pk), "quantity": 1}],
            "phone_number": PHONE,
            "shipping_address": "Kenyatta Avenue 5",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    assert sms.held.wait(60), "the SMS request never reached the provider"
    row = Notification.objects.get(order=Order.objects.get(pk=response.json()["id"]), channel="sms")
    assert row.status == NotificationStatus.SENDING
    proxy.cut()
    sms.hold.set()  # the provider accepts it; the worker's write finds the database gone
    return row


def worker_said(worker: Worker, text: str) -> bool:
    return any(text in line for line in worker.output)


def test_the_worker_keeps_the_answer_and_records_it_sent_once_the_database_is_back(world):
    sms, proxy, journal, start_worker = world
    worker = start_worker(beat=False, NOTIFICATIONS_SENDING_LEASE_SECONDS="300")
    row = place_and_cut_the_database_during_the_send(sms=sms, proxy=proxy)

    wait_until(lambda: worker_said(worker, "Database unavailable while recording"), message="a refused write")
    proxy.restore()

    wait_until(lambda: Notification.objects.get(pk=row.pk).status == NotificationStatus.SENT, message="sent")
    row.refresh_from_db()
    assert row.provider_message_id == sms.message_ids_to(PHONE)[0]
    assert (row.attempts, row.last_error, row.claimed_at) == (1, "", None)
    assert sms.counts() == {PHONE: 1}
    assert not list(Path(journal).glob("*.json"))


def test_past_the_lease_the_row_says_the_provider_accepted_it_and_a_delivery_report_resolves_it(
    world, api_client, settings
):
    sms, proxy, journal, start_worker = world
    worker = start_worker(
        beat=True, NOTIFICATIONS_RECORD_RETRY_SECONDS="1", NOTIFICATIONS_SENDING_LEASE_SECONDS="4"
    )
    row = place_and_cut_the_database_during_the_send(sms=sms, proxy=proxy)

    wait_until(lambda: worker_said(worker, "kept in the local journal"), message="the worker to give up")
    assert len(list(Path(journal).glob("*.json"))) == 1
    wait_until(lambda: timezone.now() > row.claimed_at + timedelta(seconds=4.5), message="the lease")
    proxy.restore()

    wait_until(
        lambda: "provider accepted" in Notification.objects.get(pk=row.pk).last_error,
        message="the journaled answer to be written",
    )
    row.refresh_from_db()
    message_id = sms.message_ids_to(PHONE)[0]
    assert row.status == NotificationStatus.OUTCOME_UNKNOWN
    assert row.provider_message_id == message_id
    assert f"provider accepted (id {message_id}), outcome not recorded" in row.last_error
    wait_until(lambda: not list(Path(journal).glob("*.json")), message="the journal to be emptied")

    settings.AFRICASTALKING_CALLBACK_TOKEN = "cb-token"
    api_client.post(
        "/api/v1/notifications/delivery-reports/africastalking/cb-token/",
        urlencode({"id": message_id, "status": "Success", "phoneNumber": PHONE}),
        content_type="application/x-www-form-urlencoded",
    )
    row.refresh_from_db()
    assert (row.status, row.delivery_status) == (NotificationStatus.SENT, DeliveryStatus.DELIVERED)
    assert sms.counts() == {PHONE: 1}
