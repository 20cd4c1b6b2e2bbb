"""Query-string filters of the catalog lists (django-filter)."""

import uuid

import django_filters
from drf_spectacular.utils import extend_schema_field
from rest_framework.exceptions import ValidationError

from .models import Category, Product
from .selectors import products_in_category_subtree


class CategoryFilter(django_filters.FilterSet):
    parent = django_filters.CharFilter(
        method="filter_parent",
        label="Children of this category id; `null` for the top-level categories.",
    )

    class Meta:
        model = Category
        fields = ["parent"]

    def filter_parent(self, queryset, name, value):
        if value.lower() in {"null", "none", "root"}:
            return queryset.filter(parent__isnull=True)
        try:
            parent_id = uuid.UUID(value)
        except ValueError as exc:
            raise ValidationError({"parent": ["Must be a category id or `null`."]}) from exc
        return queryset.filter(parent_id=parent_id)


class ProductFilter(django_filters.FilterSet):
    category = django_filters.UUIDFilter(
        method="filter_category", label="Products of this category or any of its descendants."
    )
    merchant = django_filters.UUIDFilter(field_name="merchant_id")
    min_price = django_filters.NumberFilter(field_name="price", lookup_expr="gte")
    max_price = django_filters.NumberFilter(field_name="price", lookup_expr="lte")
    # A choice, not a BooleanFilter: that one silently ignores `?in_stock=maybe` instead of saying 400.
    in_stock = django_filters.TypedChoiceFilter(
        method="filter_in_stock",
        choices=[("true", "true"), ("false", "false"), ("1", "1"), ("0", "0")],
        coerce=lambda value: value in {"true", "1", True},
        label="`true`: only products with stock > 0; `false`: only the sold-out ones.",
    )

    class Meta:
        model = Product
        fields = ["category", "merchant", "min_price", "max_price", "in_stock"]

    def filter_category(self, queryset, name, value):
        return products_in_category_subtree(products=queryset, category_id=value)

    @extend_schema_field({"type": "string", "enum": ["true", "false", "1", "0"]})
    def filter_in_stock(self, queryset, name, value):
        in_stock = value in {True, "true", "1"}
        return queryset.filter(stock__gt=0) if in_stock else queryset.filter(stock=0)
