"""Racing requests on one merchant: the row lock (and the constraints behind it) keep one outcome."""

import threading

import pytest
from django.db import connection

from core.errors import DomainError
from merchants.models import KYCSubmission, Merchant
from merchants.services import kyc_submit, webhook_secret_create, webhook_secret_rotate
from tests.factories import MerchantFactory, PendingMerchantFactory, kyc_form

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def race(work, runners: int = 2) -> list:
    """Run `work` in parallel threads started together; return each one's result or exception."""
    barrier = threading.Barrier(runners)
    outcomes = []

    def runner():
        try:
            barrier.wait()
            outcomes.append(work())
        except Exception as exc:  # noqa: BLE001 - collected for the assertions
            outcomes.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=runner) for _ in range(runners)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


def test_two_simultaneous_submissions_make_one():
    merchant = PendingMerchantFactory()

    def submit():
        fields = kyc_form()
        return kyc_submit(merchant=Merchant.objects.get(pk=merchant.pk), **fields)

    outcomes = race(submit)
    created = [o for o in outcomes if isinstance(o, KYCSubmission)]
    refused = [o for o in outcomes if isinstance(o, DomainError)]
    assert len(created) == 1 and len(refused) == 1, outcomes
    assert refused[0].code == "kyc_already_submitted"
    assert KYCSubmission.objects.filter(merchant=merchant).count() == 1


def test_two_simultaneous_rotations_leave_one_current_secret():
    merchant = MerchantFactory()
    webhook_secret_create(merchant=merchant)

    outcomes = race(lambda: webhook_secret_rotate(merchant=Merchant.objects.get(pk=merchant.pk)))
    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    assert merchant.webhook_secrets.count() == 3
    assert merchant.webhook_secrets.filter(expires_at__isnull=True).count() == 1
