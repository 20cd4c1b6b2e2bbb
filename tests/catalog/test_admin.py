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


def test_staff_drag_a_category_under_another_and_delete_one_in_the_admin(client, admin_user):
    client.force_login(admin_user)
    home, garden = CategoryFactory(name="Home"), CategoryFactory(name="Garden")
    tools = CategoryFactory(name="Tools", parent=home)

    moved = client.post(
        "/admin/catalog/category/",
        {
            "cmd": "move_node",
            "cut_item": str(tools.pk),
            "pasted_on": str(garden.pk),
            "position": "last-child",
        },
    )
    assert moved.status_code == 200 and moved.content.startswith(b"OK")
    tools.refresh_from_db()
    garden.refresh_from_db()
    assert tools.parent_id == garden.pk
    assert (garden.lft, tools.lft, tools.rght, garden.rght) == (1, 2, 3, 4)

    deleted = client.post(f"/admin/catalog/category/{home.pk}/delete/", {"post": "yes"})
    assert deleted.status_code == 302
    assert list(Category.objects.order_by("tree_id", "lft").values_list("name", flat=True)) == [
        "Garden",
        "Tools",
    ]
