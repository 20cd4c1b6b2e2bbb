"""`manage.py seed_demo` gives a newcomer a believable catalog, and running it again changes nothing."""

import io

import pytest
from django.core.management import call_command
from django.db.models import Max

from accounts.models import User
from catalog.models import Category, Product
from merchants.models import Merchant, WebhookSecret

pytestmark = pytest.mark.django_db


def seed(*args) -> str:
    out = io.StringIO()
    call_command("seed_demo", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def snapshot():
    return (
        User.objects.count(),
        Merchant.objects.count(),
        WebhookSecret.objects.count(),
        set(Category.objects.values_list("id", "lft", "rght", "level", "tree_id")),
        Product.objects.count(),
    )


def test_seed_demo_builds_a_deep_tree_with_products_and_prints_logins():
    output = seed()
    assert Merchant.objects.filter(is_active=True, kyc_status="approved").count() >= 3
    assert all(m.webhook_secrets.count() == 1 for m in Merchant.objects.all())
    assert User.objects.filter(account_type="customer").count() == 1
    assert Category.objects.aggregate(depth=Max("level"))["depth"] >= 3  # at least 4 levels
    assert Product.objects.count() >= 200
    assert "merchant1@ordertrail.local / ordertrail-merchant" in output
    assert "customer@ordertrail.local / ordertrail-customer" in output
    assert User.objects.get(email="merchant1@ordertrail.local").check_password("ordertrail-merchant")


def test_running_seed_demo_twice_adds_nothing():
    seed()
    first = snapshot()
    seed()
    assert snapshot() == first


def test_the_bulk_tree_has_the_same_bounds_mptt_would_compute():
    seed("--categories", "300", "--products", "600")
    before = set(Category.objects.values_list("id", "lft", "rght", "level", "tree_id"))
    assert len(before) == 300
    assert Product.objects.count() == 600
    Category.objects.rebuild()
    assert set(Category.objects.values_list("id", "lft", "rght", "level", "tree_id")) == before


def test_growing_an_existing_demo_catalog_keeps_the_tree_valid():
    seed()
    seed("--categories", "150", "--products", "400")
    assert Category.objects.count() == 150
    assert Product.objects.count() == 400
    before = set(Category.objects.values_list("id", "lft", "rght", "level", "tree_id"))
    Category.objects.rebuild()
    assert set(Category.objects.values_list("id", "lft", "rght", "level", "tree_id")) == before


def test_seeding_more_categories_refreshes_a_cached_tree(client):
    seed("--categories", "20", "--products", "10")
    assert len(client.get("/api/v1/categories/tree/").json()) > 0
    before = client.get("/api/v1/categories/tree/").content
    seed("--categories", "60", "--products", "10")
    assert client.get("/api/v1/categories/tree/").content != before
