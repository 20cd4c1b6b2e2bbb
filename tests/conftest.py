"""Fixtures shared by every test module, and the REQUIRE_SERVICES gate."""

import shutil

import pytest
from django.db import connection
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import RefreshToken

from tests import services
from tests.browser.chromium import chromium  # noqa: F401 (fixture)
from tests.factories import (
    AdminFactory,
    CategoryFactory,
    CustomerFactory,
    MerchantFactory,
    ProductFactory,
)


def pytest_sessionstart(session):
    if not services.REQUIRE_SERVICES:
        return
    problems = []
    if not services.postgres_configured():
        problems.append("DATABASE_URL does not point at PostgreSQL")
    elif not services.postgres_reachable():
        problems.append(f"PostgreSQL at {services.database_url()} is not reachable")
    if not services.redis_reachable():
        problems.append("CELERY_BROKER_URL does not point at a reachable Redis")
    if problems:
        pytest.exit("REQUIRE_SERVICES=1 but: " + "; ".join(problems), returncode=3)


def _skip_or_fail(reason: str):
    if services.REQUIRE_SERVICES:
        pytest.fail(f"REQUIRE_SERVICES=1: {reason}")
    pytest.skip(reason)


def _check_service_markers(node) -> None:
    if node.get_closest_marker("postgres") and connection.vendor != "postgresql":
        _skip_or_fail("needs PostgreSQL (set DATABASE_URL)")
    if node.get_closest_marker("redis") and not services.redis_reachable():
        _skip_or_fail("needs a reachable Redis (set CELERY_BROKER_URL)")
    # orders/tracking: headless Chromium (Debian's `chromium`) for the browser tests
    if node.get_closest_marker("browser") and not shutil.which("chromium"):
        _skip_or_fail("needs headless Chromium (apt-get install chromium)")


@pytest.fixture(scope="module", autouse=True)
def _module_service_markers(request):
    """A module's own markers (`pytestmark`), checked before its module-scoped fixtures run: a fixture that
    starts servers on PostgreSQL and Redis (tests/tracking/test_stream_server.py) must not start them on
    SQLite, where the tests it serves are skipped anyway."""
    _check_service_markers(request.node)


@pytest.fixture(autouse=True)
def _service_markers(request):
    _check_service_markers(request.node)


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Throttle counters and cached OIDC answers must not leak between tests."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def api_client():
    return APIClient()


def bearer_client(user) -> APIClient:
    """An API client authenticated with one of our JWT access tokens for `user`."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {RefreshToken.for_user(user).access_token}")
    client.user = user
    return client


@pytest.fixture
def customer(db):
    return CustomerFactory()


@pytest.fixture
def customer_client(customer):
    return bearer_client(customer)


@pytest.fixture
def merchant(db):
    """An approved (active) merchant."""
    return MerchantFactory()


@pytest.fixture
def merchant_client(merchant):
    return bearer_client(merchant.user)


@pytest.fixture
def admin_user(db):
    return AdminFactory()


@pytest.fixture
def admin_client(admin_user):
    return bearer_client(admin_user)


@pytest.fixture
def admin_session(client, admin_user):
    """The Django test client signed in to the Django admin as a superuser."""
    client.force_login(admin_user)
    return client


@pytest.fixture
def category(db):
    return CategoryFactory()


@pytest.fixture
def product(merchant, category):
    return ProductFactory(merchant=merchant, category=category)
