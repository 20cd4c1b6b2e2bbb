"""The real stack: a platform's webhook, this process committing and publishing to Redis, a Celery worker
process, the Africa's Talking stand-in and an SMTP server, and the links in the email followed over HTTP."""

import re
import urllib.error
import urllib.request

import pytest

from merchants.models import WebhookSecret
from notifications.models import Notification, NotificationStatus
from tests import services
from tests.factories import MerchantFactory
from tests.notifications.standins import SmsApi, SmtpServer
from tests.notifications.workers import Worker, broker_flush, publishing_to, wait_until
from tests.webhooks.platform import Platform, new_secret, order_created_event

# A worker process reads what this one commits: real transactions, PostgreSQL, Redis.
pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.slow,
]

ADMIN_EMAIL = "ops@ordertrail.test"
PHONE = "+254712000777"


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def fetch(url: str) -> tuple[int, dict]:
    """GET `url` over HTTP as a mail reader's browser would, without following redirects."""
    try:
        with urllib.request.build_opener(_NoRedirects).open(url, timeout=20) as response:
            return response.status, dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers)


@pytest.fixture
def stack(live_server, settings):
    settings.ADMIN_NOTIFICATION_EMAILS = [ADMIN_EMAIL]
    settings.PUBLIC_BASE_URL = live_server.url
    broker_flush()
    sms, smtp = SmsApi(seed=16), SmtpServer()
    with publishing_to(services.redis_url()):
        worker = Worker(sms_base_url=sms.base_url, smtp_url=smtp.url)
        try:
            yield sms, smtp
        finally:
            worker.stop()
            sms.stop()
            smtp.stop()
            broker_flush()


def test_a_swahili_webhook_order_is_texted_in_swahili_and_the_admin_email_links_work(stack, live_server):
    sms, smtp = stack
    merchant = MerchantFactory(company_name="Duka la Mama Njeri")
    platform = Platform(merchant, WebhookSecret.objects.create(merchant=merchant, secret=new_secret()).secret)
    event = order_created_event(
        "SHOP-SW-1",
        language="sw",
        estimated_delivery="2026-03-12",
        payment_status="paid",
        customer={"name": "Amina Njeri", "phone": PHONE, "email": "amina@example.com"},
    )

    response = platform.send(event)

    assert response.status_code == 201, response.json()
    order = response.json()
    wait_until(
        lambda: sms.messages_to(PHONE) and smtp.to(ADMIN_EMAIL)
        and not Notification.objects.exclude(status=NotificationStatus.SENT).exists(),
        message="the SMS and the admin email",
    )  # fmt: skip

    (text,) = sms.messages_to(PHONE)
    assert text.startswith(
        f"Asante! Oda yako {order['order_number']} (KES 1,600.00) kutoka Duka la Mama Njeri"
    )
    assert "Inatarajiwa kufika tarehe 12 Machi 2026." in text
    assert text.endswith(f"Fuatilia: {live_server.url}/track/{order['tracking_code']}/")

    (email,) = smtp.to(ADMIN_EMAIL)
    # (Python's mail encoder folds a non-ASCII subject onto its own line; the parser keeps that space.)
    assert (
        email["Subject"].strip() == f"New order {order['order_number']} — KES 1,600.00 — Duka la Mama Njeri"
    )
    parts = {part.get_content_type(): part.get_content() for part in email.walk() if not part.is_multipart()}
    assert set(parts) == {"text/plain", "text/html"}
    assert "Payment: Paid" in parts["text/plain"] and "T-shirt M" in parts["text/html"]
    links = re.findall(r'href="([^"]+)"', parts["text/html"])
    admin_link, tracking_link = links
    assert admin_link in parts["text/plain"] and tracking_link in parts["text/plain"]

    status, headers = fetch(admin_link)
    assert status == 302 and "/admin/login/" in headers["Location"]  # the admin page needs a staff login
    assert fetch(tracking_link)[0] == 200
