"""An operator suspends and reactivates a merchant from its admin page; merchants with a history are never
deleted from the admin."""

import pytest
from django.core import mail

from merchants.models import Merchant
from tests.factories import AdminFactory, KYCSubmissionFactory, MerchantFactory, admin_page, placed_order
from tests.webhooks.platform import Platform, new_secret, order_created_event

pytestmark = pytest.mark.django_db

MERCHANTS = "/admin/merchants/merchant/"


def test_an_operator_suspends_with_a_reason_and_reactivates(
    staff_in, merchant, django_capture_on_commit_callbacks
):
    operator = staff_in("Operators")
    page = operator.get(admin_page(merchant)).content.decode()
    assert f'href="{admin_page(merchant, "suspend")}"' in page and 'id="merchant-reactivate"' not in page

    form = operator.get(admin_page(merchant, "suspend")).content.decode()
    assert 'name="reason"' in form and 'data-decision="suspend"' in form
    blank = operator.post(admin_page(merchant, "suspend"), {"reason": " "})
    assert "This field is required" in blank.content.decode()
    merchant.refresh_from_db()
    assert not merchant.is_suspended

    emails_before = len(mail.outbox)
    with django_capture_on_commit_callbacks(execute=True):
        done = operator.post(admin_page(merchant, "suspend"), {"reason": "Counterfeit goods reported."})
    assert done["Location"] == admin_page(merchant)
    merchant.refresh_from_db()
    assert (merchant.is_active, merchant.suspension_reason) == (False, "Counterfeit goods reported.")
    assert "Counterfeit goods reported." in mail.outbox[emails_before].body

    page = operator.get(admin_page(merchant)).content.decode()
    assert 'id="merchant-suspended"' in page and "Counterfeit goods reported." in page
    assert 'id="merchant-suspend"' not in page and 'id="merchant-reactivate"' in page

    assert 'data-decision="reactivate"' in operator.get(admin_page(merchant, "reactivate")).content.decode()
    merchant.refresh_from_db()
    assert merchant.is_suspended  # asking is not doing
    operator.post(admin_page(merchant, "reactivate"))
    merchant.refresh_from_db()
    assert merchant.is_active and not merchant.is_suspended


def test_suspension_from_the_admin_refuses_the_merchants_webhooks(staff_in, merchant):
    operator = staff_in("Operators")
    secret = new_secret()
    merchant.webhook_secrets.create(secret=secret)
    operator.post(admin_page(merchant, "suspend"), {"reason": "Fraud review"})
    answer = Platform(merchant, secret).send(order_created_event())
    assert (answer.status_code, answer.json()["code"]) == (403, "merchant_suspended")


def test_staff_without_suspend_merchant_see_no_buttons_and_cannot_suspend(staff_in, merchant):
    client = staff_in("KYC reviewers")
    page = client.get(admin_page(merchant)).content.decode()
    assert 'id="merchant-suspend"' not in page
    assert client.get(admin_page(merchant, "suspend")).status_code == 403
    assert client.post(admin_page(merchant, "suspend"), {"reason": "x"}).status_code == 403
    merchant.refresh_from_db()
    assert merchant.is_active


def test_a_pending_merchant_page_offers_its_kyc_review_not_suspension(staff_in):
    operator = staff_in("Operators")
    submission = KYCSubmissionFactory()
    page = operator.get(admin_page(submission.merchant)).content.decode()
    assert f'href="/admin/merchants/kycsubmission/{submission.pk}/change/"' in page
    assert 'id="merchant-suspend"' not in page


@pytest.mark.parametrize("history", ["order", "kyc", "delivery"])
def test_a_merchant_with_a_history_is_never_deleted(client, history):
    merchant = MerchantFactory()
    if history == "order":
        placed_order(merchant=merchant)
    elif history == "kyc":
        KYCSubmissionFactory(merchant=merchant, status="approved", decided_at=merchant.activated_at)
    else:
        Platform(merchant, new_secret()).send(order_created_event())  # unsigned for it: recorded, refused
    client.force_login(AdminFactory())  # a superuser, who holds every permission

    assert client.get(admin_page(merchant, "delete")).status_code == 403
    assert "deletelink" not in client.get(admin_page(merchant)).content.decode()
    # Nor by deleting the merchant's user account.
    user_delete = client.post(f"/admin/accounts/user/{merchant.user.pk}/delete/", {"post": "yes"})
    assert user_delete.status_code in (200, 403)
    assert Merchant.objects.filter(pk=merchant.pk).exists()


def test_a_merchant_without_a_history_can_be_deleted_from_its_page(client):
    merchant = MerchantFactory(pending=True)
    client.force_login(AdminFactory())
    assert client.post(admin_page(merchant, "delete"), {"post": "yes"}).status_code == 302
    assert not Merchant.objects.filter(pk=merchant.pk).exists()


def test_delete_selected_is_not_among_the_merchant_actions(client, merchant):
    client.force_login(AdminFactory())
    actions = client.get(MERCHANTS).content.decode()
    assert 'value="delete_selected"' not in actions
    assert actions.index('value="approve_kyc"') < actions.index('value="reject_kyc"')
