"""Issue 15, rows 3 and 10: the client address is read through TRUSTED_PROXY_COUNT everywhere, every page
carries a strict Content-Security-Policy, and production keeps the schema and the API docs for staff."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from django.test import RequestFactory
from rest_framework.test import APIClient

from core.client_address import client_address
from tests.conftest import bearer_client
from tests.factories import AdminFactory, CustomerFactory

ROOT = Path(__file__).resolve().parents[2]
DOCS = ["/api/v1/schema/", "/api/v1/docs/swagger/", "/api/v1/docs/redoc/"]


def _policy(response) -> dict[str, list[str]]:
    directives = [part.strip().split() for part in response["Content-Security-Policy"].split(";")]
    return {name: values for name, *values in directives}


# --- the client address ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "proxies, forwarded_for, expected",
    [
        (0, None, "10.0.0.5"),
        (0, "203.0.113.7", "10.0.0.5"),  # no proxy: the header is the client's own invention
        (1, None, "10.0.0.5"),
        (1, "203.0.113.7", "203.0.113.7"),
        (1, "6.6.6.6, 203.0.113.7", "203.0.113.7"),  # the client wrote 6.6.6.6, the proxy appended its peer
        (2, "6.6.6.6, 203.0.113.7, 10.1.1.1", "203.0.113.7"),
    ],
)
def test_the_client_address_trusts_exactly_the_configured_proxies(settings, proxies, forwarded_for, expected):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": proxies}
    headers = {"HTTP_X_FORWARDED_FOR": forwarded_for} if forwarded_for else {}
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.5", **headers)
    assert client_address(request) == expected


def _settings_value(expression: str, **env: str) -> str:
    """What the production settings make of an environment (a fresh process, as a server would start)."""
    environment = {
        "PATH": os.environ.get("PATH", ""),
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DJANGO_SECRET_KEY": "k7Qz-production-like-secret-9fX2pL4vR8sT1wY6bN3mC5dH0jK",
        "DJANGO_ALLOWED_HOSTS": "ordertrail.example.com",
        **env,
    }
    code = f"import django; django.setup(); from django.conf import settings; print({expression})"
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().splitlines()[-1]


def test_trusted_proxy_count_defaults_to_none_and_drives_drf_throttles():
    assert _settings_value("settings.REST_FRAMEWORK['NUM_PROXIES'], settings.TRUSTED_PROXY_COUNT") == "0 0"
    assert _settings_value("settings.REST_FRAMEWORK['NUM_PROXIES']", TRUSTED_PROXY_COUNT="2") == "2"


def test_the_deployments_say_how_many_proxies_stand_in_front():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    # web is published directly: no proxy unless the operator puts one in front (.env).
    assert compose["services"]["web"]["environment"]["TRUSTED_PROXY_COUNT"] == "${TRUSTED_PROXY_COUNT:-0}"
    configmaps = [
        doc
        for path in (ROOT / "deploy" / "k8s").glob("*.yaml")
        for doc in yaml.safe_load_all(path.read_text())
        if doc and doc["kind"] == "ConfigMap"
    ]
    assert configmaps[0]["data"]["TRUSTED_PROXY_COUNT"] == "1"  # the ingress controller
    assert "TRUSTED_PROXY_COUNT" in (ROOT / ".env.example").read_text()
    assert "TRUSTED_PROXY_COUNT" in (ROOT / "README.md").read_text()


# --- Content-Security-Policy ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_every_page_carries_a_strict_policy(client, admin_user):
    for path in ["/admin/login/", "/track/NOSUCHCODE99/", "/api/v1/docs/swagger/", "/healthz/", "/nowhere/"]:
        policy = _policy(client.get(path))
        assert policy["default-src"] == ["'none'"], path
        assert policy["frame-ancestors"] == ["'none'"], path
        assert policy["object-src"] == ["'none'"], path
        assert policy["base-uri"] == ["'none'"], path
        for directive in ("script-src", "style-src"):
            assert "'unsafe-inline'" not in policy[directive], (path, directive)
            assert "'unsafe-eval'" not in policy[directive], (path, directive)
    client.force_login(admin_user)
    assert "'unsafe-inline'" not in _policy(client.get("/admin/"))["script-src"]


@pytest.mark.django_db
def test_inline_styles_and_scripts_carry_the_nonce_of_their_response(client):
    for path in ["/track/NOSUCHCODE99/", "/api/v1/docs/swagger/"]:
        response = client.get(path)
        [nonce] = {value for value in _policy(response)["script-src"] if value.startswith("'nonce-")}
        nonce = nonce[len("'nonce-") : -1]
        html = response.content.decode()
        inline = re.findall(r"<(style|script)(?![^>]*\bsrc=)([^>]*)>", html)
        assert inline, path
        assert all(f'nonce="{nonce}"' in attributes for _, attributes in inline), (path, inline)
    # A new nonce every time.
    first, second = (_policy(client.get("/track/NOSUCHCODE99/"))["style-src"] for _ in range(2))
    assert first != second


@pytest.mark.django_db
def test_redoc_alone_may_use_inline_styles_never_inline_scripts(client):
    policy = _policy(client.get("/api/v1/docs/redoc/"))
    assert "'unsafe-inline'" in policy["style-src"]
    assert "'unsafe-inline'" not in policy["script-src"]
    assert policy["worker-src"] == ["'self'", "blob:"]


# --- API_DOCS_PUBLIC --------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_docs_are_public_for_make_run(client):
    for path in DOCS:
        assert client.get(path).status_code == 200, path


@pytest.mark.django_db
def test_with_docs_closed_only_staff_read_the_schema_and_the_docs(settings, client):
    settings.API_DOCS_PUBLIC = False
    for path in DOCS:
        anonymous = APIClient().get(path)
        assert anonymous.status_code == 401, path
        assert anonymous.json()["code"] == "not_authenticated"
        customer = bearer_client(CustomerFactory()).get(path)
        assert customer.status_code == 403, path
        assert customer.json()["code"] == "permission_denied"
        assert bearer_client(AdminFactory()).get(path).status_code == 200, path
    # A staff member signed in to the admin opens Swagger in the browser, which fetches the schema.
    client.force_login(AdminFactory())
    assert client.get("/api/v1/docs/swagger/").status_code == 200
    assert client.get("/api/v1/schema/").status_code == 200


def test_production_closes_the_docs_unless_the_operator_opens_them():
    assert _settings_value("settings.API_DOCS_PUBLIC") == "False"
    assert _settings_value("settings.API_DOCS_PUBLIC", API_DOCS_PUBLIC="1") == "True"
    assert _settings_value("settings.API_DOCS_PUBLIC", API_DOCS_PUBLIC="") == "False"
