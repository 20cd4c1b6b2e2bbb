"""Registering a merchant account gives it its business row, in the same transaction as the user."""

import pytest
from django.core import mail

from accounts.models import User
from accounts.services import user_register
from accounts.signals import user_registered
from merchants.models import Merchant

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-and-unusual-passphrase-42"


def _register(api_client, capture, *, account_type: str, company_name: str):
    payload = {"email": "shop@example.com", "password": PASSWORD, "account_type": account_type}
    with capture(execute=True):
        return api_client.post("/api/v1/auth/register/", payload | {"company_name": company_name})


def test_a_merchant_registers_with_its_company(api_client, django_capture_on_commit_callbacks):
    capture = django_capture_on_commit_callbacks
    response = _register(api_client, capture, account_type="merchant", company_name="  Duka Ltd ")
    assert response.status_code == 201, response.json()
    assert response.json()["company_name"] == "Duka Ltd"
    merchant = Merchant.objects.get(user__email="shop@example.com")
    assert merchant.company_name == "Duka Ltd"
    assert merchant.kyc_status == "not_submitted"
    assert merchant.is_active is False
    assert len(mail.outbox) == 1


def test_a_customer_naming_a_company_is_no_merchant(api_client, django_capture_on_commit_callbacks):
    capture = django_capture_on_commit_callbacks
    response = _register(api_client, capture, account_type="customer", company_name="Duka Ltd")
    assert response.status_code == 201, response.json()
    assert "company_name" not in response.json()
    assert not Merchant.objects.exists()


def test_a_registration_failing_after_the_merchant_row_leaves_nothing_behind(
    django_capture_on_commit_callbacks,
):
    seen = []

    def failing_receiver(sender, user, **kwargs):
        seen.append(Merchant.objects.filter(user=user).exists())
        raise RuntimeError("the next step of the registration failed")

    user_registered.connect(failing_receiver, dispatch_uid="test-failing-registration")
    try:
        with pytest.raises(RuntimeError), django_capture_on_commit_callbacks(execute=True):
            user_register(
                email="shop@example.com", password=PASSWORD, account_type="merchant", company_name="Duka Ltd"
            )
    finally:
        user_registered.disconnect(dispatch_uid="test-failing-registration")
    assert seen == [True]  # the merchant row was written inside the registration's transaction...
    assert not User.objects.exists()  # ...and went with it
    assert not Merchant.objects.exists()
    assert mail.outbox == []
