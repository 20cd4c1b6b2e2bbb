"""Average prices over whole subtrees, in a number of queries that ignores the tree's depth and width."""

import random
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

import pytest

from catalog.models import Category, Product
from tests.factories import CategoryFactory, MerchantFactory, ProductFactory

pytestmark = pytest.mark.django_db


def chain(depth: int) -> list[Category]:
    nodes, parent = [], None
    for level in range(depth):
        parent = CategoryFactory(name=f"Depth {level}", parent=parent)
        nodes.append(parent)
    return nodes


def reference_average(products: list[Product]) -> str | None:
    """Brute force: the plain mean of the given prices, to the cent, half up."""
    if not products:
        return None
    mean = sum((p.price for p in products), Decimal("0")) / len(products)
    return str(mean.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def random_catalog(rng: random.Random, *, categories: int, products: int):
    """A random forest, products scattered on some nodes (many nodes have none), some inactive."""
    merchant = MerchantFactory()
    nodes: list[Category] = []
    for i in range(categories):
        parent = rng.choice(nodes) if nodes and rng.random() < 0.85 else None
        nodes.append(CategoryFactory(name=f"Random {i}", parent=parent))
    holders = rng.sample(nodes, k=max(1, len(nodes) // 3))  # most categories hold nothing directly
    for i in range(products):
        ProductFactory(
            merchant=merchant,
            category=rng.choice(holders),
            sku=f"R-{i}",
            price=Decimal(rng.randint(1, 2_000_000)) / 100,
            is_active=rng.random() > 0.2,
        )
    return nodes


def brute_force_expectations() -> dict[str, dict]:
    """Walk parent links in Python, with no MPTT fields at all."""
    categories = list(Category.objects.all())
    children = defaultdict(list)
    for c in categories:
        children[c.parent_id].append(c.pk)
    direct = defaultdict(list)
    for p in Product.objects.filter(is_active=True):
        direct[p.category_id].append(p)

    def subtree(pk):
        found, stack = [], [pk]
        while stack:
            current = stack.pop()
            found.extend(direct[current])
            stack.extend(children[current])
        return found

    expected = {}
    for c in categories:
        products = subtree(c.pk)
        expected[str(c.pk)] = {"average_price": reference_average(products), "product_count": len(products)}
    return expected


def test_a_parent_without_products_of_its_own_averages_its_descendants(api_client):
    root, middle, leaf = chain(3)
    other_leaf = CategoryFactory(name="Other leaf", parent=middle)
    merchant = MerchantFactory()
    ProductFactory(merchant=merchant, category=leaf, price="100.00")
    ProductFactory(merchant=merchant, category=other_leaf, price="201.00")
    ProductFactory(merchant=merchant, category=other_leaf, price="9999.00", is_active=False)

    body = api_client.get(f"/api/v1/categories/{root.pk}/average-price/").json()
    assert body == {
        "category": str(root.pk),
        "average_price": "150.50",
        "product_count": 2,
    }


def test_a_category_with_nothing_below_has_a_null_average(api_client):
    lonely = CategoryFactory(name="Lonely")
    ProductFactory(category=lonely, is_active=False)
    body = api_client.get(f"/api/v1/categories/{lonely.pk}/average-price/").json()
    assert body["average_price"] is None
    assert body["product_count"] == 0


@pytest.mark.parametrize("seed", [7, 2024])
def test_average_prices_match_a_brute_force_walk_of_a_random_tree(api_client, seed):
    nodes = random_catalog(random.Random(seed), categories=60, products=150)
    expected = brute_force_expectations()
    assert any(v["product_count"] == 0 for v in expected.values())  # the random tree has empty subtrees

    for node in nodes:
        body = api_client.get(f"/api/v1/categories/{node.pk}/average-price/").json()
        assert {k: body[k] for k in ("average_price", "product_count")} == expected[str(node.pk)], node.name

    listed = api_client.get("/api/v1/categories/average-prices/?page_size=100").json()
    assert listed["count"] == len(nodes)
    got = {
        row["category"]: {"average_price": row["average_price"], "product_count": row["product_count"]}
        for row in listed["results"]
    }
    assert got == expected


def test_one_category_costs_the_same_queries_at_depth_one_and_depth_eight(
    api_client, django_assert_num_queries
):
    nodes = chain(9)
    merchant = MerchantFactory()
    for i, node in enumerate(nodes):
        ProductFactory(merchant=merchant, category=node, price=Decimal(10 * (i + 1)))
    # Depth 1 sits under the root with 8 levels below it; depth 8 is the deepest leaf.
    with django_assert_num_queries(2):  # the category, then one aggregate over its MPTT bounds
        shallow = api_client.get(f"/api/v1/categories/{nodes[1].pk}/average-price/").json()
    with django_assert_num_queries(2):
        deep = api_client.get(f"/api/v1/categories/{nodes[8].pk}/average-price/").json()
    assert shallow == {
        "category": str(nodes[1].pk),
        "average_price": "55.00",
        "product_count": 8,
    }
    assert deep["average_price"] == "90.00" and deep["product_count"] == 1


def test_all_categories_cost_the_same_queries_for_ten_or_two_hundred(api_client, django_assert_num_queries):
    rng = random.Random(1)
    merchant = MerchantFactory()

    def grow(to: int):
        nodes = list(Category.objects.all())
        while len(nodes) < to:
            parent = rng.choice(nodes) if nodes else None
            node = CategoryFactory(parent=parent)
            ProductFactory(merchant=merchant, category=node, price=Decimal(rng.randint(100, 99_999)) / 100)
            nodes.append(node)

    grow(10)
    with django_assert_num_queries(2):  # COUNT + one aggregate for the page
        small = api_client.get("/api/v1/categories/average-prices/?page_size=100").json()
    grow(200)
    with django_assert_num_queries(2):
        large = api_client.get("/api/v1/categories/average-prices/?page_size=100").json()
    assert small["count"] == 10 and len(small["results"]) == 10
    assert large["count"] == 200 and len(large["results"]) == 100
    with django_assert_num_queries(2):
        second_page = api_client.get(large["next"]).json()
    assert len(second_page["results"]) == 100
    assert {r["category"] for r in large["results"]}.isdisjoint(
        {r["category"] for r in second_page["results"]}
    )


def test_all_categories_come_in_tree_order(api_client):
    root, middle, leaf = chain(3)
    other_root = CategoryFactory(name="Another root")
    rows = api_client.get("/api/v1/categories/average-prices/").json()["results"]
    order = [r["category"] for r in rows]
    assert order.index(str(root.pk)) < order.index(str(middle.pk)) < order.index(str(leaf.pk))
    assert str(other_root.pk) in order
