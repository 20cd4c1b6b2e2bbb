"""The cache is an optimisation, never a dependency: with its Redis killed or hung, people still log in,
refresh their tokens, place orders, and platforms still deliver webhooks; once Redis is back it is used again.

Each test starts its own redis-server (or a socket that never answers) and points the cache at it."""

import json
import logging
import time

import pytest

import core.cache
from tests.conftest import bearer_client
from tests.core.newcomer import manage, newcomer_env
from tests.core.outages import HungServer, RedisServer
from tests.factories import TEST_PASSWORD
from tests.webhooks.platform import Platform, order_created_event

pytestmark = pytest.mark.django_db


def _point_cache_at(settings, url: str) -> None:
    settings.CACHES = {"default": {"BACKEND": "core.cache.FailOpenRedisCache", "LOCATION": url}}


@pytest.fixture
def redis_server(settings):
    server = RedisServer().start()
    _point_cache_at(settings, server.url)
    yield server
    server.kill()


def _login(api_client, user):
    return api_client.post("/api/v1/auth/login/", {"email": user.email, "password": TEST_PASSWORD})


def _place_order(customer, product):
    return bearer_client(customer).post(
        "/api/v1/orders/",
        {
            "items": [{"product": str(product.pk), "quantity": 1}],
            "phone_number": "+254712345678",
            "shipping_address": "Moi Avenue 12, Nairobi",
        },
        format="json",
    )


def _platform_for(merchant) -> Platform:
    rotated = bearer_client(merchant.user).post("/api/v1/merchants/me/webhook-secrets/rotate/")
    assert rotated.status_code == 201, rotated.content
    return Platform(merchant, rotated.json()["secret"])


def test_logins_orders_and_webhooks_work_while_the_cache_redis_is_down(
    redis_server, api_client, customer, merchant, product, caplog
):
    platform = _platform_for(merchant)
    # Redis up: the login throttles count in it.
    assert _login(api_client, customer).status_code == 200
    assert any(b"throttle" in key for key in redis_server.stored_keys())

    redis_server.kill()
    failures_before = sum(core.cache.fail_open_counts().values())

    with caplog.at_level(logging.WARNING, logger="core.cache"):
        login = _login(api_client, customer)
        assert login.status_code == 200, login.content
        refresh = api_client.post("/api/v1/auth/token/refresh/", {"refresh": login.json()["refresh"]})
        assert refresh.status_code == 200, refresh.content
        order = _place_order(customer, product)
        assert order.status_code == 201, order.content
        delivery = platform.send(order_created_event(external_id="SHOP-REDIS-DOWN"))
        assert delivery.status_code == 201, delivery.content

    assert "Cache" in caplog.text and "unavailable" in caplog.text
    assert sum(core.cache.fail_open_counts().values()) > failures_before
    # Readiness names the cache but stays ready: requests work without it.
    ready = api_client.get("/readyz/")
    assert ready.status_code == 200
    assert ready.json()["checks"]["cache"] is False
    assert ready.json()["degraded"] == ["cache"]


def test_a_restarted_redis_is_used_again(redis_server, api_client, customer, monkeypatch):
    monkeypatch.setattr(core.cache, "COOLDOWN_SECONDS", 0.2)
    redis_server.kill()
    assert _login(api_client, customer).status_code == 200

    redis_server.start()
    time.sleep(0.3)  # the cooldown after the last failure
    assert _login(api_client, customer).status_code == 200
    assert any(b"throttle" in key for key in redis_server.stored_keys())
    assert api_client.get("/readyz/").json()["checks"]["cache"] is True


def test_throttles_still_count_while_redis_is_up(redis_server, api_client, customer):
    """Failing open is for outages only: with Redis answering, the login throttle refuses as before."""
    answers = []
    while 429 not in answers and len(answers) < 40:
        answers.append(_login(api_client, customer).status_code)
    assert answers[-1] == 429
    assert set(answers[:-1]) == {200}


def test_a_hung_redis_adds_at_most_a_socket_timeout(settings, api_client, customer, product):
    hung = HungServer()
    _point_cache_at(settings, hung.url)
    try:
        # The bound is generous on purpose (a loaded CI machine); without socket timeouts this never returns.
        started = time.monotonic()
        assert _login(api_client, customer).status_code == 200
        assert time.monotonic() - started < 2
        assert len(hung.accepted) >= 1  # the cache really tried it
        assert _place_order(customer, product).status_code == 201
    finally:
        hung.close()


def test_a_cache_url_naming_redis_gets_the_fail_open_backend():
    show = "import json; from django.conf import settings; print(json.dumps(settings.CACHES['default']))"
    result = manage(
        "shell", "--verbosity", "0", "-c", show, env=newcomer_env(CACHE_URL="redis://127.0.0.1:6379/3")
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["BACKEND"] == "core.cache.FailOpenRedisCache"


def test_readyz_names_a_hung_broker_and_cache_instead_of_hanging(settings, client):
    hung = HungServer()
    settings.CELERY_BROKER_URL = hung.url
    _point_cache_at(settings, hung.url)
    try:
        response = client.get("/readyz/")
    finally:
        hung.close()
    assert response.status_code == 503
    assert response.json()["checks"] == {"database": True, "broker": False, "cache": False}
    assert "broker" in response.json()["detail"] and "cache" in response.json()["detail"]
