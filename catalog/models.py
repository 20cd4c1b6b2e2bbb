"""Hierarchical categories (MPTT) and merchants' products."""

import uuid

from django.conf import settings
from django.contrib.postgres.indexes import OpClass
from django.db import models
from django.db.models import Q
from django.db.models.functions import Upper
from mptt.models import MPTTModel, TreeForeignKey

from core.postgres_indexes import TrigramIndex


class Category(MPTTModel):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=160, unique=True)
    # CASCADE so that mptt's delete() takes the subtree with it; `category_delete` refuses (409) first when
    # any product sits in that subtree, and Product.category stays PROTECT as the last line of defence.
    parent = TreeForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="children")
    created_at = models.DateTimeField(auto_now_add=True)

    class MPTTMeta:
        order_insertion_by = ["name"]

    class Meta:
        verbose_name_plural = "categories"
        indexes = [
            # Subtree lookups: `tree_id = X AND lft BETWEEN a AND b` (average prices, category filter).
            models.Index(fields=["tree_id", "lft"], name="category_tree_bounds"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["parent", "name"], name="unique_category_name_among_siblings"),
            models.UniqueConstraint(
                fields=["name"], condition=Q(parent__isnull=True), name="unique_root_category_name"
            ),
        ]

    def __str__(self):
        return self.name


class Product(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    merchant = models.ForeignKey("merchants.Merchant", on_delete=models.CASCADE, related_name="products")
    category = models.ForeignKey(
        Category, null=True, blank=True, on_delete=models.PROTECT, related_name="products"
    )
    sku = models.CharField(max_length=64)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    price = models.DecimalField(max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3, default=settings.DEFAULT_CURRENCY)
    stock = models.IntegerField(default=0)
    low_stock_threshold = models.PositiveIntegerField(default=5)
    is_active = models.BooleanField(default=True)
    is_featured = models.BooleanField(default=False)
    # Both written by `catalog.services` only: decoded and re-encoded by Pillow (catalog.images), metadata gone,
    # in the public store (settings.STORAGES["default"]). FileField, not ImageField: the services measure the
    # image once, and ImageField would open every file again to read its size.
    image = models.FileField(upload_to="products/", null=True, blank=True)
    thumbnail = models.FileField(upload_to="products/thumbnails/", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["merchant", "sku"], name="unique_sku_per_merchant"),
            models.CheckConstraint(condition=Q(price__gt=0), name="product_price_positive"),
            models.CheckConstraint(condition=Q(stock__gte=0), name="product_stock_not_negative"),
        ]
        indexes = [
            models.Index(fields=["category", "is_active"]),
            models.Index(fields=["merchant", "is_active"]),
            # Average prices read only (category, price) of active products: an index-only scan.
            models.Index(
                fields=["category", "price"], condition=Q(is_active=True), name="product_active_price"
            ),
            # Lists newest first (the API's default ordering; the admin's, ties aside), and the public list by
            # price (`ordering`, a price range).
            models.Index(fields=["-created_at", "id"], name="product_newest"),
            models.Index(fields=["price"], condition=Q(is_active=True), name="product_active_by_price"),
            # `?search=` (icontains on name, sku, description): trigrams, PostgreSQL only.
            TrigramIndex(
                OpClass(Upper("name"), name="gin_trgm_ops"),
                OpClass(Upper("sku"), name="gin_trgm_ops"),
                OpClass(Upper("description"), name="gin_trgm_ops"),
                name="product_search_trigram",
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.sku})"

    @property
    def is_low_stock(self) -> bool:
        return self.stock <= self.low_stock_threshold


class CategoryTreeVersion(models.Model):
    """One row whose `version` moves on every category write: the key of the cached category tree.

    Kept in the database (not the cache) so every web process agrees on it, whatever the cache backend.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    version = models.BigIntegerField(default=0)

    def __str__(self):
        return f"category tree v{self.version}"
