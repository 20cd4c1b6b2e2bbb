"""The stream server as deployed (`uvicorn config.asgi:application`, production settings, PostgreSQL and
Redis): a change committed by another process reaches its streams; unknown codes, foreign hosts and
reconnects are answered as by Django; the rest of the app is served too."""

import pytest
import requests

from orders.services import order_set_status
from tests.factories import placed_order
from tests.tracking.servers import Uvicorn, plain_http_env
from tests.tracking.sse import EventStream

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.django_db(transaction=True),
    pytest.mark.timeout(300),
]


@pytest.fixture(scope="module")
def stream_server():
    # Keep-alive comments every second, so a quiet stream shows itself quickly.
    with Uvicorn(env=plain_http_env(TRACKING_STREAM_HEARTBEAT_SECONDS="1")) as server:
        yield server.base


def test_a_change_committed_in_another_process_reaches_the_stream(stream_server, customer):
    order = placed_order(customer=customer)
    with EventStream(f"{stream_server}/api/v1/track/{order.tracking_code}/stream/") as stream:
        assert stream.status == 200
        assert stream.response.getheader("Content-Type") == "text/event-stream; charset=utf-8"
        assert stream.response.getheader("X-Accel-Buffering") == "no"
        assert stream.next_block() == {"retry": "3000"}
        first_id, first = stream.next_update()
        assert (
            first == requests.get(f"{stream_server}/api/v1/track/{order.tracking_code}/", timeout=10).json()
        )

        order_set_status(
            order=order, status="confirmed", location="Thika Road"
        )  # this process, not the server's

        next_id, update = stream.next_update()
    assert next_id != first_id
    assert update["status"] == "confirmed"
    assert update["events"][-1]["location"] == "Thika Road"


def test_a_reconnect_with_the_current_version_gets_only_keep_alives(stream_server, customer):
    order = placed_order(customer=customer)
    url = f"{stream_server}/api/v1/track/{order.tracking_code.lower()}/stream/"
    with EventStream(url) as stream:
        version, _ = stream.next_update()
    with EventStream(url, headers={"Last-Event-ID": version}) as stream:
        assert stream.next_block() == {"retry": "3000"}
        assert stream.next_block() == {"comment": "keep-alive"}


def test_unknown_codes_and_foreign_hosts_are_refused_like_the_rest_of_the_api(stream_server):
    unknown = requests.get(f"{stream_server}/api/v1/track/NOSUCHCODE99/stream/", timeout=20)
    assert unknown.status_code == 404
    assert unknown.json()["code"] == "not_found"
    foreign = requests.get(
        f"{stream_server}/api/v1/track/NOSUCHCODE99/stream/", headers={"Host": "evil.example"}, timeout=20
    )
    assert foreign.status_code == 400


def test_the_stream_server_serves_the_page_and_the_api_too(stream_server, customer):
    order = placed_order(customer=customer)
    page = requests.get(f"{stream_server}/track/{order.tracking_code}/", timeout=20)
    assert page.status_code == 200 and order.order_number in page.text
    assert requests.get(f"{stream_server}/healthz/", timeout=20).json() == {"status": "ok"}
    assert (
        requests.post(f"{stream_server}/api/v1/track/{order.tracking_code}/stream/", timeout=20).status_code
        == 405
    )
