"""An operator following one request through the logs: every response carries an X-Request-ID (the caller's
own when it sent a sane one) and every log line written while handling it carries the same id as JSON."""

import io
import json
import logging

import pytest
from pythonjsonlogger.json import JsonFormatter

from core.request_id import RequestIdLogFilter, request_id_get

pytestmark = pytest.mark.django_db


@pytest.fixture
def request_ids(settings):
    settings.MIDDLEWARE = ["core.request_id.RequestIdMiddleware", *settings.MIDDLEWARE]


@pytest.fixture
def json_log():
    """The production log handler (JSON formatter + request id filter) on django.request, into a buffer."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter(["levelname", "name", "message", "request_id"]))
    handler.addFilter(RequestIdLogFilter())
    logger = logging.getLogger("django.request")
    logger.addHandler(handler)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    logger.removeHandler(handler)


def test_the_callers_request_id_is_echoed_and_logged(client, request_ids, json_log):
    response = client.get("/api/v1/no-such-thing/", HTTP_X_REQUEST_ID="lb-7f3a.42")

    assert response.status_code == 404
    assert response["X-Request-ID"] == "lb-7f3a.42"
    [line] = json_log()
    assert line["request_id"] == "lb-7f3a.42"
    assert line["levelname"] == "WARNING"
    assert "/api/v1/no-such-thing/" in line["message"]


def test_a_request_without_an_id_gets_a_fresh_one_per_request(client, request_ids, json_log):
    first = client.get("/api/v1/no-such-thing/")
    second = client.get("/api/v1/no-such-thing/")

    assert len(first["X-Request-ID"]) == 32
    assert first["X-Request-ID"] != second["X-Request-ID"]
    assert [line["request_id"] for line in json_log()] == [first["X-Request-ID"], second["X-Request-ID"]]


@pytest.mark.parametrize(
    "hostile",
    ["a" * 129, "abc\r\nX-Injected: 1", "id with spaces", "<script>"],
    ids=["long", "crlf", "space", "html"],
)
def test_a_malformed_incoming_id_is_replaced_not_logged(client, request_ids, json_log, hostile):
    response = client.get("/api/v1/no-such-thing/", HTTP_X_REQUEST_ID=hostile)

    assert response["X-Request-ID"] != hostile
    assert len(response["X-Request-ID"]) == 32
    assert json_log()[0]["request_id"] == response["X-Request-ID"]


def test_log_lines_outside_a_request_say_so(json_log):
    logging.getLogger("django.request").warning("from a management command")

    assert request_id_get() is None
    assert json_log()[0]["request_id"] == "-"


def test_lines_logged_by_our_code_while_handling_the_request_carry_its_id(rf, json_log):
    from django.http import HttpResponse

    from core.request_id import RequestIdMiddleware

    def view(request):
        logging.getLogger("django.request").info("placing order")
        logging.getLogger("django.request").error("provider said no")
        return HttpResponse("ok")

    logging.getLogger("django.request").setLevel(logging.INFO)
    try:
        response = RequestIdMiddleware(view)(rf.get("/", HTTP_X_REQUEST_ID="trace-9"))
    finally:
        logging.getLogger("django.request").setLevel(logging.NOTSET)

    assert response["X-Request-ID"] == "trace-9"
    assert [(line["message"], line["request_id"]) for line in json_log()] == [
        ("placing order", "trace-9"),
        ("provider said no", "trace-9"),
    ]
