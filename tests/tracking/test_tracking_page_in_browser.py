"""The tracking page as a customer's browser renders it (headless Chromium, no JavaScript needed)."""

import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings

from orders.services import order_set_status
from tests.orders.factories import order_moved_to, placed_order

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
ARTIFACTS = Path(settings.BASE_DIR) / "test-artifacts"
PERSONAL = ("+254712000111", "Moi Avenue", "@example.com")


class TimelineReader(HTMLParser):
    """Collects the `data-status` of the timeline's entries, in document order."""

    def __init__(self):
        super().__init__()
        self.statuses = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "li" and "event" in (attrs.get("class") or "").split():
            self.statuses.append(attrs.get("data-status"))


def timeline_of(dom: str) -> list[str]:
    reader = TimelineReader()
    reader.feed(dom)
    return reader.statuses


def chromium(url: str, tmp_path: Path, *args: str) -> str:
    command = [
        "chromium",
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-dev-shm-usage",
        f"--user-data-dir={tmp_path / 'chromium-profile'}",
        *args,
        url,
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def test_a_customer_opens_the_sms_link_and_sees_the_timeline(live_server, tmp_path, merchant, customer):
    order = order_moved_to(placed_order(customer=customer, merchant=merchant), "confirmed", "processing")
    order_set_status(order=order, status="shipped", location="Mombasa depot", note="Handed to courier")
    url = f"{live_server.url}/track/{order.tracking_code}/"

    dom = chromium(url, tmp_path, "--dump-dom")

    assert f"Order {order.order_number}" in dom
    assert merchant.company_name in dom
    assert 'id="current-status" data-status="shipped"' in dom
    assert timeline_of(dom) == ["shipped", "processing", "confirmed", "pending"]
    assert "Mombasa depot" in dom
    assert not any(value in dom for value in PERSONAL)

    ARTIFACTS.mkdir(exist_ok=True)
    screenshot = ARTIFACTS / "tracking.png"
    screenshot.unlink(missing_ok=True)
    chromium(url, tmp_path, f"--screenshot={screenshot}", "--window-size=412,915", "--hide-scrollbars")
    assert screenshot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_an_unknown_code_shows_the_not_found_page_in_the_browser(live_server, tmp_path):
    dom = chromium(f"{live_server.url}/track/NOSUCHCODE99/", tmp_path, "--dump-dom")
    assert "We could not find that order" in dom
    assert "NOSUCHCODE99" in dom
