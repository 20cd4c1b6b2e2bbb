"""Run real `celery -A config worker` processes against the test database and the real Redis broker."""

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.db import connection

from config.celery_app import app as celery_app
from tests import services
from tests.notifications.standins import API_KEY, USERNAME

ROOT = Path(__file__).resolve().parents[2]
CELERY = str(Path(sys.executable).with_name("celery"))

# Fast retries and sweeps so the fault tests finish in seconds; the production defaults are in base.py.
FAST = {
    "NOTIFICATIONS_RETRY_BASE_SECONDS": "0.2",
    "NOTIFICATIONS_RETRY_MAX_SECONDS": "1",
    "NOTIFICATIONS_MAX_ATTEMPTS": "40",
    "NOTIFICATIONS_SWEEP_INTERVAL_SECONDS": "1",
    "NOTIFICATIONS_SWEEP_GRACE_SECONDS": "2",
    "NOTIFICATIONS_SENDING_LEASE_SECONDS": "6",
}


def database_url_for_workers() -> str:
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


class Worker:
    """One worker process (its own process group), optionally with the embedded beat for the sweeper.
    `pool` is Celery's execution pool: prefork (one child process per task in flight) or threads."""

    def __init__(
        self,
        *,
        sms_base_url: str,
        smtp_url: str,
        concurrency: int = 2,
        beat: bool = True,
        extra_env=None,
        pool: str = "prefork",
        queues: str = "celery,sms,email",
    ):
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.local",
            "DJANGO_DEBUG": "0",
            "DATABASE_URL": database_url_for_workers(),
            "DB_CONN_MAX_AGE": "0",
            "CELERY_BROKER_URL": services.redis_url(),
            "EMAIL_URL": smtp_url,
            "AFRICASTALKING_USERNAME": USERNAME,
            "AFRICASTALKING_API_KEY": API_KEY,
            "AFRICASTALKING_SENDER_ID": "ORDERTRAIL",
            "AFRICASTALKING_BASE_URL": sms_base_url,
            "AFRICASTALKING_TIMEOUT_SECONDS": "5",
            "PUBLIC_BASE_URL": settings.PUBLIC_BASE_URL,
            "LOG_LEVEL": "WARNING",
            **FAST,
            **(extra_env or {}),
        }
        self.schedule = str(Path(tempfile.mkdtemp(prefix="beat-")) / "schedule")
        cmd = [
            CELERY, "-A", "config", "worker", "-Q", queues, "-P", pool, "-c", str(concurrency),
            "-n", f"test-{os.getpid()}-{time.monotonic_ns()}@%h", "-l", "INFO",
            "--without-gossip", "--without-mingle", "--without-heartbeat",
        ]  # fmt: skip
        if beat:
            cmd += ["-B", "-s", self.schedule]
        self.output: list[str] = []
        self.ready = threading.Event()
        self.process = subprocess.Popen(
            cmd,
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        threading.Thread(target=self._read, daemon=True).start()
        if not self.ready.wait(60):
            self.stop()
            raise RuntimeError("worker did not start:\n" + "".join(self.output[-40:]))

    def _read(self):
        for line in self.process.stdout:
            self.output.append(line)
            if " ready." in line:
                self.ready.set()

    def kill(self):
        """SIGKILL the whole worker: main process and pool children, no chance to ack or clean up."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)

    def stop(self):
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.kill()
        shutil.rmtree(Path(self.schedule).parent, ignore_errors=True)


def broker_flush():
    """Drop queued and unacked messages left by an earlier test (queue lists only; bindings stay)."""
    import redis

    client = redis.Redis.from_url(services.redis_url())
    for prefix in ("celery", "sms", "email", "unacked"):
        keys = list(client.scan_iter(match=f"{prefix}*"))
        if keys:
            client.delete(*keys)


def _reset_broker_pools():
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@contextmanager
def publishing_to(url: str):
    """Make this (web) process publish tasks to `url`: the real Redis, or a dead port to play a broker outage.

    Publishing uses `broker_write_url`, set here too: Celery's `broker_url` prefers the CELERY_BROKER_URL
    environment variable to any value set on the configuration.
    """
    conf = celery_app.conf
    old = (conf.task_always_eager, conf.broker_url, conf.get("broker_write_url"))
    conf.task_always_eager = False
    conf.broker_url = conf.broker_write_url = url
    _reset_broker_pools()
    try:
        yield
    finally:
        conf.task_always_eager, conf.broker_url, conf.broker_write_url = old
        _reset_broker_pools()


def wait_until(predicate, *, timeout: float = 60, interval: float = 0.2, message: str = "condition"):
    """Poll until `predicate()` is truthy; the timeout only bounds a broken run, it is not an assertion on speed."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out waiting for {message}")
