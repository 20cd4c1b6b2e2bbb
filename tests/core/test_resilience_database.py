"""PostgreSQL going away under a production-configured stack (gunicorn, a Celery worker with beat): requests
answer 503 `service_unavailable` with Retry-After, nothing is half-written, and everything works again once
the database is back, with no restart of web or worker.

The web server and the worker reach PostgreSQL through a TCP proxy the test cuts; the shared server is never
stopped. The test itself talks to PostgreSQL directly, to see what was (not) written.
"""

import json

import pytest
import requests
from django.db import connection
from rest_framework_simplejwt.tokens import RefreshToken

from catalog.models import Product
from orders.models import Order
from tests.conftest import bearer_client
from tests.core.outages import TcpProxy
from tests.factories import CustomerFactory, MerchantFactory, ProductFactory
from tests.notifications.standins import SmsApi, SmtpServer
from tests.notifications.workers import Worker, broker_flush, wait_until
from tests.scaleout.servers import Gunicorn, production_env
from tests.webhooks.platform import Platform, order_created_event

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.slow, pytest.mark.timeout(600)]

# Behind the TLS-terminating proxy: production settings redirect plain HTTP.
HTTPS = {"X-Forwarded-Proto": "https"}
STOCK = 10


@pytest.fixture
def stack():
    """The database behind a cuttable proxy; gunicorn (production settings) and a worker with beat on it."""
    broker_flush()
    db = connection.settings_dict
    proxy = TcpProxy(target_host=db["HOST"] or "127.0.0.1", target_port=int(db["PORT"] or 5432))
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    proxied_url = f"postgres://{db['USER']}{password}@127.0.0.1:{proxy.port}/{db['NAME']}"
    sms, smtp = SmsApi(), SmtpServer()
    env = production_env(sms_base_url=sms.base_url, smtp_url=smtp.url, DATABASE_URL=proxied_url)
    production_only = ("DJANGO_SETTINGS_MODULE", "DJANGO_SECRET_KEY", "DJANGO_ALLOWED_HOSTS", "CACHE_URL")
    worker_env = {key: env[key] for key in production_only} | {"DATABASE_URL": proxied_url}
    worker = None
    try:
        with Gunicorn(env=env, workers=1, threads=4) as web:
            worker = Worker(sms_base_url=sms.base_url, smtp_url=smtp.url, concurrency=1, extra_env=worker_env)
            yield {"web": web.base, "proxy": proxy, "sms": sms}
    finally:
        if worker is not None:
            worker.stop()
        proxy.cut()
        sms.stop()
        smtp.stop()
        broker_flush()


def _place(web: str, token: str, product, phone: str):
    return requests.post(
        f"{web}/api/v1/orders/",
        json={
            "items": [{"product": str(product.pk), "quantity": 1}],
            "phone_number": phone,
            "shipping_address": "Kenyatta Avenue 5, Nairobi",
        },
        headers={**HTTPS, "Authorization": f"Bearer {token}"},
        timeout=60,
    )


def _deliver(web: str, platform: Platform, external_id: str):
    body = json.dumps(order_created_event(external_id=external_id))
    headers = {**HTTPS, **platform.headers(body), "Content-Type": "application/json"}
    return requests.post(f"{web}{platform.url}", data=body.encode(), headers=headers, timeout=60)


def _assert_unavailable(response):
    assert response.status_code == 503, response.text
    assert int(response.headers["Retry-After"]) > 0
    if response.headers["Content-Type"].startswith("application/json"):
        assert response.json()["code"] == "service_unavailable"


def _set_read_only(on: bool) -> None:
    """What clients of a primary demoted during a failover see: every new session is read-only."""
    name = connection.settings_dict["NAME"]
    with connection.cursor() as cursor:
        if on:
            cursor.execute(f'ALTER DATABASE "{name}" SET default_transaction_read_only = on')
        else:
            cursor.execute(f'ALTER DATABASE "{name}" RESET default_transaction_read_only')


@pytest.mark.django_db(transaction=True)
def test_a_database_outage_answers_503_writes_nothing_and_heals_without_restarts(stack):
    web, proxy, sms = stack["web"], stack["proxy"], stack["sms"]
    merchant = MerchantFactory()
    product = ProductFactory(merchant=merchant, stock=STOCK)
    customer = CustomerFactory()
    token = str(RefreshToken.for_user(customer).access_token)
    rotated = bearer_client(merchant.user).post("/api/v1/merchants/me/webhook-secrets/rotate/")
    platform = Platform(merchant, rotated.json()["secret"])

    first = _place(web, token, product, "+254711000001")
    assert first.status_code == 201, first.text
    wait_until(lambda: sms.messages_to("+254711000001"), message="the first order's SMS")

    # PostgreSQL goes away in the middle of placing an order: stock already taken, the order row on its way.
    proxy.cut_when(b'INSERT INTO "orders_order"')
    _assert_unavailable(_place(web, token, product, "+254711000002"))

    # While it is down, every path answers 503, the webhook receiver too (so platforms retry).
    _assert_unavailable(_place(web, token, product, "+254711000003"))
    _assert_unavailable(_deliver(web, platform, "SHOP-DURING-OUTAGE"))
    _assert_unavailable(
        requests.get(f"{web}/api/v1/orders/", headers={**HTTPS, "Authorization": f"Bearer {token}"})
    )
    _assert_unavailable(requests.get(f"{web}/track/{first.json()['tracking_code']}/", headers=HTTPS))
    ready = requests.get(f"{web}/readyz/")
    assert ready.status_code == 503
    assert ready.json()["checks"]["database"] is False

    # Nothing half-written: the interrupted transaction took no stock and left no order.
    assert Order.objects.count() == 1
    assert Product.objects.get(pk=product.pk).stock == STOCK - 1

    # Back: the same web and worker processes carry on.
    proxy.restore()
    after = _place(web, token, product, "+254711000004")
    assert after.status_code == 201, after.text
    assert _deliver(web, platform, "SHOP-AFTER-OUTAGE").status_code == 201
    assert requests.get(f"{web}/readyz/").status_code == 200
    wait_until(lambda: sms.messages_to("+254711000004"), message="the worker to reconnect and send")
    assert Product.objects.get(pk=product.pk).stock == STOCK - 2
    assert sms.counts()["+254711000001"] == 1

    # PostgreSQL restarts with every slot taken by other clients ("too many clients"), then frees some.
    proxy.full = True
    proxy.cut()
    proxy.restore()
    _assert_unavailable(_place(web, token, product, "+254711000005"))
    proxy.full = False
    assert _place(web, token, product, "+254711000006").status_code == 201
    assert Product.objects.get(pk=product.pk).stock == STOCK - 3

    # A failover: the server the web process reconnects to is read-only for a while.
    try:
        _set_read_only(True)
        proxy.cut()
        proxy.restore()
        _assert_unavailable(_place(web, token, product, "+254711000007"))
    finally:
        _set_read_only(False)
    promoted = _place(web, token, product, "+254711000008")
    assert promoted.status_code == 201, promoted.text
    assert Product.objects.get(pk=product.pk).stock == STOCK - 4
