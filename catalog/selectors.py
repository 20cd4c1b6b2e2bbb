"""Reads on the catalog. Average prices use the MPTT bounds: the subtree of a category `c` is every
category `d` with `d.tree_id = c.tree_id AND c.lft <= d.lft <= c.rght`, so depth and width never add queries."""

import json
import uuid
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.core.cache import cache
from django.db import connection
from django.db.models import Count, F, Q, QuerySet, Sum

from .models import Category, CategoryTreeVersion, Product

_CENT = Decimal("0.01")
TREE_CACHE_SECONDS = 24 * 3600


def money(value) -> Decimal:
    """A SUM from the database as an exact 2-place Decimal (SQLite hands back floats)."""
    if value is None:
        return Decimal("0.00")
    if isinstance(value, float):
        return Decimal(repr(round(value, 2))).quantize(_CENT)
    return Decimal(value).quantize(_CENT)


def average(*, total, count: int) -> Decimal | None:
    """The mean price to the cent (half up), or None when there is nothing to average."""
    if not count:
        return None
    return (money(total) / count).quantize(_CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class CategoryAveragePrice:
    category: uuid.UUID
    name: str
    average_price: Decimal | None
    product_count: int


# --- categories ----------------------------------------------------------------------------------------


def category_list() -> QuerySet[Category]:
    """Every category in tree order (depth-first, siblings by name)."""
    return Category.objects.order_by("tree_id", "lft")


def category_tree() -> list[dict]:
    """The whole forest as nested `{id, name, slug, children}` dicts, built from ONE ordered query."""
    roots: list[dict] = []
    nodes: dict = {}
    rows = Category.objects.order_by("tree_id", "lft").values_list("id", "name", "slug", "parent_id")
    for pk, name, slug, parent_id in rows.iterator(chunk_size=2000):
        node = {"id": str(pk), "name": name, "slug": slug, "children": []}
        nodes[pk] = node
        # Depth-first order guarantees the parent was seen before its children.
        (roots if parent_id is None else nodes[parent_id]["children"]).append(node)
    return roots


def category_tree_version() -> int:
    return CategoryTreeVersion.objects.filter(pk=1).values_list("version", flat=True).first() or 0


def category_tree_json() -> bytes:
    """The rendered tree, cached per tree version: one tiny query on a hit, two on a miss.

    Any category write moves the version (see `catalog.receivers`), so a stale tree is never served;
    the version is read before the categories, so a tree is never cached under a newer version than its data.
    """
    key = f"catalog:category-tree:{category_tree_version()}"
    body = cache.get(key)
    if body is None:
        body = json.dumps(category_tree(), ensure_ascii=False, separators=(",", ":")).encode()
        cache.set(key, body, timeout=TREE_CACHE_SECONDS)
    return body


def category_average_price(*, category: Category) -> CategoryAveragePrice:
    """Average price over the active products of `category` and all its descendants: one aggregate query."""
    totals = Product.objects.filter(
        is_active=True,
        category__tree_id=category.tree_id,
        category__lft__gte=category.lft,
        category__lft__lte=category.rght,
    ).aggregate(total=Sum("price"), count=Count("price"))
    return CategoryAveragePrice(
        category=category.pk,
        name=category.name,
        average_price=average(total=totals["total"], count=totals["count"]),
        product_count=totals["count"],
    )


class CategoryAveragePrices:
    """Every category's subtree average as a lazily sliced sequence, so the standard paginator runs exactly
    two queries per page: `COUNT(*)` of the categories, then ONE aggregate that joins the page's categories
    to the products of their subtrees (a range join on the MPTT bounds, grouped per category)."""

    def count(self) -> int:
        return Category.objects.count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, item):
        if not isinstance(item, slice):
            raise TypeError("CategoryAveragePrices only supports slicing")
        offset = item.start or 0
        limit = (item.stop - offset) if item.stop is not None else -1
        return self._page(limit=limit, offset=offset)

    def _sql(self) -> str:
        category = connection.ops.quote_name(Category._meta.db_table)
        product = connection.ops.quote_name(Product._meta.db_table)
        page = f"SELECT id, name, tree_id, lft, rght FROM {category} ORDER BY tree_id, lft LIMIT %s OFFSET %s"
        subtree = "d.tree_id = c.tree_id AND d.lft >= c.lft AND d.lft <= c.rght"
        active = "p.category_id = d.id AND p.is_active = %s"
        # COUNT(p.price), not COUNT(p.id): (category_id, price) of active products is a covering index.
        if connection.vendor == "postgresql":
            # LATERAL makes the planner walk each page category's subtree through the (tree_id, lft)
            # index; the plain join below gets hash-joined on tree_id, which is slow with few, big trees.
            return f"""
                SELECT c.id, c.name, s.total, s.n
                FROM ({page}) c
                CROSS JOIN LATERAL (
                    SELECT SUM(p.price) AS total, COUNT(p.price) AS n
                    FROM {category} d JOIN {product} p ON {active}
                    WHERE {subtree}
                ) s
                ORDER BY c.tree_id, c.lft
            """
        return f"""
            SELECT c.id, c.name, SUM(p.price), COUNT(p.price)
            FROM ({page}) c
            JOIN {category} d ON {subtree}
            LEFT JOIN {product} p ON {active}
            GROUP BY c.id, c.name, c.tree_id, c.lft
            ORDER BY c.tree_id, c.lft
        """

    def _page(self, *, limit: int, offset: int) -> list[CategoryAveragePrice]:
        if limit < 0:
            limit = 2**62  # SQLite and PostgreSQL both need a LIMIT before OFFSET
        with connection.cursor() as cursor:
            cursor.execute(self._sql(), [limit, offset, True])
            rows = cursor.fetchall()
        return [
            CategoryAveragePrice(
                category=pk if isinstance(pk, uuid.UUID) else uuid.UUID(str(pk)),
                name=name,
                average_price=average(total=total, count=count),
                product_count=count,
            )
            for pk, name, total, count in rows
        ]


def category_average_prices() -> CategoryAveragePrices:
    """The subtree average price of every category, in tree order, ready for the paginator."""
    return CategoryAveragePrices()


# --- products ------------------------------------------------------------------------------------------


def _merchant_of(user):
    if not (user and user.is_authenticated and user.is_merchant):
        return None
    return getattr(user, "merchant", None)


def product_list_for(*, user) -> QuerySet[Product]:
    """What `user` may see: active products; a merchant also its own inactive ones; staff everything."""
    products = Product.objects.all()
    if user and user.is_authenticated and user.is_staff:
        return products
    merchant = _merchant_of(user)
    if merchant is not None:
        return products.filter(Q(is_active=True) | Q(merchant=merchant))
    return products.filter(is_active=True)


def product_featured() -> QuerySet[Product]:
    return Product.objects.filter(is_active=True, is_featured=True)


def product_low_stock(*, merchant) -> QuerySet[Product]:
    """A merchant's products at or below their low-stock threshold, emptiest first."""
    return Product.objects.filter(merchant=merchant, stock__lte=F("low_stock_threshold")).order_by(
        "stock", "name"
    )


def product_owned_by(*, merchant) -> QuerySet[Product]:
    """The products a merchant may change: its own (anything else is a 404)."""
    return Product.objects.filter(merchant=merchant)


def products_in_category_subtree(*, products: QuerySet[Product], category_id) -> QuerySet[Product]:
    """Narrow `products` to a category and its descendants.

    The category's bounds are read first (one primary-key lookup) and passed as values: given the bounds,
    PostgreSQL knows whether the subtree holds a third of the catalog (then it walks the newest products
    and keeps those inside) or a handful (then it reads the subtree's products); bounds hidden in subqueries
    looked small to it, and a root's first page took 40 times longer.
    """
    bounds = Category.objects.filter(pk=category_id).values_list("tree_id", "lft", "rght").first()
    if bounds is None:
        return products.none()
    tree_id, lft, rght = bounds
    return products.filter(category__tree_id=tree_id, category__lft__gte=lft, category__lft__lte=rght)
