"""Production-like processes for the scale-out tests: gunicorn started the way the container starts it
(`gunicorn --config gunicorn.conf.py`, config.settings.production) on the test database and the real Redis."""

import os
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

from django.conf import settings

from tests import services
from tests.notifications.standins import API_KEY, USERNAME, free_port
from tests.notifications.workers import database_url_for_workers

ROOT = Path(__file__).resolve().parents[2]
SECRET_KEY = "scaleout-test-only-secret-key-7c1f0e9a2b4d6f8a0c2e4b6d8f1a3c5e7b9d"
ADMIN_EMAIL = "ops@ordertrail.test"


def production_env(*, sms_base_url: str = "", smtp_url: str = "", **extra: str) -> dict[str, str]:
    """What an operator would set, pointed at this test run's database, Redis and provider stand-ins.

    JWT_SIGNING_KEY is the test process's own, so tokens minted here are accepted by the servers."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DJANGO_SECRET_KEY": SECRET_KEY,
        "JWT_SIGNING_KEY": settings.SIMPLE_JWT["SIGNING_KEY"],
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": database_url_for_workers(),
        "CELERY_BROKER_URL": services.redis_url(),
        # Throttle counters shared by every process, as in production (Django's keys never clash with Celery's).
        "CACHE_URL": services.redis_url(),
        "EMAIL_URL": smtp_url or "consolemail://",
        "ADMIN_NOTIFICATION_EMAILS": ADMIN_EMAIL,
        "AFRICASTALKING_USERNAME": USERNAME,
        "AFRICASTALKING_API_KEY": API_KEY,
        "AFRICASTALKING_SENDER_ID": "ORDERTRAIL",
        "AFRICASTALKING_BASE_URL": sms_base_url,
        "PUBLIC_BASE_URL": settings.PUBLIC_BASE_URL,
        "LOG_LEVEL": "WARNING",
        **extra,
    }


class Gunicorn:
    """`with Gunicorn(env=...) as web:` serves the app on an ephemeral port until the block ends."""

    def __init__(self, *, env: dict[str, str], workers: int = 2, threads: int = 4):
        self.port = free_port()
        self.static_root = tempfile.mkdtemp(prefix="ordertrail-static-")
        self.env = {
            **env,
            "GUNICORN_BIND": f"127.0.0.1:{self.port}",
            "WEB_CONCURRENCY": str(workers),
            "GUNICORN_THREADS": str(threads),
            "GUNICORN_ACCESS_LOG": "0",
            "STATIC_ROOT": self.static_root,
        }
        self.output: list[str] = []
        self.process: subprocess.Popen | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def command(self) -> list[str]:
        return [sys.executable, "-m", "gunicorn", "--config", "gunicorn.conf.py", "config.wsgi:application"]

    def __enter__(self) -> "Gunicorn":
        self.process = subprocess.Popen(
            self.command(),
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        threading.Thread(target=lambda: self.output.extend(self.process.stdout), daemon=True).start()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            try:
                with urllib.request.urlopen(f"{self.base}/readyz/", timeout=2) as response:
                    if response.status == 200:
                        return self
            except OSError:
                time.sleep(0.3)
        self.__exit__(None, None, None)
        raise RuntimeError(f"gunicorn did not become ready on {self.port}:\n" + "".join(self.output[-40:]))

    def __exit__(self, *exc) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
