"""The admin's merchant list costs the same queries for a page of 2 or 50 and for a few or many merchants."""

import pytest

from tests.factories import KYCSubmissionFactory, MerchantFactory
from tests.query_counts import assert_list_queries

pytestmark = pytest.mark.django_db


def merchants(n):
    for i in range(n):
        KYCSubmissionFactory() if i % 2 else MerchantFactory()


@pytest.mark.parametrize("params", [{}, {"kyc_status": "submitted"}, {"search": "shop"}], ids=str)
def test_the_admin_api_lists_merchants(admin_client, django_assert_num_queries, params):
    merchants(4)
    # the user (JWT), COUNT, the merchants with their users, their latest KYC submissions
    assert_list_queries(
        django_assert_num_queries,
        admin_client,
        "/api/v1/admin/merchants/",
        4,
        grow=lambda: merchants(8),
        params=params,
    )
