"""Admins editing the category tree at the same moment (PostgreSQL, real connections): django-mptt numbers
the tree from rows it has read, so category writes take turns and the tree stays one consistent tree."""

from collections import Counter

import pytest

from catalog.models import Category
from tests.catalog.test_categories import chain
from tests.concurrency import bearer_clients, run_together
from tests.factories import AdminFactory, CategoryFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
URL = "/api/v1/categories/"


def assert_tree_consistent():
    """Every tree numbers its nodes 1..2n without gaps or overlaps, children nest inside their parent,
    and no two roots share a tree."""
    rows = list(Category.objects.values("pk", "parent_id", "tree_id", "lft", "rght", "level"))
    by_pk = {row["pk"]: row for row in rows}
    roots = [row for row in rows if row["parent_id"] is None]
    assert len({row["tree_id"] for row in roots}) == len(roots), roots
    for tree_id in {row["tree_id"] for row in rows}:
        nodes = [row for row in rows if row["tree_id"] == tree_id]
        bounds = sorted(bound for row in nodes for bound in (row["lft"], row["rght"]))
        assert bounds == list(range(1, 2 * len(nodes) + 1)), nodes
    for row in rows:
        assert row["lft"] < row["rght"], row
        if row["parent_id"] is None:
            assert (row["lft"], row["level"]) == (1, 0), row
            continue
        parent = by_pk[row["parent_id"]]
        assert parent["tree_id"] == row["tree_id"], (parent, row)
        assert parent["lft"] < row["lft"] and row["rght"] < parent["rght"], (parent, row)
        assert row["level"] == parent["level"] + 1, (parent, row)


def admins(n):
    return bearer_clients(AdminFactory() for _ in range(n))


def test_concurrent_creates_under_one_parent_and_at_the_top_keep_the_tree_consistent():
    root, parent, _leaf = chain(3)
    clients = admins(24)
    bodies = [
        {"name": f"Child {i:02d}", "parent": str(parent.pk)} if i % 2 else {"name": f"Root {i:02d}"}
        for i in range(len(clients))
    ]

    results = run_together([lambda c=c, b=b: c.post(URL, b) for c, b in zip(clients, bodies, strict=True)])

    assert Counter(status for status, _ in results) == {201: 24}, results
    assert Category.objects.filter(parent=parent).count() == 1 + 12
    assert Category.objects.filter(parent=None).count() == 1 + 12
    assert_tree_consistent()


def test_concurrent_moves_and_creates_keep_the_tree_consistent():
    roots = [CategoryFactory(name=f"Top {i}") for i in range(4)]
    movable = [CategoryFactory(name=f"Branch {i}", parent=roots[i % 4]) for i in range(8)]
    for branch in movable:
        CategoryFactory(name=f"Leaf of {branch.name}", parent=branch)
    clients = admins(16)
    requests = []
    for i, client in enumerate(clients):
        if i < 8:  # each branch (with its leaf) moves to the next top-level category
            path, body = f"{URL}{movable[i].pk}/", {"parent": str(roots[(i + 1) % 4].pk)}
            requests.append(lambda c=client, p=path, b=body: c.patch(p, b))
        else:
            body = {"name": f"New {i}", "parent": str(roots[i % 4].pk)}
            requests.append(lambda c=client, b=body: c.post(URL, b))

    results = run_together(requests)

    assert Counter(status for status, _ in results) == {200: 8, 201: 8}, results
    for i, branch in enumerate(movable):
        branch.refresh_from_db()
        assert branch.parent_id == roots[(i + 1) % 4].pk
    assert_tree_consistent()


def test_two_crossed_moves_at_once_cannot_make_a_cycle():
    first, second = CategoryFactory(name="First"), CategoryFactory(name="Second")
    a, b = admins(2)

    results = run_together(
        [
            lambda: a.patch(f"{URL}{first.pk}/", {"parent": str(second.pk)}),
            lambda: b.patch(f"{URL}{second.pk}/", {"parent": str(first.pk)}),
        ]
    )

    assert sorted(status for status, _ in results) == [200, 400], results
    assert [body["code"] for status, body in results if status == 400] == ["invalid_category_move"]
    assert Category.objects.filter(parent=None).count() == 1
    assert_tree_consistent()
