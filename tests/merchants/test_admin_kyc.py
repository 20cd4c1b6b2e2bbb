"""Staff decide KYC from the Django admin with the same services as the API."""

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME

from merchants.models import KYCStatus
from merchants.signals import kyc_decided
from tests.factories import PDF_BYTES, KYCSubmissionFactory, MerchantFactory

pytestmark = pytest.mark.django_db

MERCHANTS = "/admin/merchants/merchant/"
SUBMISSIONS = "/admin/merchants/kycsubmission/"


@pytest.fixture
def staff(client, admin_user):
    client.force_login(admin_user)
    return client


@pytest.fixture
def decisions():
    received = []

    def receiver(sender, **kwargs):
        received.append(kwargs)

    kyc_decided.connect(receiver, dispatch_uid="test-admin-decisions")
    yield received
    kyc_decided.disconnect(dispatch_uid="test-admin-decisions")


def test_staff_approve_from_the_merchant_changelist(staff, admin_user, decisions):
    pending = [KYCSubmissionFactory() for _ in range(2)]
    already = MerchantFactory()

    selected = {
        "action": "approve_kyc",
        ACTION_CHECKBOX_NAME: [str(s.merchant.pk) for s in pending] + [str(already.pk)],
    }
    confirmation = staff.post(MERCHANTS, selected)
    assert confirmation.status_code == 200
    assert (
        'data-decision=""' in confirmation.content.decode()
        and "will be approved" in confirmation.content.decode()
    )
    assert not decisions  # nothing decided before the confirmation

    response = staff.post(MERCHANTS, selected | {"apply": "1"}, follow=True)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Approved KYC of 2 merchant(s)" in page
    assert f"{already.company_name}: This merchant has no KYC submission awaiting a decision" in page
    for submission in pending:
        submission.refresh_from_db()
        submission.merchant.refresh_from_db()
        assert submission.status == KYCStatus.APPROVED
        assert submission.decided_by == admin_user
        assert submission.merchant.is_active
        assert submission.merchant.webhook_secrets.count() == 1
    assert [d["approved"] for d in decisions] == [True, True]


def test_staff_approve_from_the_submission_changelist(staff):
    submission = KYCSubmissionFactory()
    selected = {"action": "approve_kyc", ACTION_CHECKBOX_NAME: [str(submission.pk)]}
    staff.post(SUBMISSIONS, selected)
    submission.merchant.refresh_from_db()
    assert submission.merchant.kyc_status == KYCStatus.SUBMITTED  # only asked to confirm
    staff.post(SUBMISSIONS, selected | {"apply": "1"})
    submission.merchant.refresh_from_db()
    assert submission.merchant.kyc_status == KYCStatus.APPROVED


def test_staff_reject_with_a_reason_on_an_intermediate_page(staff, decisions):
    submission = KYCSubmissionFactory()
    selected = {"action": "reject_kyc", ACTION_CHECKBOX_NAME: [str(submission.merchant.pk)]}

    form = staff.post(MERCHANTS, selected)
    assert form.status_code == 200
    assert 'name="reason"' in form.content.decode()
    submission.refresh_from_db()
    assert submission.status == KYCStatus.SUBMITTED  # nothing decided before the reason is given

    no_reason = staff.post(MERCHANTS, selected | {"apply": "Reject", "reason": ""})
    assert no_reason.status_code == 200
    assert "This field is required" in no_reason.content.decode()

    done = staff.post(
        MERCHANTS, selected | {"apply": "Reject", "reason": "Tax id does not match."}, follow=True
    )
    assert "Rejected KYC of 1 merchant(s)" in done.content.decode()
    submission.refresh_from_db()
    assert (submission.status, submission.rejection_reason) == (KYCStatus.REJECTED, "Tax id does not match.")
    assert decisions[0]["reason"] == "Tax id does not match."


def test_staff_reject_from_the_submission_changelist(staff):
    submission = KYCSubmissionFactory()
    selected = {"action": "reject_kyc", ACTION_CHECKBOX_NAME: [str(submission.pk)]}
    staff.post(SUBMISSIONS, selected | {"apply": "Reject", "reason": "Blurry scan."})
    submission.refresh_from_db()
    assert submission.status == KYCStatus.REJECTED


def test_submission_pages_link_the_document_through_the_admin(staff, client):
    submission = KYCSubmissionFactory()
    document_url = f"{SUBMISSIONS}{submission.pk}/document/"

    for page in (
        SUBMISSIONS,
        f"{SUBMISSIONS}{submission.pk}/change/",
        f"{MERCHANTS}{submission.merchant.pk}/change/",
    ):
        response = staff.get(page)
        assert response.status_code == 200
        assert document_url in response.content.decode()

    download = staff.get(document_url)
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF_BYTES

    staff.logout()
    assert client.get(document_url).status_code == 302  # to the admin login
    client.force_login(submission.merchant.user)  # not staff
    assert client.get(document_url).status_code == 302


def test_merchant_and_submission_filters_render(staff):
    KYCSubmissionFactory()
    assert staff.get(MERCHANTS + "?kyc_status__exact=submitted").status_code == 200
    assert staff.get(SUBMISSIONS + "?status__exact=submitted").status_code == 200
    assert staff.get(MERCHANTS + "add/").status_code == 200
