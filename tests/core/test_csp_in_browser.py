"""Issue 15, row 10: under the Content-Security-Policy, the pages people open still work in a real browser
(headless Chromium) and the console reports no CSP violation."""

from pathlib import Path

import pytest

from orders.services import order_set_status
from tests.orders.factories import order_moved_to, placed_order
from tests.tracking.test_tracking_page_in_browser import chromium

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def open_in_chromium(url: str, tmp_path: Path) -> tuple[str, list[str]]:
    """The page's DOM once its scripts have run, and the console's complaints about the CSP."""
    log = tmp_path / "chromium.log"
    log.unlink(missing_ok=True)
    # The virtual time budget lets the docs' scripts fetch the schema and render.
    dom = chromium(
        url,
        tmp_path,
        "--enable-logging",
        f"--log-file={log}",
        "--v=0",
        "--virtual-time-budget=15000",
        "--dump-dom",
    )
    console = [line for line in log.read_text(errors="replace").splitlines() if ":CONSOLE" in line]
    return dom, [line for line in console if "Content Security Policy" in line]


def test_the_tracking_page_renders_styled_under_the_policy(live_server, tmp_path, merchant, customer):
    order = order_moved_to(placed_order(customer=customer, merchant=merchant), "confirmed")
    order_set_status(order=order, status="processing", location="Nairobi hub")
    dom, violations = open_in_chromium(f"{live_server.url}/track/{order.tracking_code}/", tmp_path)
    assert f"Order {order.order_number}" in dom
    assert violations == []


def test_the_not_found_pages_render_under_the_policy(live_server, tmp_path):
    dom, violations = open_in_chromium(f"{live_server.url}/track/NOSUCHCODE99/", tmp_path)
    assert "We could not find that order" in dom
    assert violations == []
    dom, violations = open_in_chromium(f"{live_server.url}/nowhere/", tmp_path)
    assert "Page not found" in dom
    assert violations == []


def test_swagger_loads_the_schema_and_renders_every_endpoint_under_the_policy(live_server, tmp_path):
    dom, violations = open_in_chromium(f"{live_server.url}/api/v1/docs/swagger/", tmp_path)
    assert 'class="swagger-ui' in dom
    assert "/api/v1/auth/password-reset/confirm/" in dom  # rendered from the fetched schema
    assert violations == []


def test_redoc_renders_with_only_its_remote_logo_blocked(live_server, tmp_path):
    dom, violations = open_in_chromium(f"{live_server.url}/api/v1/docs/redoc/", tmp_path)
    assert "/api/v1/auth/password-reset/confirm/" in dom
    assert all("cdn.redoc.ly" in line for line in violations), violations


def test_the_admin_sign_in_page_works_under_the_policy(live_server, tmp_path):
    dom, violations = open_in_chromium(f"{live_server.url}/admin/login/", tmp_path)
    assert 'id="login-form"' in dom
    assert violations == []
