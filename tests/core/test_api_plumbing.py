"""Health probes, the schema and the uniform error body."""

import re

import pytest
from django.contrib.staticfiles import finders

pytestmark = pytest.mark.django_db


def test_healthz_answers_without_touching_anything(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readyz_reports_database_and_broker(client):
    response = client.get("/readyz/")
    assert response.status_code == 200
    assert response.json()["checks"]["database"] is True


def test_readyz_names_the_broker_when_it_is_down(client, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    response = client.get("/readyz/")
    assert response.status_code == 503
    body = response.json()
    assert body["code"] == "not_ready"
    assert body["checks"] == {"database": True, "broker": False}
    assert "broker" in body["detail"]


def test_unknown_api_path_is_a_json_404(client):
    response = client.get("/api/v1/no-such-thing/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json() == {"code": "not_found", "detail": "Not found."}


def test_schema_is_served_as_openapi_3(client):
    response = client.get("/api/v1/schema/?format=json")
    assert response.status_code == 200
    assert response.json()["openapi"].startswith("3.")


@pytest.mark.parametrize("path", ["/api/v1/docs/swagger/", "/api/v1/docs/redoc/"])
def test_docs_render_with_bundled_assets(client, path):
    response = client.get(path)
    assert response.status_code == 200
    assets = re.findall(r'(?:src|href)="([^"]+)"', response.content.decode())
    assert assets
    assert all(url.startswith("/") and not url.startswith("//") for url in assets), assets
    for url in assets:  # static files are the app's own (sidecar); the rest it serves itself
        if url.startswith("/static/"):
            assert finders.find(url.removeprefix("/static/")), url
        else:
            assert client.get(url).status_code == 200, url


def test_redocs_bundle_is_served_without_its_remote_logo(client):
    response = client.get("/api/v1/docs/redoc/sidecar/redoc.standalone.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert b"API docs by Redocly" in body
    assert b"cdn.redoc.ly" not in body


def test_unknown_api_path_is_json_even_in_debug(client, settings):
    settings.DEBUG = True
    response = client.get("/api/v1/still/not/here/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


@pytest.mark.urls("tests.core.broken_urls")
@pytest.mark.parametrize("debug", [False, True])
def test_an_unhandled_error_under_api_is_a_json_500(settings, debug):
    from django.test import Client

    settings.DEBUG = debug
    response = Client(raise_request_exception=False).get("/api/v1/broken/")
    assert response.status_code == 500
    assert response.json() == {"code": "server_error", "detail": "A server error occurred."}


@pytest.mark.parametrize("query", ["search=%00", "search=a%00b", "parent=%00"])
def test_a_nul_byte_in_the_query_string_is_a_400(client, query):
    response = client.get(f"/api/v1/categories/?{query}")
    assert response.status_code == 400
    assert response.json()["code"] == "bad_request"


def test_too_many_form_fields_is_a_400(client):
    fields = "&".join(f"f{i}=x" for i in range(1500))
    response = client.post("/api/v1/auth/login/", fields, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400
    assert response.json()["code"] in {"parse_error", "bad_request"}


def test_a_disallowed_host_under_api_gets_json(client):
    response = client.get("/api/v1/categories/", HTTP_HOST="evil.example")
    assert response.status_code == 400
    assert response.json()["code"] == "bad_request"


@pytest.mark.parametrize("method", ["post", "patch", "delete"])
def test_an_unknown_api_path_is_a_json_404_for_any_method(method):
    from django.test import Client

    response = getattr(Client(enforce_csrf_checks=True), method)("/api/v1/categories/not-a-uuid/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


@pytest.mark.parametrize(
    "query",
    [
        "created_before=0001-01-01T01%3A49%3A38%2B20%3A21",
        "created_after=0001-01-01T00:00:00%2B05:00",
        "created_after=9999-12-31T23:59:59-05:00",
        "created_after=2026-01-01T00:00:00%2B15:00",
    ],
)
def test_a_date_filter_out_of_range_once_in_utc_is_a_400(admin_client, query):
    response = admin_client.get(f"/api/v1/orders/?{query}")
    assert response.status_code == 400
    assert response.json()["code"] == "validation_error"
