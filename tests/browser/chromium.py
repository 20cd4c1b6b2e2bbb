"""Headless Chromium for the browser tests: the system Chromium (no browser download) driven with Playwright's
sync API. `chromium` is a module-scoped fixture (registered for every test in tests/conftest.py)."""

import os
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")


@pytest.fixture(scope="module")
def chromium():
    """A launched Chromium (Playwright `Browser`), shared by the tests of one module."""
    playwright = pytest.importorskip(
        "playwright.sync_api", reason="needs Playwright (requirements/local.txt)"
    )
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM}")
    # Playwright's sync API runs an event loop in this thread for the whole module, test database set-up
    # and flushes included; the ORM calls around it are plain synchronous code all the same.
    with pytest.MonkeyPatch.context() as patch, playwright.sync_playwright() as driver:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        browser = driver.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"]
        )
        yield browser
        browser.close()
