"""Customer lists cost the same queries for a page of 2 or 50 and for a few or many customers (issue 18), in
the admin API and in the Django admin."""

import pytest
from django.contrib.auth import get_user_model

from tests.factories import CustomerFactory
from tests.query_counts import assert_list_queries

pytestmark = pytest.mark.django_db


def customers(n):
    CustomerFactory.create_batch(n, last_name="Wanjiru")


@pytest.mark.parametrize("params", [{}, {"search": "wanjiru"}, {"is_verified": "true"}], ids=str)
def test_the_admin_api_lists_customers(admin_client, django_assert_num_queries, params):
    customers(3)
    # the user (JWT), COUNT, the page
    assert_list_queries(
        django_assert_num_queries,
        admin_client,
        "/api/v1/admin/customers/",
        3,
        grow=lambda: customers(9),
        params=params,
    )


@pytest.mark.parametrize(
    "params", [{"account_type__exact": "customer"}, {"q": "wanjiru"}], ids=["customers", "search"]
)
def test_the_django_admin_changelist(admin_user, client, django_assert_num_queries, monkeypatch, params):
    from django.contrib import admin

    customers(3)
    client.force_login(admin_user)
    user_admin = type(admin.site._registry[get_user_model()])
    # the session, the user, COUNT, the full COUNT, the page
    for per_page in (2, 100):
        monkeypatch.setattr(user_admin, "list_per_page", per_page)
        assert_list_queries(
            django_assert_num_queries,
            client,
            "/admin/accounts/user/",
            5,
            grow=lambda: customers(9),
            params=params,
            page_sizes=(None,),
        )
