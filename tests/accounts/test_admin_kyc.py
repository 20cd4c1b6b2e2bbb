"""Staff decide KYC from the Django admin with the same services as the API."""

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME

from accounts.models import KYCStatus, User
from accounts.signals import kyc_decided
from tests.accounts.factories import PDF_BYTES, KYCSubmissionFactory
from tests.factories import MerchantFactory

pytestmark = pytest.mark.django_db

MERCHANTS = "/admin/accounts/merchant/"
SUBMISSIONS = "/admin/accounts/kycsubmission/"


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

    response = staff.post(
        MERCHANTS,
        {
            "action": "approve_kyc",
            ACTION_CHECKBOX_NAME: [str(s.merchant.pk) for s in pending] + [str(already.pk)],
        },
        follow=True,
    )
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
    staff.post(SUBMISSIONS, {"action": "approve_kyc", ACTION_CHECKBOX_NAME: [str(submission.pk)]})
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


def test_filters_and_user_pages_render(staff, admin_user):
    KYCSubmissionFactory()
    assert staff.get(MERCHANTS + "?kyc_status__exact=submitted").status_code == 200
    assert staff.get(SUBMISSIONS + "?status__exact=submitted").status_code == 200
    assert staff.get("/admin/accounts/user/").status_code == 200
    assert staff.get(f"/admin/accounts/user/{admin_user.pk}/change/").status_code == 200
    assert staff.get("/admin/accounts/user/add/").status_code == 200
    assert staff.get(MERCHANTS + "add/").status_code == 200
    assert staff.get("/admin/accounts/emailotp/").status_code == 200


def test_staff_create_a_user_by_email(staff):
    response = staff.post(
        "/admin/accounts/user/add/",
        {
            "email": "new.person@example.com",
            "account_type": "customer",
            "usable_password": "true",
            "password1": "a-Long-unusual-passphrase-42",
            "password2": "a-Long-unusual-passphrase-42",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert User.objects.get(email="new.person@example.com").check_password("a-Long-unusual-passphrase-42")
