"""Staff manage the catalog in the Django admin too: a draggable category tree and a product list."""

import pytest

from catalog.models import Category
from tests.factories import CategoryFactory

pytestmark = pytest.mark.django_db


def test_staff_browse_the_category_tree_and_products_in_the_admin(client, admin_user, product):
    client.force_login(admin_user)
    CategoryFactory(name="Child", parent=product.category)
    for url in (
        "/admin/catalog/category/",
        "/admin/catalog/category/add/",
        f"/admin/catalog/category/{product.category.pk}/change/",
        "/admin/catalog/product/",
        "/admin/catalog/product/add/",
        f"/admin/catalog/product/{product.pk}/change/",
    ):
        assert client.get(url).status_code == 200, url
    assert b"Child" in client.get("/admin/catalog/category/").content


def test_a_category_added_in_the_admin_gets_a_derived_unique_slug(client, admin_user):
    client.force_login(admin_user)
    CategoryFactory(name="Garden", slug="garden-tools")
    response = client.post("/admin/catalog/category/add/", {"name": "Garden Tools", "parent": ""})
    assert response.status_code == 302
    created = Category.objects.get(name="Garden Tools")
    assert created.slug.startswith("garden-tools-")
