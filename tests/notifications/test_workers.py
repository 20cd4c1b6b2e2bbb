"""Real Celery workers, real Redis, the Africa's Talking stand-in and an SMTP server on loopback.

The web side (this process) commits orders and publishes tasks on commit; separate worker processes
deliver them. Every fault ends with each message delivered exactly once. For database outages a worker reaches
the test database through a TCP proxy the test cuts and restores (the shared server is never touched).
"""

import threading
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.db.models import Count
from django.utils import timezone

from notifications.models import DeliveryStatus, Notification, NotificationStatus
from tests import services
from tests.conftest import bearer_client
from tests.factories import ProductFactory
from tests.notifications.orders import place_order_through_api
from tests.notifications.standins import SmsApi, SmtpServer, TcpProxy
from tests.notifications.workers import Worker, broker_flush, publishing_to, wait_until

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
]

ADMIN_EMAIL = "ops@ordertrail.test"


@pytest.fixture
def outbox_world(settings):
    """SMS and SMTP stand-ins, this process publishing to Redis, and a way to start workers."""
    settings.ADMIN_NOTIFICATION_EMAILS = [ADMIN_EMAIL]
    broker_flush()
    sms, smtp, workers = SmsApi(seed=20), SmtpServer(), []

    def start_worker(**kwargs):
        worker = Worker(sms_base_url=sms.base_url, smtp_url=smtp.url, **kwargs)
        workers.append(worker)
        return worker

    with publishing_to(services.redis_url()):
        yield sms, smtp, start_worker
    for worker in workers:
        worker.stop()
    sms.stop()
    smtp.stop()
    broker_flush()


def all_settled():
    return not Notification.objects.filter(
        status__in=[NotificationStatus.PENDING, NotificationStatus.SENDING]
    ).exists()


def test_placing_an_order_sends_one_sms_and_one_admin_email_then_a_status_change_sends_the_link(outbox_world):
    sms, smtp, start_worker = outbox_world
    start_worker()
    product = ProductFactory(stock=5)
    order = place_order_through_api(product=product, phone="+254712000001")

    wait_until(all_settled, message="order notifications")
    assert len(sms.messages_to("+254712000001")) == 1
    assert len(smtp.to(ADMIN_EMAIL)) == 1
    admin_email = smtp.to(ADMIN_EMAIL)[0]
    assert order.order_number in admin_email["Subject"]
    assert {part.get_content_type() for part in admin_email.walk()} >= {"text/plain", "text/html"}

    response = bearer_client(product.merchant.user).post(
        f"/api/v1/orders/{order.pk}/status/", {"status": "confirmed"}, format="json"
    )
    assert response.status_code == 200
    wait_until(lambda: all_settled() and len(sms.messages_to("+254712000001")) == 2, message="status SMS")
    texts = sms.messages_to("+254712000001")
    assert len(texts) == 2
    assert f"/track/{order.tracking_code}/" in texts[1]
    assert len(smtp.to(order.email)) == 1  # the customer's email copy of the status change
    assert Notification.objects.filter(status=NotificationStatus.SENT).count() == 5  # + the merchant's copy


@pytest.mark.parametrize(
    "pool, concurrency",
    [("prefork", 2), ("threads", 8)],  # threads: as `make worker`, compose and k8s run it
)
def test_with_a_flaky_sms_provider_every_message_is_sent_once(outbox_world, pool, concurrency):
    sms, smtp, start_worker = outbox_world
    sms.fail_rate = 0.2
    start_worker(pool=pool, concurrency=concurrency)
    product = ProductFactory(stock=100)
    phones = [f"+2547130{i:05d}" for i in range(40)]
    for phone in phones:
        place_order_through_api(product=product, phone=phone)

    wait_until(all_settled, timeout=120, message="all SMS settled")
    assert sms.failures > 0  # the fault really happened
    assert Notification.objects.filter(channel="sms").exclude(status=NotificationStatus.SENT).count() == 0
    assert sms.counts() == {phone: 1 for phone in phones}
    retried = Notification.objects.filter(channel="sms", attempts__gt=1).count()
    assert retried > 0


def test_while_the_sms_provider_is_down_rows_wait_and_go_out_when_it_returns(outbox_world):
    sms, smtp, start_worker = outbox_world
    sms.stop()
    start_worker()
    product = ProductFactory(stock=10)
    phones = [f"+2547140{i:05d}" for i in range(5)]
    for phone in phones:
        place_order_through_api(product=product, phone=phone)

    wait_until(
        lambda: (
            Notification.objects.filter(
                channel="sms", attempts__gte=2, status=NotificationStatus.PENDING
            ).count()
            == len(phones)
        ),
        message="failed attempts while down",
    )
    assert Notification.objects.filter(channel="sms", last_error__contains="ConnectionError").exists()
    sms.start()

    wait_until(all_settled, message="SMS sent after recovery")
    assert sms.counts() == {phone: 1 for phone in phones}
    assert set(Notification.objects.values_list("status", flat=True)) == {NotificationStatus.SENT}


def test_an_order_placed_while_the_broker_is_unreachable_is_saved_and_notified_once_it_is_back(outbox_world):
    sms, smtp, start_worker = outbox_world
    product = ProductFactory(stock=5)
    with publishing_to("redis://127.0.0.1:1/6"):  # nothing listens there: the broker is down for the web side
        order = place_order_through_api(product=product, phone="+254715000001")
    assert order.pk is not None
    # The SMS, the admin email and the merchant's copy.
    assert Notification.objects.filter(order=order, status=NotificationStatus.PENDING).count() == 3
    assert sms.counts() == {}

    start_worker(beat=True)  # the sweeper finds the rows nobody was told about
    wait_until(all_settled, message="sweeper publishing the forgotten rows")
    assert sms.counts() == {"+254715000001": 1}
    assert len(smtp.to(ADMIN_EMAIL)) == 1


def test_a_worker_killed_during_a_send_does_not_send_twice(outbox_world):
    sms, smtp, start_worker = outbox_world
    sms.hold = threading.Event()
    worker = start_worker(beat=False)
    product = ProductFactory(stock=5)
    place_order_through_api(product=product, phone="+254716000001")

    assert sms.held.wait(60), "the SMS request never reached the provider"
    wait_until(
        lambda: len(smtp.to(ADMIN_EMAIL)) == 1, message="the admin email, sent by the other pool process"
    )
    wait_until(
        lambda: Notification.objects.filter(channel="email", status="sent").exists(), message="email recorded"
    )
    worker.kill()  # the provider has the message; the worker never hears back
    sms.hold.set()
    sms.hold = None

    start_worker(beat=True)  # redelivery and the sweeper both see the row is claimed: no second send
    wait_until(all_settled, message="the in-flight row to be resolved")
    assert sms.counts() == {"+254716000001": 1}
    row = Notification.objects.get(channel="sms")
    assert row.status == NotificationStatus.OUTCOME_UNKNOWN
    assert row.last_error.startswith("outcome_unknown")
    assert len(smtp.to(ADMIN_EMAIL)) == 1
    assert Notification.objects.values("recipient").annotate(n=Count("pk")).filter(n__gt=1).count() == 0


def test_a_published_task_shows_which_rows_it_delivers(outbox_world):
    """Monitoring (flower, `celery inspect`) shows a task's argsrepr: it names the outbox row(s)."""
    import json

    import redis

    product = ProductFactory(stock=5)
    order = place_order_through_api(product=product, phone="+254719000001")
    sms_row = Notification.objects.get(order=order, channel="sms")
    client = redis.Redis.from_url(services.redis_url())
    messages = [json.loads(raw) for raw in client.lrange("sms", 0, -1)]

    assert [message["headers"]["task"] for message in messages] == ["notifications.send_sms"]
    assert messages[0]["headers"]["argsrepr"] == repr([str(sms_row.pk)])
    assert messages[0]["headers"]["kwargsrepr"] == "{}"


@pytest.fixture
def database_behind_proxy(tmp_path):
    """A proxy in front of the test database, and the worker settings that reach it (and keep a journal)."""
    db = connection.settings_dict
    proxy = TcpProxy(db["HOST"] or "127.0.0.1", int(db["PORT"] or 5432))
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    env = {
        "DATABASE_URL": f"postgres://{db['USER']}{password}@127.0.0.1:{proxy.port}/{db['NAME']}",
        "NOTIFICATIONS_JOURNAL_DIR": str(tmp_path / "journal"),
    }
    yield proxy, env
    proxy.stop()


def cut_the_database_during_the_send(*, sms: SmsApi, proxy: TcpProxy, phone: str) -> Notification:
    """Place an order whose only message is its SMS (no admins, the merchant takes no copy); once the SMS is
    in flight, cut the database, then let the provider answer."""
    sms.hold = threading.Event()
    product = ProductFactory(stock=5, merchant__new_order_emails=False)
    order = place_order_through_api(product=product, phone=phone)
    assert sms.held.wait(60), "the SMS request never reached the provider"
    row = Notification.objects.get(order=order, channel="sms")
    assert row.status == NotificationStatus.SENDING
    proxy.cut()
    sms.hold.set()  # the provider accepts it; the worker's write finds the database gone
    return row


def worker_said(worker: Worker, text: str) -> bool:
    return any(text in line for line in worker.output)


def test_an_sms_accepted_while_the_database_was_away_is_recorded_sent_once_it_is_back(
    outbox_world, database_behind_proxy, settings
):
    sms, smtp, start_worker = outbox_world
    proxy, env = database_behind_proxy
    settings.ADMIN_NOTIFICATION_EMAILS = []  # no admins here: the order writes its SMS only
    worker = start_worker(beat=False, extra_env={**env, "NOTIFICATIONS_SENDING_LEASE_SECONDS": "300"})
    row = cut_the_database_during_the_send(sms=sms, proxy=proxy, phone="+254717000001")

    wait_until(lambda: worker_said(worker, "Database unavailable while recording"), message="a refused write")
    proxy.restore()

    wait_until(lambda: Notification.objects.get(pk=row.pk).status == NotificationStatus.SENT, message="sent")
    row.refresh_from_db()
    assert row.provider_message_id == sms.message_ids_to("+254717000001")[0]
    assert (row.attempts, row.last_error, row.claimed_at) == (1, "", None)
    assert sms.counts() == {"+254717000001": 1}
    assert not list(Path(env["NOTIFICATIONS_JOURNAL_DIR"]).glob("*.json"))


def test_past_the_lease_the_row_says_the_provider_accepted_it_and_its_delivery_report_resolves_it(
    outbox_world, database_behind_proxy, settings, api_client
):
    sms, smtp, start_worker = outbox_world
    proxy, env = database_behind_proxy
    settings.ADMIN_NOTIFICATION_EMAILS = []
    journal = Path(env["NOTIFICATIONS_JOURNAL_DIR"])
    worker = start_worker(
        beat=True,
        extra_env={
            **env,
            "NOTIFICATIONS_RECORD_RETRY_SECONDS": "1",
            "NOTIFICATIONS_SENDING_LEASE_SECONDS": "4",
        },
    )
    row = cut_the_database_during_the_send(sms=sms, proxy=proxy, phone="+254717000002")

    wait_until(lambda: worker_said(worker, "kept in the local journal"), message="the worker to give up")
    assert len(list(journal.glob("*.json"))) == 1
    wait_until(lambda: timezone.now() > row.claimed_at + timedelta(seconds=4.5), message="the lease to end")
    proxy.restore()

    wait_until(
        lambda: "provider accepted" in Notification.objects.get(pk=row.pk).last_error,
        message="the journaled answer to be written",
    )
    row.refresh_from_db()
    message_id = sms.message_ids_to("+254717000002")[0]
    assert row.status == NotificationStatus.OUTCOME_UNKNOWN
    assert row.provider_message_id == message_id
    assert f"provider accepted (id {message_id}), outcome not recorded" in row.last_error
    wait_until(lambda: not list(journal.glob("*.json")), message="the journal to be emptied")

    settings.AFRICASTALKING_CALLBACK_TOKEN = "cb-token"
    api_client.post(
        "/api/v1/notifications/delivery-reports/africastalking/cb-token/",
        urlencode({"id": message_id, "status": "Success", "phoneNumber": "+254717000002"}),
        content_type="application/x-www-form-urlencoded",
    )
    row.refresh_from_db()
    assert (row.status, row.delivery_status) == (NotificationStatus.SENT, DeliveryStatus.DELIVERED)
    assert sms.counts() == {"+254717000002": 1}
