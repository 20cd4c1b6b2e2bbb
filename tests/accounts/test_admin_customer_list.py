"""Admins look through the customer accounts."""

import pytest

from tests.factories import AdminFactory, CustomerFactory, MerchantFactory

pytestmark = pytest.mark.django_db


def test_customer_list_searches_and_filters_by_verification(admin_client, django_assert_num_queries):
    amina = CustomerFactory(email="amina@example.com", first_name="Amina", is_email_verified=True)
    brian = CustomerFactory(email="brian@example.com", first_name="Brian", is_email_verified=False)
    MerchantFactory()
    AdminFactory()

    with django_assert_num_queries(3):  # admin user, count, page
        everyone = admin_client.get("/api/v1/admin/customers/").json()
    assert {c["email"] for c in everyone["results"]} == {amina.email, brian.email}
    assert set(everyone["results"][0]) == {
        "id",
        "email",
        "first_name",
        "last_name",
        "phone_number",
        "is_verified",
        "is_active",
        "date_joined",
    }
    assert [
        c["email"] for c in admin_client.get("/api/v1/admin/customers/?search=amina").json()["results"]
    ] == [amina.email]
    unverified = admin_client.get("/api/v1/admin/customers/?is_verified=false").json()["results"]
    assert [(c["email"], c["is_verified"]) for c in unverified] == [(brian.email, False)]
    verified = admin_client.get("/api/v1/admin/customers/?is_verified=true").json()["results"]
    assert [c["email"] for c in verified] == [amina.email]


def test_the_customer_list_is_for_admins_only(customer_client, merchant_client, api_client):
    path = "/api/v1/admin/customers/"
    assert customer_client.get(path).status_code == 403
    assert merchant_client.get(path).status_code == 403
    assert api_client.get(path).status_code == 401


def test_admin_lists_paginate(admin_client):
    CustomerFactory.create_batch(3)
    body = admin_client.get("/api/v1/admin/customers/?page_size=2").json()
    assert (body["count"], len(body["results"])) == (3, 2)
    assert body["next"] is not None
