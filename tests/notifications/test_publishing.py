"""Publishing an outbox task never fails a request and never holds it long: a broker that is down or hung
costs one short attempt (no retry loop in the request path), the order is answered, and the sweeper sends
its messages later."""

import socket
import threading
import time
from datetime import timedelta

import kombu.transport.redis  # noqa: F401  (imported once per process in production too; not measured here)
import pytest
from django.utils import timezone

from notifications.models import Notification, NotificationStatus
from notifications.tasks import notifications_sweep
from tests.conftest import bearer_client
from tests.notifications.orders import place_order_through_api
from tests.notifications.standins import free_port
from tests.notifications.workers import publishing_to

pytestmark = pytest.mark.django_db

PHONE = "+254715000001"


class HungBroker:
    """A TCP server that accepts connections and never answers, counting them."""

    def __init__(self):
        self.server = socket.create_server(("127.0.0.1", 0))
        self.connections: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.server.getsockname()[1]}/0"

    def _accept(self):
        while True:
            try:
                conn, _ = self.server.accept()
            except OSError:
                return
            self.connections.append(conn)

    def close(self):
        self.server.close()
        for conn in self.connections:
            conn.close()


def timed_order(*, customer, product, capture):
    """An order through the API; its on-commit publishes run inside the timed block, as in a request."""
    started = time.monotonic()
    with capture(execute=True):
        order = place_order_through_api(customer=customer, product=product, phone=PHONE)
    return order, time.monotonic() - started


def test_with_the_broker_port_closed_an_order_is_answered_at_once_and_its_sms_goes_out_with_the_sweeper(
    customer, product, sms_api, settings, django_capture_on_commit_callbacks
):
    settings.ADMIN_NOTIFICATION_EMAILS = ["ops@ordertrail.test"]
    with publishing_to(f"redis://127.0.0.1:{free_port()}/0"):  # nothing listens there
        order, elapsed = timed_order(
            customer=customer, product=product, capture=django_capture_on_commit_callbacks
        )
        assert elapsed < 1.0  # the bound the issue sets; Celery's own reconnect loop held it ~6 s per publish
        order_id = order.pk
        with django_capture_on_commit_callbacks(
            execute=True
        ):  # a later change of the same order, same outage
            changed = bearer_client(product.merchant.user).post(
                f"/api/v1/orders/{order_id}/status/", {"status": "confirmed"}, format="json"
            )
        assert changed.status_code == 200
    rows = Notification.objects.filter(order_id=order_id)
    assert set(rows.values_list("status", flat=True)) == {NotificationStatus.PENDING}
    assert sms_api.counts() == {}

    # The broker is back (here: eager); the sweeper finds the rows nobody was told about.
    rows.update(
        next_attempt_at=timezone.now() - timedelta(seconds=settings.NOTIFICATIONS_SWEEP_GRACE_SECONDS + 1)
    )
    notifications_sweep()
    assert set(rows.values_list("status", flat=True)) == {NotificationStatus.SENT}
    assert sms_api.counts() == {PHONE: 2}  # placed, then confirmed: each once


def test_a_hung_broker_is_tried_once_per_request_not_in_a_loop(
    customer, product, settings, django_capture_on_commit_callbacks
):
    # three publishes: the customer's SMS, the operators' email and the merchant's copy of an API order
    settings.ADMIN_NOTIFICATION_EMAILS = ["ops@ordertrail.test"]
    broker = HungBroker()
    try:
        with publishing_to(broker.url):
            order, elapsed = timed_order(
                customer=customer, product=product, capture=django_capture_on_commit_callbacks
            )
    finally:
        broker.close()
    assert len(broker.connections) == 1  # one attempt, timed out; the other publishes are left to the sweeper
    assert elapsed < 1.0
    order_rows = Notification.objects.filter(order=order)
    assert order_rows.count() == 3
    assert set(order_rows.values_list("status", flat=True)) == {NotificationStatus.PENDING}
