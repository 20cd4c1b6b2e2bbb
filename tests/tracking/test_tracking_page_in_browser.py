"""The tracking page, the home page and the 404 page as a customer's browser shows them (headless Chromium at
a phone's and a laptop's width, light and dark): axe-core finds nothing, the steps are labelled on a phone,
the page is whole without JavaScript, and it updates itself when the order changes on another server.
Screenshots go to test-artifacts/.

Driven with Playwright's Python API against the system Chromium (no browser download).
"""

import time
from pathlib import Path

import pytest
import requests
from django.conf import settings
from rest_framework_simplejwt.tokens import RefreshToken

from tests import services
from tests.browser.axe import axe_source, axe_violations
from tests.factories import order_moved_to, placed_order
from tests.scaleout.servers import Gunicorn
from tests.tracking.servers import Uvicorn, plain_http_env

pytest.importorskip("playwright.sync_api", reason="needs Playwright (requirements/local.txt)")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTIFACTS = Path(settings.BASE_DIR) / "test-artifacts"
VIEWPORTS = {"390": {"width": 390, "height": 844}, "1366": {"width": 1366, "height": 900}}
PERSONAL = ("+254712000111", "Moi Avenue", "@example.com")


@pytest.fixture
def open_page(chromium):
    """open_page(width, scheme="light", javascript=True) -> a new tab in a fresh context."""
    contexts = []

    def opener(width: str, *, scheme: str = "light", javascript: bool = True):
        context = chromium.new_context(
            viewport=VIEWPORTS[width], color_scheme=scheme, java_script_enabled=javascript
        )
        contexts.append(context)
        tab = context.new_page()
        tab.set_default_timeout(15_000)
        return tab

    yield opener
    for context in contexts:
        context.close()


def screenshot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", sorted(VIEWPORTS))
def test_axe_finds_nothing_on_the_tracking_home_and_404_pages(
    live_server, open_page, failed_delivery, customer, width, scheme
):
    if axe_source() is None:
        if services.REQUIRE_SERVICES:
            pytest.fail("REQUIRE_SERVICES=1: axe-core is not installed (npm ci in tests/browser)")
        pytest.skip("needs axe-core (npm ci in tests/browser)")
    cancelled = order_moved_to(placed_order(customer=customer), "cancelled")
    pages = {
        "tracking": f"/track/{failed_delivery.tracking_code}/",
        "tracking-cancelled": f"/track/{cancelled.tracking_code}/",
        "tracking-unknown": "/track/NOSUCHCODE99/",
        "home": "/",
        "404": "/no-such-page/",
    }
    page = open_page(width, scheme=scheme)
    for name, path in pages.items():
        page.goto(f"{live_server.url}{path}")
        assert axe_violations(page) == [], f"{name} at {width} px, {scheme}"
        screenshot(page, f"{name}-{width}{'-dark' if scheme == 'dark' else ''}")


def test_a_phone_shows_every_step_by_name_and_marks_the_current_one(live_server, open_page, failed_delivery):
    page = open_page("390")
    page.goto(f"{live_server.url}/track/{failed_delivery.tracking_code}/")

    labels = page.locator("ol.steps .step-label")
    assert labels.count() == 7
    for i in range(7):
        box = labels.nth(i).bounding_box()
        assert labels.nth(i).is_visible() and box["x"] >= 0 and box["x"] + box["width"] <= 390
    assert page.locator('ol.steps [aria-current="step"] .step-label').inner_text() == "Out for delivery"
    assert page.locator("#current-status").inner_text() == "Delivery failed"


def test_the_page_is_whole_without_javascript(live_server, open_page, failed_delivery):
    page = open_page("390", javascript=False)
    page.goto(f"{live_server.url}/track/{failed_delivery.tracking_code}/")

    assert page.locator("#current-status").inner_text() == "Delivery failed"
    assert page.locator("#outcome").is_visible()
    assert page.locator("ol.timeline li.event").first.get_attribute("data-status") == "delivery_failed"
    assert "Nobody at the gate" in page.content()
    assert not any(value in page.content() for value in PERSONAL)
    assert page.locator("#live-state").is_hidden()


def test_the_home_page_form_leads_to_the_tracking_page(live_server, open_page, failed_delivery):
    page = open_page("390")
    page.goto(f"{live_server.url}/")
    page.get_by_label("Tracking code").fill(failed_delivery.tracking_code.lower())
    page.get_by_role("button", name="Track").click()
    page.wait_for_url(f"**/track/{failed_delivery.tracking_code}/")
    assert page.locator("#current-status").inner_text() == "Delivery failed"


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.timeout(300)
@pytest.mark.parametrize("width", sorted(VIEWPORTS))
def test_an_open_page_updates_itself_when_another_server_changes_the_order(
    open_page, merchant, customer, width
):
    """Two web processes on one PostgreSQL and Redis: the page and its stream from uvicorn, the merchant's
    status change through gunicorn. The page shows it within 2 s (the issue's bound), without a reload."""
    order = order_moved_to(placed_order(customer=customer, merchant=merchant), "confirmed", "processing")
    token = str(RefreshToken.for_user(merchant.user).access_token)
    env = plain_http_env()
    with Uvicorn(env=env) as stream_server, Gunicorn(env=env, workers=1, threads=2) as api_server:
        page = open_page(width)
        page.goto(f"{stream_server.base}/track/{order.tracking_code}/")
        page.locator("#live-state").filter(has_text="Live").wait_for()
        page.evaluate("window.notReloaded = true")

        started = time.monotonic()
        response = requests.post(
            f"{api_server.base}/api/v1/orders/{order.pk}/status/",
            json={"status": "shipped", "location": "Mombasa depot", "note": "Handed to courier"},
            headers={"Authorization": f"Bearer {token}"},
            timeout=30,
        )
        assert response.status_code == 200, response.text
        page.locator('#current-status[data-status="shipped"]').wait_for(timeout=10_000)
        took = time.monotonic() - started

        assert took <= 2.0, f"the page took {took:.2f} s to show the change"
        assert page.locator("ol.timeline li.event").first.get_attribute("data-status") == "shipped"
        assert "Mombasa depot" in page.locator("ol.timeline li.event").first.inner_text()
        assert page.locator('ol.steps [aria-current="step"] .step-label').inner_text() == "Shipped"
        assert page.locator("#live-state").inner_text() == "Live: updated to “Shipped”."
        assert page.evaluate("window.notReloaded === true")  # updated in place
        screenshot(page, f"tracking-live-update-{width}")
