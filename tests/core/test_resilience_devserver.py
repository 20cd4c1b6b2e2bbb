"""`make run` on PostgreSQL holds a bounded number of connections whatever the load (issue 20), and a
database that refuses more clients answers 503 `service_unavailable`, not 500.

The development server is started the way `make run` starts it (migrate, demo_setup, runserver with
config.settings.local), on a database of its own; only the file-watching reloader is off (`--noreload`),
which has nothing to do with connections and would cost a CPU on a shared machine.
"""

import json
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

import psycopg
import pytest
from django.db import connection

from tests.core.newcomer import manage, manage_popen, newcomer_env
from tests.core.outages import TcpProxy, kill_group
from tests.notifications.standins import free_port

pytestmark = [pytest.mark.postgres, pytest.mark.slow, pytest.mark.timeout(900)]

REQUESTS = 1000
CLIENT_THREADS = 16
CONNECTION_BOUND = 20


def _admin_conninfo() -> dict:
    db = connection.settings_dict
    return {
        "host": db["HOST"] or "127.0.0.1",
        "port": int(db["PORT"] or 5432),
        "user": db["USER"],
        "password": db.get("PASSWORD") or None,
        "dbname": "postgres",
        "autocommit": True,
    }


def _url(name: str, *, port: int | None = None) -> str:
    info = _admin_conninfo()
    password = f":{info['password']}" if info["password"] else ""
    return f"postgres://{info['user']}{password}@{info['host']}:{port or info['port']}/{name}"


@pytest.fixture
def fresh_database():
    name = f"devserver_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(**_admin_conninfo()) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield name
    finally:
        with psycopg.connect(**_admin_conninfo()) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _env(database_url: str, **extra: str) -> dict[str, str]:
    return newcomer_env(DATABASE_URL=database_url, **extra)


def _manage(env: dict, *args: str) -> None:
    result = manage(*args, env=env)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-4000:]


@contextmanager
def dev_server(env: dict):
    port = free_port()
    process = manage_popen("runserver", f"127.0.0.1:{port}", "--noreload", env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{base}/healthz/", timeout=2).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("the development server did not start") from None
                time.sleep(0.2)
        yield base
    finally:
        kill_group(process)


def _status(url: str, data: bytes | None = None) -> int:
    """One request on a new HTTP connection (as many clients make them): its status code."""
    request = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            response.read()
            return response.status
    except urllib.error.HTTPError as error:
        error.read()
        return error.code


class ConnectionSampler:
    """Polls pg_stat_activity for one database from its own connection (to another database) until stopped."""

    def __init__(self, database: str):
        self.database = database
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        with psycopg.connect(**_admin_conninfo()) as admin:
            while not self._stop.is_set():
                row = admin.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = %s", [self.database]
                ).fetchone()
                self.peak = max(self.peak, row[0])
                time.sleep(0.02)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join(10)


def test_make_run_on_postgresql_holds_a_bounded_number_of_connections_under_load(fresh_database):
    # 200 posts to an unknown merchant from one address would meet the webhook flood gate (120 refused
    # deliveries a minute per address, 429): this test is about connections, so the gate is opened wide.
    env = {**_env(_url(fresh_database)), "THROTTLE_WEBHOOK_FAILURE_IP": "100000/min"}
    _manage(env, "migrate", "--noinput")
    _manage(env, "demo_setup")
    with dev_server(env) as base:
        paths = [
            ("/api/v1/products/?page_size=5", None),
            ("/api/v1/categories/?page_size=5", None),
            ("/api/v1/track/NOSUCHCODE42/", None),
            ("/readyz/", None),
            (f"/api/v1/webhooks/{uuid.uuid4()}/", b'{"type": "order.created"}'),  # 404 unknown_merchant
        ]
        with ConnectionSampler(fresh_database) as sampler, ThreadPoolExecutor(CLIENT_THREADS) as clients:
            statuses = Counter(
                clients.map(
                    lambda i: _status(base + paths[i % len(paths)][0], paths[i % len(paths)][1]),
                    range(REQUESTS),
                )
            )
        assert sum(statuses.values()) == REQUESTS
        assert not [code for code in statuses if code >= 500], statuses
        assert set(statuses) <= {200, 404}, statuses
        assert 0 < sampler.peak <= CONNECTION_BOUND, sampler.peak


@pytest.mark.django_db  # the test database exists (migrated); the server reads it through the proxy
def test_running_out_of_connections_answers_503_then_recovers_by_itself():
    db = connection.settings_dict
    proxy = TcpProxy(target_host=db["HOST"] or "127.0.0.1", target_port=int(db["PORT"] or 5432))
    try:
        with dev_server(_env(_url(db["NAME"], port=proxy.port), DB_POOL_TIMEOUT="1")) as base:
            assert _status(f"{base}/api/v1/products/") == 200
            # PostgreSQL restarts and every slot is taken by other clients.
            proxy.full = True
            proxy.cut()
            proxy.restore()
            with pytest.raises(urllib.error.HTTPError) as answer:
                urllib.request.urlopen(f"{base}/api/v1/products/", timeout=60)
            assert answer.value.code == 503
            assert int(answer.value.headers["Retry-After"]) > 0
            assert json.loads(answer.value.read())["code"] == "service_unavailable"

            proxy.full = False
            deadline = time.monotonic() + 60
            while _status(f"{base}/api/v1/products/") != 200:
                assert time.monotonic() < deadline, "the pool did not reconnect"
                time.sleep(0.5)
    finally:
        proxy.cut()
