"""Two web servers and two Celery workers on one PostgreSQL and one Redis, the way a cluster runs
Ordertrail: customers place orders through both servers, a merchant's platform delivers webhooks to both
(some twice, to different servers at the same moment). Nothing is created twice, nobody is notified twice,
and every notification goes out.
"""

import json
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from rest_framework_simplejwt.tokens import RefreshToken

from catalog.models import Product
from merchants.models import WebhookSecret
from notifications.models import Notification, NotificationStatus
from orders.models import Order
from tests.factories import CustomerFactory, MerchantFactory, ProductFactory
from tests.notifications.standins import SmsApi, SmtpServer
from tests.notifications.workers import Worker, broker_flush, wait_until
from tests.scaleout.servers import ADMIN_EMAIL, Gunicorn, production_env
from tests.webhooks.platform import Platform, new_secret, order_created_event

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
    # Typically 60-90 s here; the bound is for a slow CI machine, not an assertion on speed.
    pytest.mark.timeout(900),
]

API_ORDERS = 200
WEBHOOKS = 100
SENT_TWICE = 20
STOCK = 1000
# Behind the TLS-terminating proxy: production settings redirect plain HTTP.
PROXY = {"X-Forwarded-Proto": "https"}


@pytest.fixture
def cluster():
    """SMS and SMTP stand-ins, 2 gunicorn servers (2 processes x 4 threads each) and 2 workers, one with beat."""
    broker_flush()
    sms, smtp = SmsApi(seed=8), SmtpServer()
    env = production_env(sms_base_url=sms.base_url, smtp_url=smtp.url)
    # The workers run the production settings too (the helper supplies database, broker and providers).
    production_only = ("DJANGO_SETTINGS_MODULE", "DJANGO_SECRET_KEY", "DJANGO_ALLOWED_HOSTS", "CACHE_URL")
    worker_env = {key: env[key] for key in (*production_only, "ADMIN_NOTIFICATION_EMAILS")}
    workers = []
    try:
        with Gunicorn(env=env) as web_a, Gunicorn(env=env) as web_b:
            workers.append(
                Worker(sms_base_url=sms.base_url, smtp_url=smtp.url, beat=True, extra_env=worker_env)
            )
            workers.append(
                Worker(sms_base_url=sms.base_url, smtp_url=smtp.url, beat=False, extra_env=worker_env)
            )
            yield {"servers": [web_a.base, web_b.base], "sms": sms, "smtp": smtp}
    finally:
        for worker in workers:
            worker.stop()
        sms.stop()
        smtp.stop()
        broker_flush()


def _place(server: str, token: str, product_id, phone: str, request_id: str):
    return requests.post(
        f"{server}/api/v1/orders/",
        json={
            "items": [{"product": str(product_id), "quantity": 1}],
            "phone_number": phone,
            "shipping_address": "Kenyatta Avenue 5, Nairobi",
        },
        headers={**PROXY, "Authorization": f"Bearer {token}", "X-Request-ID": request_id},
        timeout=60,
    )


def _deliver(server: str, platform: Platform, body: str, webhook_id: str):
    headers = {**PROXY, **platform.headers(body, webhook_id=webhook_id), "Content-Type": "application/json"}
    return requests.post(f"{server}{platform.url}", data=body.encode(), headers=headers, timeout=60)


def all_sent(expected: int) -> bool:
    unsettled = [NotificationStatus.PENDING, NotificationStatus.SENDING]
    settled = Notification.objects.exclude(status__in=unsettled).count()
    return settled >= expected and not Notification.objects.filter(status__in=unsettled).exists()


def test_two_servers_and_two_workers_create_and_notify_everything_exactly_once(cluster):
    server_a, server_b = cluster["servers"]
    sms, smtp = cluster["sms"], cluster["smtp"]
    merchant = MerchantFactory()
    secret = new_secret()
    WebhookSecret.objects.create(merchant=merchant, secret=secret)
    platform = Platform(merchant, secret)
    product = ProductFactory(merchant=merchant, stock=STOCK)
    tokens = [str(RefreshToken.for_user(CustomerFactory()).access_token) for _ in range(20)]

    # 200 API orders, alternately through both servers, 8 at a time.
    api_phones = [f"+2547160{i:05d}" for i in range(API_ORDERS)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        placed = list(
            pool.map(
                lambda i: _place(
                    (server_a, server_b)[i % 2],
                    tokens[i % len(tokens)],
                    product.pk,
                    api_phones[i],
                    f"place-{i}",
                ),
                range(API_ORDERS),
            )
        )

    # 100 webhook deliveries, alternately; 20 of them delivered again to the other server at the same time.
    hook_phones = [f"+2547170{i:05d}" for i in range(WEBHOOKS)]
    deliveries = []
    for i in range(WEBHOOKS):
        event = order_created_event(
            external_id=f"SHOP-{i:04d}",
            customer={"name": f"Buyer {i}", "phone": hook_phones[i]},
            items=[{"name": "Kikoi", "quantity": 1, "unit_price": "900.00"}],
        )
        deliveries.append((json.dumps(event), f"msg_{uuid.uuid4().hex}"))
    with ThreadPoolExecutor(max_workers=8) as pool:
        single = pool.map(
            lambda i: _deliver((server_a, server_b)[i % 2], platform, *deliveries[i]),
            range(SENT_TWICE, WEBHOOKS),
        )
        twice = pool.map(
            lambda i: (
                pool.submit(_deliver, server_a, platform, *deliveries[i]),
                pool.submit(_deliver, server_b, platform, *deliveries[i]),
            ),
            range(SENT_TWICE),
        )
        single = list(single)
        twice = [(a.result(), b.result()) for a, b in twice]

    # Every request answered as the contract says, by the production settings (request ids echoed).
    assert Counter(r.status_code for r in placed) == {201: API_ORDERS}, [
        r.text for r in placed if r.status_code != 201
    ][:3]
    assert [r.headers["X-Request-ID"] for r in placed] == [f"place-{i}" for i in range(API_ORDERS)]
    assert Counter(r.status_code for r in single) == {201: WEBHOOKS - SENT_TWICE}
    assert [sorted((a.status_code, b.status_code)) for a, b in twice] == [[200, 201]] * SENT_TWICE
    for first, second in twice:
        assert first.json()["id"] == second.json()["id"]

    # No duplicate orders; stock taken exactly once per API order.
    assert Order.objects.filter(source="api").count() == API_ORDERS
    assert Order.objects.filter(source="webhook").count() == WEBHOOKS
    assert sorted(Order.objects.filter(source="webhook").values_list("external_id", flat=True)) == [
        f"SHOP-{i:04d}" for i in range(WEBHOOKS)
    ]
    assert Product.objects.get(pk=product.pk).stock == STOCK - API_ORDERS

    # Every notification sent, none twice: one SMS per order's phone and one admin email per order, and the
    # merchant's copy of each order placed through the API.
    orders = API_ORDERS + WEBHOOKS
    messages = 2 * orders + API_ORDERS
    wait_until(lambda: all_sent(messages), timeout=240, message="every notification settled")
    assert Notification.objects.count() == messages
    assert Notification.objects.filter(status=NotificationStatus.SENT).count() == messages
    assert sms.counts() == {phone: 1 for phone in api_phones + hook_phones}
    subjects = Counter(message["Subject"] for message in smtp.to(ADMIN_EMAIL))
    assert sum(subjects.values()) == orders
    order_numbers = Order.objects.values_list("order_number", flat=True)
    assert all(sum(number in subject for subject in subjects) == 1 for number in order_numbers)
