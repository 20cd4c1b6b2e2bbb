"""Issue 15, row 10: under the Content-Security-Policy, the pages people open still work in a real browser
(headless Chromium) and the console reports no CSP violation."""

import pytest

from orders.services import order_set_status
from tests.orders.factories import order_moved_to, placed_order
from tests.tracking.test_tracking_page_in_browser import chromium  # noqa: F401 (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def open_in_chromium(chromium):  # noqa: F811
    """open_in_chromium(url, ready=selector) -> (DOM once `ready` is there, the console's CSP complaints)."""
    contexts = []

    def opener(url: str, *, ready: str = "body") -> tuple[str, list[str]]:
        context = chromium.new_context()
        contexts.append(context)
        violations = []
        context.on(
            "console",
            lambda message: "Content Security Policy" in message.text and violations.append(message.text),
        )
        tab = context.new_page()
        tab.set_default_timeout(20_000)
        tab.goto(url, wait_until="load")
        tab.wait_for_selector(ready, state="attached")
        return tab.content(), violations

    yield opener
    for context in contexts:
        context.close()


def test_the_tracking_page_renders_styled_under_the_policy(live_server, open_in_chromium, merchant, customer):
    order = order_moved_to(placed_order(customer=customer, merchant=merchant), "confirmed")
    order_set_status(order=order, status="processing", location="Nairobi hub")
    dom, violations = open_in_chromium(f"{live_server.url}/track/{order.tracking_code}/")
    assert f"Order {order.order_number}" in dom
    assert violations == []


def test_the_not_found_pages_render_under_the_policy(live_server, open_in_chromium):
    dom, violations = open_in_chromium(f"{live_server.url}/track/NOSUCHCODE99/")
    assert "We could not find that order" in dom
    assert violations == []
    dom, violations = open_in_chromium(f"{live_server.url}/nowhere/")
    assert "Page not found" in dom
    assert violations == []


def test_swagger_loads_the_schema_and_renders_every_endpoint_under_the_policy(live_server, open_in_chromium):
    dom, violations = open_in_chromium(
        f"{live_server.url}/api/v1/docs/swagger/", ready=".opblock-summary-path"
    )
    assert 'class="swagger-ui' in dom
    assert "/api/v1/auth/password-reset/confirm/" in dom  # rendered from the fetched schema
    assert violations == []


def test_redoc_renders_under_the_policy(live_server, open_in_chromium):
    # Its bundle is served without the remote Redocly logo (core/api_docs.py): nothing for the policy to block.
    dom, violations = open_in_chromium(f"{live_server.url}/api/v1/docs/redoc/", ready="[role=menuitem]")
    assert "/api/v1/auth/password-reset/confirm/" in dom
    assert violations == []


def test_the_admin_sign_in_page_works_under_the_policy(live_server, open_in_chromium):
    dom, violations = open_in_chromium(f"{live_server.url}/admin/login/")
    assert 'id="login-form"' in dom
    assert violations == []
