"""Someone posts a body far larger than an endpoint takes: it is refused from its Content-Length, before it is
read, and nothing lands on disk (the temporary upload directory stays empty)."""

import socket
from urllib.parse import urlsplit

import pytest
from django.test import Client

from accounts.models import User
from catalog.models import Product
from webhooks.models import WebhookDelivery

pytestmark = pytest.mark.django_db

FIFTY_MB = 50 * 1024 * 1024
BOUNDARY = "ordertrail-test-boundary"


@pytest.fixture
def upload_temp_dir(settings, tmp_path):
    """Where Django would spool an upload too large for memory; must stay empty."""
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    yield tmp_path
    assert list(tmp_path.iterdir()) == []


def multipart(size: int, field: str = "image") -> bytes:
    head = (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{field}"; filename="big.png"\r\n'
        "Content-Type: image/png\r\n\r\n"
    ).encode()
    tail = f"\r\n--{BOUNDARY}--\r\n".encode()
    return head + b"\x89PNG\r\n\x1a\n" + b"\x00" * (size - len(head) - len(tail) - 8) + tail


def post(client, path: str, body: bytes, content_type: str, **headers):
    return client.generic("POST", path, body, content_type=content_type, **headers)


def assert_too_large(response):
    assert response.status_code == 413
    assert response.json()["code"] == "payload_too_large"


def test_fifty_megabytes_to_register_is_refused_unread(upload_temp_dir):
    response = post(
        Client(), "/api/v1/auth/register/", multipart(FIFTY_MB), f"multipart/form-data; boundary={BOUNDARY}"
    )

    assert_too_large(response)
    assert "1 MB" in response.json()["detail"]
    assert not User.objects.exists()


def test_fifty_megabytes_of_json_to_register_is_refused_too(upload_temp_dir):
    body = b'{"email": "a@example.com", "password": "' + b"x" * FIFTY_MB + b'"}'

    assert_too_large(post(Client(), "/api/v1/auth/register/", body, "application/json"))


def test_fifty_megabytes_to_product_create_is_refused_unread(merchant_client, upload_temp_dir):
    response = merchant_client.generic(
        "POST",
        "/api/v1/products/",
        multipart(FIFTY_MB),
        content_type=f"multipart/form-data; boundary={BOUNDARY}",
    )

    assert_too_large(response)
    assert "7 MB" in response.json()["detail"]
    assert not Product.objects.exists()


def test_fifty_megabytes_to_a_webhook_gets_the_webhooks_own_413_and_is_recorded(merchant, upload_temp_dir):
    response = post(
        Client(), f"/api/v1/webhooks/{merchant.pk}/", b"{" + b" " * FIFTY_MB + b"}", "application/json"
    )

    assert_too_large(response)
    [delivery] = WebhookDelivery.objects.all()  # the view, not the middleware, answered: the merchant sees it
    assert delivery.status_code == 413


def test_an_admin_form_over_the_limit_is_a_plain_413(upload_temp_dir):
    response = post(
        Client(),
        "/admin/login/",
        multipart(FIFTY_MB, "username"),
        f"multipart/form-data; boundary={BOUNDARY}",
    )

    assert response.status_code == 413
    assert response["Content-Type"].startswith("text/plain")


def test_a_body_within_the_limit_reaches_the_endpoint(merchant_client, upload_temp_dir):
    # 6 MB: over the 5 MB a file may be, under the request limit, so the endpoint's own 400 names the limit.
    response = merchant_client.generic(
        "POST",
        "/api/v1/products/",
        multipart(6 * 1024 * 1024),
        content_type=f"multipart/form-data; boundary={BOUNDARY}",
    )

    assert response.status_code == 400
    assert response.json()["code"] in ("invalid_image", "validation_error")


def test_the_refusal_is_sent_before_the_body(live_server):
    """Over a real socket: the server answers 413 having received only the headers and one kilobyte."""
    address = urlsplit(live_server.url)
    with socket.create_connection((address.hostname, address.port), timeout=10) as sock:
        sock.sendall(
            (
                "POST /api/v1/auth/register/ HTTP/1.1\r\n"
                f"Host: {address.hostname}\r\n"
                f"Content-Type: multipart/form-data; boundary={BOUNDARY}\r\n"
                f"Content-Length: {FIFTY_MB}\r\n\r\n"
            ).encode()
            + b"x" * 1024
        )
        answer = b""
        while b"payload_too_large" not in answer:
            chunk = sock.recv(4096)
            if not chunk:
                break
            answer += chunk

    assert answer.startswith(b"HTTP/1.1 413")
    assert b"payload_too_large" in answer
