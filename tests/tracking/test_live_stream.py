"""`GET /api/v1/track/{code}/stream/`: an `update` event with the tracking JSON at once and after every
committed change; one read per change however many watch; in one process without Redis, and across processes
through Redis."""

import asyncio
import json
import threading

import pytest
from django.db import connection, transaction

from orders.services import order_set_status
from tests.factories import order_moved_to, placed_order
from tests.tracking.sse import EventStream
from tracking import receivers
from tracking.live import Watcher, hub
from tracking.stream import TrackingStreamRouter

PERSONAL = ("+254712000111", "254712000111", "Moi Avenue", "@example.com")


def stream_body(client, code: str, **headers) -> str:
    response = client.get(f"/api/v1/track/{code}/stream/", **headers)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/event-stream; charset=utf-8"
    assert response["Cache-Control"] == "no-cache, no-transform"
    return b"".join(response.streaming_content).decode()


@pytest.mark.django_db
def test_the_stream_starts_with_the_tracking_json(client, customer):
    order = order_moved_to(placed_order(customer=customer), "confirmed")
    body = stream_body(client, order.tracking_code)

    api = client.get(f"/api/v1/track/{order.tracking_code}/").content.decode()
    blocks = body.split("\n\n")
    # A WSGI server that is not Django's own answers once and has the browser ask again: a poll.
    assert blocks[0] == "retry: 15000"
    lines = blocks[1].split("\n")
    assert lines[0].startswith("id: ") and lines[1] == "event: update"
    assert lines[2] == f"data: {api}"
    assert not any(value in body for value in PERSONAL)


@pytest.mark.django_db
def test_the_pages_own_stream_also_carries_the_pages_content(client, customer):
    order = order_moved_to(placed_order(customer=customer), "confirmed")
    body = stream_body(client, f"{order.tracking_code}", QUERY_STRING="include=page")
    page = client.get(f"/track/{order.tracking_code}/").content.decode()

    update, content = body.split("\n\n")[1:3]
    version = update.split("\n")[0]
    lines = content.split("\n")
    assert lines[0] == version and lines[1] == "event: page"
    html = "\n".join(line.removeprefix("data: ") for line in lines[2:])
    assert html.strip() in page  # the page's own live part, as the page renders it
    assert '<div id="tracking"' in html and 'data-status="confirmed"' in html


@pytest.mark.django_db
def test_a_reconnecting_browser_is_not_told_again_what_it_has(client, customer):
    order = placed_order(customer=customer)
    version = stream_body(client, order.tracking_code).split("\n")[2].removeprefix("id: ")
    assert "event: update" not in stream_body(client, order.tracking_code, HTTP_LAST_EVENT_ID=version)


@pytest.mark.django_db
def test_an_unknown_code_is_a_json_404(client):
    response = client.get("/api/v1/track/NOSUCHCODE99/stream/", HTTP_ACCEPT="text/event-stream")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


@pytest.mark.django_db
def test_only_committed_changes_are_announced(customer, monkeypatch, django_capture_on_commit_callbacks):
    announced = []
    monkeypatch.setattr(receivers, "tracking_changed", lambda *, code: announced.append(code))
    order = placed_order(customer=customer)

    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        order_set_status(order=order, status="confirmed")
        raise RuntimeError("rolled back")
    assert announced == []

    with django_capture_on_commit_callbacks(execute=True):
        order_set_status(order=order, status="confirmed")
        assert announced == []  # not before the commit
    assert set(announced) == {order.tracking_code}


@pytest.mark.django_db(transaction=True)
def test_many_watchers_of_one_order_share_one_read_per_change(customer):
    order = placed_order(customer=customer)
    watchers = [Watcher(order.tracking_code.lower()) for _ in range(50)]
    for watcher in watchers:
        hub().watch(watcher)
    try:
        first = [watcher.wait(10) for watcher in watchers]
        assert tracking_json(first[0])["status"] == "pending"
        assert all(snapshot is first[0] for snapshot in first)  # one read, handed to all

        order_set_status(order=order, status="confirmed")  # commits: announced to every process

        after = [snapshot_showing(watcher, "confirmed") for watcher in watchers]
        assert all(snapshot is after[0] for snapshot in after)  # one read of the change, handed to all
    finally:
        for watcher in watchers:
            hub().unwatch(watcher)


def tracking_json(update) -> dict:
    return json.loads(update.update.decode().split("\ndata: ", 1)[1])


def snapshot_showing(watcher: Watcher, status: str):
    """The first snapshot in `status`. A read still in flight when the change commits (the placement's own
    announcement can arrive late through Redis) may be handed out first: the order row and its events are
    two reads, so it can hold the row from before the commit and the events from after. The test waits for
    the change itself."""
    for _ in range(20):
        item = watcher.wait(10)
        assert item is not None, "no update within 10 s"
        if tracking_json(item)["status"] == status:
            return item
    raise AssertionError(f"never {status}")


@pytest.mark.django_db(transaction=True)
def test_the_development_server_holds_the_stream_and_pushes_each_change(live_server, customer):
    """`make run`: Django's threaded server, no broker needed (in-process fan-out; Redis when configured)."""
    order = placed_order(customer=customer)
    with EventStream(f"{live_server.url}/api/v1/track/{order.tracking_code}/stream/") as stream:
        assert stream.status == 200
        assert stream.next_block() == {"retry": "3000"}
        first_id, first = stream.next_update()
        assert first["status"] == "pending"

        order_set_status(order=order, status="confirmed", location="Nairobi")

        next_id, update = stream.next_update()
        assert next_id != first_id
        assert update["status"] == "confirmed"
        assert update["events"][-1]["location"] == "Nairobi"


def cancel_elsewhere(order) -> None:
    try:
        order_set_status(order=order, status="cancelled")
    finally:
        connection.close()


@pytest.mark.django_db(transaction=True)
def test_a_change_in_another_thread_reaches_a_held_stream(live_server, customer):
    order = placed_order(customer=customer)
    with EventStream(f"{live_server.url}/api/v1/track/{order.tracking_code}/stream/") as stream:
        stream.next_update()
        worker = threading.Thread(target=cancel_elsewhere, args=(order,))
        worker.start()
        worker.join()
        _, update = stream.next_update()
    assert update["status"] == "cancelled"
    assert update["events"][-1]["note"] == "Cancelled by the platform."


def test_a_full_stream_server_sends_newcomers_elsewhere(settings):
    """The ASGI path, called as uvicorn calls it: at TRACKING_STREAM_MAX_PER_PROCESS, a 503 to retry."""
    settings.TRACKING_STREAM_MAX_PER_PROCESS = hub().watching()
    sent = []

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        sent.append(message)

    scope = {
        "type": "http",
        "method": "GET",
        "path": "/api/v1/track/ANYCODE12345/stream/",
        "query_string": b"",
        "headers": [(b"host", b"testserver")],
        "scheme": "http",
        "server": ("testserver", 80),
        "client": ("127.0.0.1", 50000),
        "root_path": "",
    }
    asyncio.run(TrackingStreamRouter(application_never_reached)(scope, receive, send))

    assert sent[0]["status"] == 503
    assert (b"retry-after", b"5") in sent[0]["headers"]
    assert json.loads(sent[1]["body"])["code"] == "service_unavailable"


async def application_never_reached(scope, receive, send):
    raise AssertionError("the stream path is answered before Django")
