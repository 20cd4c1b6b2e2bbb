"""An operator deploying with config.settings.production: `check --deploy` is clean with a production-like
environment, and the settings refuse to start with development defaults."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
STRONG_KEY = "k7Qz-production-like-secret-9fX2pL4vR8sT1wY6bN3mC5dH0jK"


def _manage(*args: str, **env_overrides: str) -> subprocess.CompletedProcess:
    """Run manage.py with only what an operator would set: no .env, nothing inherited from the test run."""
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": os.environ.get("HOME", "/tmp"),
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DJANGO_SECRET_KEY": STRONG_KEY,
        "DJANGO_ALLOWED_HOSTS": "ordertrail.example.com",
        "DJANGO_CSRF_TRUSTED_ORIGINS": "https://ordertrail.example.com",
        "DATABASE_URL": "postgres://ordertrail:pw@db.internal:5432/ordertrail",
        "CELERY_BROKER_URL": "redis://redis.internal:6379/0",
        "CACHE_URL": "redis://redis.internal:6379/1",
        "AWS_STORAGE_BUCKET_NAME": "ordertrail-media",
        "AWS_PRIVATE_STORAGE_BUCKET_NAME": "ordertrail-private",
        "AWS_S3_REGION_NAME": "eu-west-1",
        "PYTHONWARNINGS": "always",
    }
    env.update(env_overrides)
    env = {key: value for key, value in env.items() if value is not None}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_reports_no_issue_with_a_production_like_environment():
    result = _manage("check", "--deploy", "--fail-level", "WARNING")

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout
    assert "WARNING" not in result.stdout + result.stderr
    assert "Warning" not in result.stderr


def test_check_deploy_would_notice_a_missing_hsts_header():
    """The clean run above means something: the same check flags a weakened setting."""
    result = _manage("check", "--deploy", DJANGO_SECURE_HSTS_SECONDS="0")

    assert "security.W004" in result.stdout + result.stderr


def test_check_deploy_warns_when_throttles_would_count_per_process():
    """Without CACHE_URL every web process keeps its own throttle counters: the operator is told."""
    result = _manage("check", "--deploy", CACHE_URL=None)

    assert "ordertrail.W001" in result.stdout + result.stderr
    assert "CACHE_URL" in result.stdout + result.stderr


def test_check_deploy_warns_when_media_would_live_on_one_machines_disk():
    result = _manage("check", "--deploy", AWS_STORAGE_BUCKET_NAME=None, AWS_PRIVATE_STORAGE_BUCKET_NAME=None)

    assert "ordertrail.W002" in result.stdout + result.stderr
    assert "STORAGE_URL" in result.stdout + result.stderr


@pytest.mark.parametrize(
    "secret_key",
    ["", "insecure-local-development-key-change-me", "django-insecure-" + "x" * 60, "too-short-0123456789"],
    ids=["unset", "local-default", "django-startproject-default", "short"],
)
def test_production_refuses_to_start_with_a_default_or_weak_secret_key(secret_key):
    result = _manage("check", DJANGO_SECRET_KEY=secret_key)

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_production_refuses_to_start_with_debug_on():
    result = _manage("check", DJANGO_DEBUG="1")

    assert result.returncode != 0
    assert "DJANGO_DEBUG must be off" in result.stderr


def test_production_refuses_to_start_without_allowed_hosts():
    result = _manage("check", DJANGO_ALLOWED_HOSTS=None)

    assert result.returncode != 0
    assert "DJANGO_ALLOWED_HOSTS" in result.stderr


_PREFLIGHT = """
from django.test import Client
response = Client().options(
    "/api/v1/products/",
    HTTP_HOST="ordertrail.example.com",
    HTTP_ORIGIN="https://shop.example.com",
    HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
    HTTP_X_REQUEST_ID="preflight-1",
    secure=True,
)
print(response.status_code, response.get("Access-Control-Allow-Origin", "-"), response["X-Request-ID"])
"""


def test_browsers_on_other_origins_are_refused_unless_the_origin_is_configured():
    closed = _manage("shell", "--verbosity", "0", "-c", _PREFLIGHT)
    opened = _manage(
        "shell", "--verbosity", "0", "-c", _PREFLIGHT, CORS_ALLOWED_ORIGINS="https://shop.example.com"
    )

    assert closed.returncode == 0, closed.stderr
    assert closed.stdout.split() == ["200", "-", "preflight-1"]
    assert opened.returncode == 0, opened.stderr
    assert opened.stdout.split() == ["200", "https://shop.example.com", "preflight-1"]


def test_settings_left_blank_in_a_copied_env_example_keep_the_secure_defaults():
    script = (
        "from django.conf import settings; print(settings.SECURE_SSL_REDIRECT, settings.SECURE_HSTS_SECONDS)"
    )
    blank = _manage(
        "shell",
        "--verbosity",
        "0",
        "-c",
        script,
        DJANGO_SECURE_SSL_REDIRECT="",
        DJANGO_SECURE_HSTS_SECONDS="",
    )
    relaxed = _manage("shell", "--verbosity", "0", "-c", script, DJANGO_SECURE_SSL_REDIRECT="0")

    assert blank.returncode == 0, blank.stderr
    assert blank.stdout.split() == ["True", "31536000"]
    assert relaxed.stdout.split() == ["False", "31536000"]
