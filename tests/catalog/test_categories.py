"""Admins shape the category tree; everyone reads it."""

import pytest

from catalog.models import Category
from tests.factories import CategoryFactory, MerchantFactory, ProductFactory

pytestmark = pytest.mark.django_db


def chain(depth: int, prefix: str = "Level") -> list[Category]:
    """A straight line of `depth` categories, root first."""
    nodes, parent = [], None
    for level in range(depth):
        parent = CategoryFactory(name=f"{prefix} {level}", parent=parent)
        nodes.append(parent)
    return nodes


def test_admin_creates_a_category_and_the_slug_is_derived_from_its_name(admin_client):
    response = admin_client.post("/api/v1/categories/", {"name": "Phones & Tablets"})
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["slug"] == "phones-tablets"
    assert body["parent"] is None
    assert body["level"] == 0

    child = admin_client.post("/api/v1/categories/", {"name": "Smartphones", "parent": body["id"]})
    assert child.status_code == 201
    assert child.json()["parent"] == body["id"]
    assert child.json()["level"] == 1


def test_the_same_name_under_two_parents_gets_two_distinct_slugs(admin_client):
    men, women = CategoryFactory(name="Men"), CategoryFactory(name="Women")
    first = admin_client.post("/api/v1/categories/", {"name": "Shoes", "parent": str(men.pk)}).json()
    second = admin_client.post("/api/v1/categories/", {"name": "Shoes", "parent": str(women.pk)}).json()
    assert first["slug"] == "shoes"
    assert second["slug"].startswith("shoes-") and second["slug"] != "shoes"


def test_two_siblings_cannot_share_a_name(admin_client):
    parent = CategoryFactory(name="Audio")
    CategoryFactory(name="Speakers", parent=parent)
    response = admin_client.post("/api/v1/categories/", {"name": "speakers", "parent": str(parent.pk)})
    assert response.status_code == 409
    assert response.json()["code"] == "category_name_taken"

    CategoryFactory(name="Groceries")
    root = admin_client.post("/api/v1/categories/", {"name": "Groceries"})
    assert root.status_code == 409
    assert root.json()["code"] == "category_name_taken"


def test_an_unknown_parent_is_a_validation_error(admin_client):
    response = admin_client.post(
        "/api/v1/categories/", {"name": "Orphan", "parent": "00000000-0000-0000-0000-000000000000"}
    )
    assert response.status_code == 400
    assert response.json()["code"] == "validation_error"
    assert "parent" in response.json()["errors"]


def test_renaming_a_category_renews_its_slug(admin_client):
    category = CategoryFactory(name="Fridges")
    response = admin_client.patch(f"/api/v1/categories/{category.pk}/", {"name": "Refrigerators"})
    assert response.status_code == 200
    assert response.json()["slug"] == "refrigerators"


def test_moving_a_category_carries_its_whole_subtree(admin_client):
    electronics, phones, android = chain(3, "Node")
    fashion = CategoryFactory(name="Fashion")
    merchant = MerchantFactory()
    ProductFactory(category=android, merchant=merchant, price="300.00")

    response = admin_client.patch(f"/api/v1/categories/{phones.pk}/", {"parent": str(fashion.pk)})
    assert response.status_code == 200, response.json()
    assert response.json()["parent"] == str(fashion.pk)

    android.refresh_from_db()
    assert [a.pk for a in android.get_ancestors()] == [fashion.pk, phones.pk]
    assert android.level == 2
    moved = admin_client.get(f"/api/v1/categories/{fashion.pk}/average-price/").json()
    left = admin_client.get(f"/api/v1/categories/{electronics.pk}/average-price/").json()
    assert (moved["product_count"], moved["average_price"]) == (1, "300.00")
    assert (left["product_count"], left["average_price"]) == (0, None)


def test_a_category_moved_to_the_top_becomes_a_root(admin_client):
    _, child = chain(2)
    response = admin_client.patch(f"/api/v1/categories/{child.pk}/", {"parent": None}, format="json")
    assert response.status_code == 200
    child.refresh_from_db()
    assert child.parent is None and child.is_root_node()


def test_a_category_cannot_move_under_itself_or_its_descendants(admin_client):
    root, middle, leaf = chain(3)
    for target in (leaf, middle):
        response = admin_client.patch(f"/api/v1/categories/{middle.pk}/", {"parent": str(target.pk)})
        assert response.status_code == 400
        assert response.json()["code"] == "invalid_category_move"
    leaf.refresh_from_db()
    assert leaf.parent_id == middle.pk


def test_deleting_a_category_with_products_anywhere_below_is_refused(admin_client):
    root, middle, leaf = chain(3)
    ProductFactory(category=leaf)
    for category in (root, middle, leaf):
        response = admin_client.delete(f"/api/v1/categories/{category.pk}/")
        assert response.status_code == 409
        assert response.json()["code"] == "category_in_use"
    assert Category.objects.count() == 3


def test_deleting_an_empty_category_removes_its_subtree_and_keeps_the_tree_consistent(admin_client):
    root, middle, _leaf = chain(3)
    sibling = CategoryFactory(name="Sibling", parent=root)
    response = admin_client.delete(f"/api/v1/categories/{middle.pk}/")
    assert response.status_code == 204
    assert list(Category.objects.values_list("pk", flat=True).order_by("lft")) == [root.pk, sibling.pk]
    root.refresh_from_db()
    assert (root.lft, root.rght) == (1, 4)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("post", "/api/v1/categories/"),
        ("patch", "/api/v1/categories/{id}/"),
        ("delete", "/api/v1/categories/{id}/"),
    ],
)
def test_only_admins_write_categories(method, path, api_client, customer_client, merchant_client):
    category = CategoryFactory(name="Untouchable")
    url = path.format(id=category.pk)
    anonymous = getattr(api_client, method)(url, {"name": "X"}, format="json")
    assert anonymous.status_code == 401
    assert anonymous.json()["code"] == "not_authenticated"
    for client in (customer_client, merchant_client):
        response = getattr(client, method)(url, {"name": "X"}, format="json")
        assert response.status_code == 403
        assert response.json()["code"] == "permission_denied"
    category.refresh_from_db()
    assert category.name == "Untouchable"
    assert Category.objects.count() == 1


def test_anyone_lists_categories_by_parent_and_by_search(api_client):
    root, child, _ = chain(3, "Kitchen")
    CategoryFactory(name="Garden")
    children = api_client.get(f"/api/v1/categories/?parent={root.pk}").json()
    assert [c["id"] for c in children["results"]] == [str(child.pk)]
    roots = api_client.get("/api/v1/categories/?parent=null").json()
    assert {c["name"] for c in roots["results"]} == {"Kitchen 0", "Garden"}
    found = api_client.get("/api/v1/categories/?search=garden").json()
    assert [c["name"] for c in found["results"]] == ["Garden"]
    assert api_client.get("/api/v1/categories/?parent=not-a-uuid").status_code == 400


def test_the_category_list_costs_the_same_for_one_or_fifty_per_page(api_client, django_assert_num_queries):
    for i in range(60):
        CategoryFactory(name=f"Cat {i:02d}")
    for page_size in (1, 50):
        with django_assert_num_queries(2):  # COUNT + the page
            response = api_client.get(f"/api/v1/categories/?page_size={page_size}")
        assert len(response.json()["results"]) == page_size


def test_the_tree_is_nested_and_read_in_one_query_then_served_from_cache(
    api_client, django_assert_num_queries
):
    electronics = CategoryFactory(name="Electronics")
    phones = CategoryFactory(name="Phones", parent=electronics)
    CategoryFactory(name="Android", parent=phones)
    CategoryFactory(name="Audio", parent=electronics)
    CategoryFactory(name="Books")
    for i in range(40):
        CategoryFactory(name=f"Deep {i}", parent=phones)
    with django_assert_num_queries(2):  # the tree version, then every category in one ordered query
        response = api_client.get("/api/v1/categories/tree/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    tree = response.json()
    with django_assert_num_queries(1):  # only the version: the rendered tree comes from the cache
        assert api_client.get("/api/v1/categories/tree/").json() == tree
    assert [n["name"] for n in tree] == ["Books", "Electronics"]
    assert tree[0] == {"id": tree[0]["id"], "name": "Books", "slug": "books", "children": []}
    electronics_node = tree[1]
    assert [n["name"] for n in electronics_node["children"]] == ["Audio", "Phones"]
    phones_node = electronics_node["children"][1]
    assert len(phones_node["children"]) == 41
    assert phones_node["children"][0]["name"] == "Android"


def test_unknown_or_malformed_category_ids_are_404(api_client):
    assert api_client.get("/api/v1/categories/00000000-0000-0000-0000-000000000000/").status_code == 404
    assert api_client.get("/api/v1/categories/nope/").status_code == 404
    missing = api_client.get("/api/v1/categories/00000000-0000-0000-0000-000000000000/average-price/")
    assert missing.status_code == 404
    assert missing.json()["code"] == "not_found"


def test_bad_category_input_is_a_400_with_field_errors(admin_client):
    response = admin_client.post("/api/v1/categories/", {"name": ""}, format="json")
    assert response.status_code == 400
    assert "name" in response.json()["errors"]
    response = admin_client.post("/api/v1/categories/", {"name": "x" * 200}, format="json")
    assert response.status_code == 400


def tree_names(client) -> list:
    def walk(nodes):
        return [(n["name"], walk(n["children"])) for n in nodes]

    return walk(client.get("/api/v1/categories/tree/").json())


def test_the_cached_tree_follows_every_category_write(api_client, admin_client):
    phones = admin_client.post("/api/v1/categories/", {"name": "Phones"}).json()
    assert tree_names(api_client) == [("Phones", [])]

    audio = admin_client.post("/api/v1/categories/", {"name": "Audio"}).json()
    assert tree_names(api_client) == [("Audio", []), ("Phones", [])]

    admin_client.patch(f"/api/v1/categories/{audio['id']}/", {"name": "Sound", "parent": phones["id"]})
    assert tree_names(api_client) == [("Phones", [("Sound", [])])]

    admin_client.delete(f"/api/v1/categories/{audio['id']}/")
    assert tree_names(api_client) == [("Phones", [])]


def test_the_cached_tree_follows_writes_made_outside_the_api(api_client):
    """The Django admin (drag and drop, edit forms) writes through the models, not our services."""
    books = CategoryFactory(name="Books")
    assert tree_names(api_client) == [("Books", [])]
    novels = CategoryFactory(name="Novels")
    assert tree_names(api_client) == [("Books", []), ("Novels", [])]
    novels.move_to(books, "last-child")
    assert tree_names(api_client) == [("Books", [("Novels", [])])]
    Category.objects.get(pk=novels.pk).delete()
    assert tree_names(api_client) == [("Books", [])]
