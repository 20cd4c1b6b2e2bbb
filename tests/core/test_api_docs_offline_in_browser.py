"""Issue 17: Swagger UI and Redoc render in headless Chromium with every request to another host aborted, and
never even try one (no web font, logo or script from a CDN): the docs work on a machine without internet.
"""

from urllib.parse import urlsplit

import pytest

from tests.tracking.test_tracking_page_in_browser import ARTIFACTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}


@pytest.fixture
def offline_page(chromium):
    """offline_page() -> (tab, attempted): a tab whose requests off this machine are aborted and recorded,
    and whose console complaints about the Content-Security-Policy are recorded as well."""
    contexts = []

    def opener():
        context = chromium.new_context(viewport={"width": 1366, "height": 900})
        contexts.append(context)
        attempted = []

        def only_loopback(route):
            url = route.request.url
            parts = urlsplit(url)
            if parts.scheme in {"http", "https", "ws", "wss"} and parts.hostname not in LOOPBACK:
                attempted.append(url)
                route.abort("internetdisconnected")
            else:
                route.continue_()

        context.route("**/*", only_loopback)
        # A request the policy refuses never reaches the network (nor the route above): the console names it.
        context.on(
            "console",
            lambda message: "Content Security Policy" in message.text and attempted.append(message.text),
        )
        tab = context.new_page()
        tab.set_default_timeout(20_000)
        return tab, attempted

    yield opener
    for context in contexts:
        context.close()


def viewport_screenshot(tab, name: str) -> None:
    """The first screen only: the docs pages are tens of thousands of pixels long."""
    ARTIFACTS.mkdir(exist_ok=True)
    tab.screenshot(path=str(ARTIFACTS / f"{name}.png"))


def test_swagger_lists_every_operation_with_nothing_fetched_from_another_host(live_server, offline_page):
    tab, attempted = offline_page()
    tab.goto(f"{live_server.url}/api/v1/docs/swagger/")
    tab.wait_for_selector(".opblock-summary-path")
    paths = tab.locator(".opblock-summary-path").all_inner_texts()
    assert len(paths) >= 60  # one row per operation
    assert any("/api/v1/orders/{order_id}/status/" in path.replace("\u200b", "") for path in paths)
    assert tab.locator(".swagger-ui .info .title").inner_text().startswith("Ordertrail API")
    tab.locator("button.authorize").click()
    schemes = tab.locator(".auth-container h4").all_inner_texts()
    assert [s.split()[0] for s in schemes] == ["bearerAuth"]  # one scheme: the bearer token
    viewport_screenshot(tab, "api-docs-swagger-offline-1366")
    assert attempted == []


def test_redoc_shows_the_title_and_the_operations_with_nothing_fetched_from_another_host(
    live_server, offline_page
):
    tab, attempted = offline_page()
    tab.goto(f"{live_server.url}/api/v1/docs/redoc/")
    tab.wait_for_selector("h1:has-text('Ordertrail API')")
    tab.wait_for_selector("text=/api/v1/orders/{order_id}/status/", state="attached")
    menu = tab.locator("[role=menuitem]").all_inner_texts()
    assert len(menu) >= 60
    assert tab.get_by_text("API docs by Redocly").count() == 1  # the attribution stays, its remote logo not
    viewport_screenshot(tab, "api-docs-redoc-offline-1366")
    assert attempted == []
