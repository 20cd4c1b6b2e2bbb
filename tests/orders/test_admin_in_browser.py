"""An operator moves an order on its admin page in headless Chromium (390 and 1366 px, under the strict CSP):
only the lifecycle's moves are offered, the change lands in the timeline, the tracking page is linked."""

import pytest

from tests.factories import StaffFactory, placed_order
from tests.merchants import test_admin_in_browser as console

pytest.importorskip("playwright.sync_api", reason="needs Playwright (requirements/local.txt)")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

live_server, page, width = console.live_server, console.page, console.width


def test_an_operator_moves_an_order_on_its_page(page, width, live_server):
    order = placed_order()
    console.sign_in(page, live_server, StaffFactory(is_superuser=True))
    page.goto(f"{live_server.url}/admin/orders/order/{order.pk}/change/")

    options = page.locator("#order-status-form select[name=status] option").all_inner_texts()
    assert options == ["Confirmed", "Cancelled"]
    assert page.locator("#order-tracking-link").get_attribute("href") == f"/track/{order.tracking_code}/"
    assert not page.locator("#events-group td.original p").first.is_visible()  # no id caption over a row
    console.screenshot(page, "admin-order-page", width)

    page.select_option("#order-status-form select[name=status]", "confirmed")
    page.fill("#order-status-form textarea[name=note]", "Called the customer")
    page.click("#order-status-form input[type=submit]")

    page.wait_for_selector(".messagelist li")
    assert "moved to Confirmed" in page.locator(".messagelist").inner_text()
    assert page.locator("#order-status-form select[name=status] option").all_inner_texts() == [
        "Processing",
        "Cancelled",
    ]
    assert "Called the customer" in page.locator("#events-group").inner_text()
    console.screenshot(page, "admin-order-moved", width)
