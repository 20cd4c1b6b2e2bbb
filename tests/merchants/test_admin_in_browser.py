"""The operator's console in headless Chromium, at a phone's and a laptop's width: a KYC reviewer works the
queue (document preview, approve with confirmation, reject with reason, next in queue) and an operator
suspends and reactivates a merchant. Screenshots go to test-artifacts/.

Driven with Playwright's Python API against the system Chromium (the shared `chromium` fixture,
tests/browser/chromium.py).
"""

import importlib.util
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.test import override_settings
from django.utils import timezone
from pytest_django.live_server_helper import LiveServer

from merchants.models import KYCStatus, KYCSubmission
from tests.factories import (
    TEST_PASSWORD,
    KYCSubmissionFactory,
    MerchantFactory,
    StaffFactory,
    pdf_showing,
    png_of,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTIFACTS = Path(settings.BASE_DIR) / "test-artifacts"
VIEWPORTS = {"390": {"width": 390, "height": 844}, "1366": {"width": 1366, "height": 900}}


@pytest.fixture(params=sorted(VIEWPORTS), ids=lambda width: f"{width}px")
def width(request):
    return request.param


# A policy as strict as production's (when django-csp is installed): the pages must work under it.
STRICT_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'none'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],  # production's too: the admin's autocomplete asks its own server
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'none'"],
        "object-src": ["'none'"],
    }
}


POLICY_ACTIVE = importlib.util.find_spec("csp") is not None


@pytest.fixture(scope="module")
def live_server(django_db_setup, django_db_blocker):
    """pytest-django's `live_server`, but this module's own, started under the strict policy: a server builds
    its middleware when it starts, so the session-wide one cannot take the policy on later. (pytest-django
    still adds its host to ALLOWED_HOSTS around each test, as for its own.)"""
    policy = {}
    if POLICY_ACTIVE:
        policy = {
            "MIDDLEWARE": [*settings.MIDDLEWARE, "csp.middleware.CSPMiddleware"],
            "CONTENT_SECURITY_POLICY": STRICT_POLICY,
        }
    with django_db_blocker.unblock(), override_settings(**policy):
        server = LiveServer("localhost")
        yield server
        server.stop()


@pytest.fixture
def page(chromium, width):
    # Transactional tests flush the tables and recreate the content types, maybe under other ids: the cached
    # ones would break the admin's log entries (FOREIGN KEY constraint failed) in the next module's test.
    ContentType.objects.clear_cache()
    context = chromium.new_context(viewport=VIEWPORTS[width])
    tab = context.new_page()
    tab.set_default_timeout(30_000)  # generous: CI shares two cores with servers and workers
    violations = []
    tab.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    yield tab
    context.close()
    assert not violations, violations


def screenshot(page, name: str, width: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}-{width}.png"
    page.screenshot(path=str(path), full_page=True)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def pdf_viewer_open(page) -> None:
    """Wait until Chromium's PDF viewer (an extension frame inside ours) has loaded and painted."""
    for _ in range(100):
        if any(frame.url.startswith("chrome-extension://") for frame in page.frames):
            page.wait_for_timeout(1000)  # its first paint, for the screenshot
            return
        page.wait_for_timeout(100)
    raise AssertionError(f"no PDF viewer among the frames: {[frame.url for frame in page.frames]}")


def sign_in(page, live_server, user) -> None:
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", user.email)
    page.fill("#id_password", TEST_PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(f"{live_server.url}/admin/")


def test_a_reviewer_works_the_kyc_queue(page, width, live_server):
    now = timezone.now()
    pdf = KYCSubmissionFactory(
        legal_name="Duka Bora Limited",
        document=ContentFile(pdf_showing("Certificate of Incorporation"), name="document"),
    )
    image = KYCSubmissionFactory(
        legal_name="Soko Safi Limited",
        document=ContentFile(png_of(600, 400), name="document"),
        document_content_type="image/png",
    )
    KYCSubmission.objects.filter(pk=pdf.pk).update(submitted_at=now - timedelta(hours=2))
    KYCSubmission.objects.filter(pk=image.pk).update(submitted_at=now - timedelta(hours=1))
    sign_in(page, live_server, StaffFactory(groups=["KYC reviewers"]))

    # The queue is the default view, oldest first.
    queue = page.goto(f"{live_server.url}/admin/merchants/kycsubmission/")
    if POLICY_ACTIVE:
        assert "default-src 'none'" in queue.headers["content-security-policy"]
    rows = page.locator("#result_list tbody tr")
    assert rows.count() == 2
    assert "Duka Bora Limited" in rows.nth(0).inner_text()
    screenshot(page, "kyc-queue", width)

    # The review page: the fields beside the PDF, shown by the browser's own viewer.
    with page.expect_response(lambda answer: "/document/preview/" in answer.url) as document:
        rows.nth(0).locator("a").first.click()
    assert document.value.status == 200
    assert document.value.headers["content-type"] == "application/pdf"
    preview = page.locator("iframe#kyc-document-preview")
    preview.wait_for(state="visible")
    assert preview.bounding_box()["height"] >= 400
    pdf_viewer_open(page)
    assert "Duka Bora Limited" in page.locator(".kyc-review-fields").inner_text()
    screenshot(page, "kyc-review-pdf", width)

    # Approve asks first; confirming opens the next submission in the queue.
    page.click("#kyc-approve")
    assert page.locator("[data-decision=approve]").is_visible()
    screenshot(page, "kyc-approve-confirm", width)
    page.click("input[name=confirm]")
    page.wait_for_url(f"**/admin/merchants/kycsubmission/{image.pk}/change/")
    assert "Approved the KYC of" in page.locator(".messagelist").inner_text()
    assert "Next in queue" in page.locator(".messagelist").inner_text()

    # An image document is shown inline, decoded.
    picture = page.locator("img#kyc-document-preview")
    picture.wait_for(state="visible")
    page.wait_for_function("() => document.querySelector('#kyc-document-preview').naturalWidth === 600")
    screenshot(page, "kyc-review-image", width)

    # Reject needs a reason; the queue is then empty.
    page.click("#kyc-reject")
    page.click("input[name=confirm]")  # no reason yet
    assert "This field is required" in page.content()
    page.fill("textarea[name=reason]", "The registration number does not match the certificate.")
    screenshot(page, "kyc-reject-reason", width)
    page.click("input[name=confirm]")
    page.wait_for_url(f"{live_server.url}/admin/merchants/kycsubmission/")
    assert "The KYC queue is empty." in page.locator(".messagelist").inner_text()

    pdf.refresh_from_db()
    image.refresh_from_db()
    assert (pdf.status, image.status) == (KYCStatus.APPROVED, KYCStatus.REJECTED)
    assert image.rejection_reason == "The registration number does not match the certificate."

    # Decided: read-only, no decision buttons any more.
    page.goto(f"{live_server.url}/admin/merchants/kycsubmission/{pdf.pk}/change/")
    assert page.locator("#kyc-approve").count() == 0
    assert page.locator("input[name=_save]").count() == 0


def test_an_operator_suspends_and_reactivates_a_merchant(page, width, live_server):
    merchant = MerchantFactory(company_name="Duka Bora Ltd")
    sign_in(page, live_server, StaffFactory(groups=["Operators"]))
    page.goto(f"{live_server.url}/admin/merchants/merchant/{merchant.pk}/change/")

    page.click("#merchant-suspend")
    assert page.locator("[data-decision=suspend]").is_visible()
    page.fill("textarea[name=reason]", "Counterfeit goods reported by three customers.")
    screenshot(page, "merchant-suspend-reason", width)
    page.click("input[name=confirm]")
    page.wait_for_url(f"**/admin/merchants/merchant/{merchant.pk}/change/")
    banner = page.locator("#merchant-suspended")
    assert "Counterfeit goods reported" in banner.inner_text()
    screenshot(page, "merchant-suspended", width)
    merchant.refresh_from_db()
    assert merchant.is_suspended and not merchant.is_active

    page.click("#merchant-reactivate")
    assert page.locator("[data-decision=reactivate]").is_visible()
    page.click("input[name=confirm]")
    page.wait_for_url(f"**/admin/merchants/merchant/{merchant.pk}/change/")
    assert page.locator("#merchant-suspended").count() == 0
    assert page.locator("#merchant-suspend").is_visible()
    screenshot(page, "merchant-reactivated", width)
    merchant.refresh_from_db()
    assert merchant.is_active and not merchant.is_suspended
