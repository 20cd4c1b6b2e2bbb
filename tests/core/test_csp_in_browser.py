"""Issue 15, row 10: under the Content-Security-Policy, the pages people open still work in a real browser
(headless Chromium) and the console reports no CSP violation."""

import contextlib

import pytest

from orders.services import order_set_status
from tests.factories import order_moved_to, placed_order

PlaywrightTimeout = pytest.importorskip(
    "playwright.sync_api", reason="needs Playwright (requirements/local.txt)"
).TimeoutError

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CONFIRM = "/api/v1/auth/password-reset/confirm/"  # one of the endpoints, in the DOM once the docs render


@pytest.fixture
def open_in_chromium(chromium):
    """open_in_chromium(url, rendered=None) -> the page's DOM once its scripts have run, and the console's
    complaints about the CSP (Chromium reports every blocked script, style, image or fetch there).

    `rendered`: text the page's scripts put in the DOM (the docs render the schema they fetch); waited for
    up to 20 s, and then the test's own assertions say whether it came."""
    contexts = []

    def opener(url: str, *, rendered: str | None = None) -> tuple[str, list[str]]:
        context = chromium.new_context()
        contexts.append(context)
        page = context.new_page()
        console: list[str] = []
        page.on("console", lambda message: console.append(message.text))
        page.goto(url, wait_until="networkidle", timeout=30_000)
        if rendered:
            with contextlib.suppress(PlaywrightTimeout):
                page.wait_for_function(
                    "text => document.documentElement.outerHTML.includes(text)", arg=rendered, timeout=20_000
                )
        dom = page.content()
        return dom, [line for line in console if "Content Security Policy" in line]

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
    dom, violations = open_in_chromium(f"{live_server.url}/api/v1/docs/swagger/", rendered=CONFIRM)
    assert 'class="swagger-ui' in dom
    assert CONFIRM in dom  # rendered from the fetched schema
    assert violations == []


def test_redoc_renders_under_the_policy(live_server, open_in_chromium):
    # Its bundle is served without the remote Redocly logo (core/api_docs.py): nothing for the policy to block.
    dom, violations = open_in_chromium(f"{live_server.url}/api/v1/docs/redoc/", rendered=CONFIRM)
    assert CONFIRM in dom
    assert violations == []


def test_the_admin_sign_in_page_works_under_the_policy(live_server, open_in_chromium):
    dom, violations = open_in_chromium(f"{live_server.url}/admin/login/")
    assert 'id="login-form"' in dom
    assert violations == []
