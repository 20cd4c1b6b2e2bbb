"""A KYC reviewer works the queue in the Django admin: each submission's fields beside its document, a
confirmed decision, then the next one."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.core.files.base import ContentFile
from django.utils import timezone

from merchants.models import KYCStatus, KYCSubmission
from tests.factories import (
    PDF_BYTES,
    PNG_BYTES,
    KYCSubmissionFactory,
    RejectedKYCSubmissionFactory,
    StaffFactory,
    admin_page,
)

pytestmark = pytest.mark.django_db

SUBMISSIONS = "/admin/merchants/kycsubmission/"


@pytest.fixture
def queue():
    """Three waiting submissions, oldest first (the order the queue is worked in), and a decided one."""
    now = timezone.now()
    waiting = [KYCSubmissionFactory() for _ in range(3)]
    for age, submission in zip((3, 2, 1), waiting, strict=True):
        KYCSubmission.objects.filter(pk=submission.pk).update(submitted_at=now - timedelta(hours=age))
    RejectedKYCSubmissionFactory()
    return waiting


def listed(response) -> list[str]:
    """The submissions' ids in the changelist, in order."""
    return re.findall(
        r'href="/admin/merchants/kycsubmission/([0-9a-f-]{36})/change/', response.content.decode()
    )


def flashed(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_the_queue_is_the_default_view_oldest_first(staff_in, queue):
    reviewer = staff_in("KYC reviewers")
    response = reviewer.get(SUBMISSIONS)
    assert response.status_code == 200
    assert listed(response) == [str(s.pk) for s in queue]
    assert "Awaiting review (queue)" in response.content.decode()

    everything = reviewer.get(SUBMISSIONS + "?status=all")
    assert len(listed(everything)) == 4
    assert len(listed(reviewer.get(SUBMISSIONS + "?status=rejected"))) == 1


def test_the_review_page_shows_the_fields_beside_an_inline_pdf(staff_in, queue):
    reviewer = staff_in("KYC reviewers")
    submission = queue[0]
    page = reviewer.get(admin_page(submission)).content.decode()

    preview = admin_page(submission, "document_preview")
    assert f'<iframe id="kyc-document-preview" class="kyc-document-frame" src="{preview}"' in page
    for value in (submission.legal_name, submission.registration_number, submission.tax_id):
        assert value in page
    assert 'id="kyc-approve"' in page and 'id="kyc-reject"' in page and 'id="kyc-next"' in page
    # Read-only: no Save buttons, no Delete link.
    assert 'name="_save"' not in page and "deletelink" not in page

    inline = reviewer.get(preview)
    assert inline.status_code == 200
    assert b"".join(inline.streaming_content) == PDF_BYTES
    assert inline["Content-Type"] == "application/pdf"
    assert inline["Content-Disposition"].startswith("inline;")
    assert inline["X-Frame-Options"] == "SAMEORIGIN"
    assert "frame-ancestors 'self'" in inline["Content-Security-Policy"]
    assert inline["X-Content-Type-Options"] == "nosniff"


def test_an_image_document_is_shown_as_an_image(staff_in):
    reviewer = staff_in("KYC reviewers")
    submission = KYCSubmissionFactory(
        document=ContentFile(PNG_BYTES, name="document"), document_content_type="image/png"
    )
    page = reviewer.get(admin_page(submission)).content.decode()
    assert (
        f'<img id="kyc-document-preview" class="kyc-document-image" src="{SUBMISSIONS}{submission.pk}' in page
    )
    assert reviewer.get(admin_page(submission, "document_preview"))["Content-Type"] == "image/png"


def test_approve_asks_for_confirmation_then_opens_the_next_in_queue(staff_in, queue):
    reviewer = staff_in("KYC reviewers")
    first, second, _ = queue
    confirm = reviewer.get(admin_page(first, "approve"))
    assert confirm.status_code == 200
    assert 'data-decision="approve"' in confirm.content.decode()
    first.refresh_from_db()
    assert first.status == KYCStatus.SUBMITTED  # looking at the question decides nothing

    done = reviewer.post(admin_page(first, "approve"))

    assert done.status_code == 302 and done["Location"] == admin_page(second)
    first.refresh_from_db()
    first.merchant.refresh_from_db()
    assert (first.status, first.merchant.is_active) == (KYCStatus.APPROVED, True)
    assert flashed(done) == [
        f"Approved the KYC of {first.merchant}. Next in queue (2 waiting): {second.merchant}."
    ]


def test_reject_needs_a_reason_then_opens_the_next_in_queue(staff_in, queue):
    reviewer = staff_in("KYC reviewers")
    first, second, _ = queue
    form = reviewer.get(admin_page(first, "reject")).content.decode()
    assert 'name="reason"' in form and 'data-decision="reject"' in form

    blank = reviewer.post(admin_page(first, "reject"), {"reason": ""})
    assert blank.status_code == 200 and "This field is required" in blank.content.decode()
    first.refresh_from_db()
    assert first.status == KYCStatus.SUBMITTED

    done = reviewer.post(admin_page(first, "reject"), {"reason": "The tax id does not match."})
    assert done["Location"] == admin_page(second)
    first.refresh_from_db()
    assert (first.status, first.rejection_reason) == (KYCStatus.REJECTED, "The tax id does not match.")


def test_the_last_decision_returns_to_an_empty_queue(staff_in):
    reviewer = staff_in("KYC reviewers")
    only = KYCSubmissionFactory()
    done = reviewer.post(admin_page(only, "approve"))
    assert done["Location"] == SUBMISSIONS
    assert flashed(done)[-1].endswith("The KYC queue is empty.")
    assert listed(reviewer.get(SUBMISSIONS)) == []


def test_next_in_queue_skips_to_the_oldest_other_submission(staff_in, queue):
    reviewer = staff_in("KYC reviewers")
    first, second, third = queue
    assert reviewer.get(admin_page(first, "next"))["Location"] == admin_page(second)
    assert reviewer.get(admin_page(second, "next"))["Location"] == admin_page(first)
    assert reviewer.get(f"{SUBMISSIONS}next/")["Location"] == admin_page(first)


def test_a_decided_submission_is_read_only_and_cannot_be_deleted(staff_in):
    reviewer = staff_in("KYC reviewers")
    decided = RejectedKYCSubmissionFactory()
    page = reviewer.get(admin_page(decided)).content.decode()
    assert 'id="kyc-approve"' not in page and 'id="kyc-reject"' not in page
    assert "Rejected" in page and decided.rejection_reason in page

    assert reviewer.post(admin_page(decided, "approve"))["Location"] == admin_page(decided)
    decided.refresh_from_db()
    assert decided.status == KYCStatus.REJECTED
    assert reviewer.get(admin_page(decided, "delete")).status_code == 403
    assert "delete_selected" not in reviewer.get(SUBMISSIONS + "?status=all").content.decode()


def test_a_staff_member_without_approve_kyc_can_look_but_not_decide(client, queue):
    looker = StaffFactory()
    looker.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="merchants", codename__in=["view_kycsubmission", "view_merchant"]
        )
    )
    client.force_login(looker)
    submission = queue[0]

    page = client.get(admin_page(submission)).content.decode()
    assert 'id="kyc-document-preview"' in page
    assert 'id="kyc-approve"' not in page and 'id="kyc-reject"' not in page
    assert client.get(admin_page(submission, "approve")).status_code == 403
    assert client.post(admin_page(submission, "reject"), {"reason": "x"}).status_code == 403
    assert 'value="approve_kyc"' not in client.get(SUBMISSIONS).content.decode()
    submission.refresh_from_db()
    assert submission.status == KYCStatus.SUBMITTED


def test_staff_without_kyc_view_permission_cannot_open_documents(staff_in, queue):
    client = staff_in("Operators")
    submission = queue[0]
    assert client.get(admin_page(submission)).status_code == 403
    assert client.get(admin_page(submission, "document_preview")).status_code == 403
    assert client.get(admin_page(submission, "document")).status_code == 403


def test_under_a_strict_content_security_policy_the_review_page_may_frame_its_document(staff_in, settings):
    pytest.importorskip("csp", reason="django-csp sets the policy")
    settings.MIDDLEWARE = [*settings.MIDDLEWARE, "csp.middleware.CSPMiddleware"]
    settings.CONTENT_SECURITY_POLICY = {
        "DIRECTIVES": {"default-src": ["'none'"], "frame-ancestors": ["'none'"]}
    }
    reviewer = staff_in("KYC reviewers")
    submission = KYCSubmissionFactory()

    page = reviewer.get(admin_page(submission))
    assert "frame-src 'self'" in page["Content-Security-Policy"]
    preview = reviewer.get(admin_page(submission, "document_preview"))
    assert "frame-ancestors 'self'" in preview["Content-Security-Policy"]  # its own, not the site's
    assert "default-src 'none'" in preview["Content-Security-Policy"]
    # Everywhere else the site's policy stands.
    assert "frame-src" not in reviewer.get("/admin/merchants/kycsubmission/")["Content-Security-Policy"]
