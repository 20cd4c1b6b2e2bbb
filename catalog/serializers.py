"""Input and output shapes of the catalog API."""

import re
from decimal import Decimal

from django.conf import settings
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.fields import empty

from core.storage import absolute_url

from .models import Category, Product

_INT_MAX = 2**31 - 1
_SKU = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
_CURRENCY = re.compile(r"^[A-Za-z]{3}$")


# --- categories ----------------------------------------------------------------------------------------


class CategoryOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = Category
        fields = ["id", "name", "slug", "parent", "level", "created_at"]
        read_only_fields = fields


class CategoryCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=Category._meta.get_field("name").max_length)
    parent = serializers.PrimaryKeyRelatedField(
        queryset=Category.objects.all(), required=False, allow_null=True, default=None
    )


class CategoryUpdateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=Category._meta.get_field("name").max_length, required=False)
    parent = serializers.PrimaryKeyRelatedField(
        queryset=Category.objects.all(), required=False, allow_null=True
    )


class CategoryTreeNodeSerializer(serializers.Serializer):
    """Documentation shape of one node; the tree itself is built as plain dicts (see `category_tree`)."""

    id = serializers.UUIDField()
    name = serializers.CharField()
    slug = serializers.SlugField()


CategoryTreeNodeSerializer._declared_fields["children"] = CategoryTreeNodeSerializer(many=True)


class CategoryAveragePriceSerializer(serializers.Serializer):
    category = serializers.UUIDField(help_text="The category's id.")
    average_price = serializers.DecimalField(
        max_digits=14,
        decimal_places=2,
        allow_null=True,
        help_text="Mean price of the active products in the category and all its descendants; null when none.",
    )
    product_count = serializers.IntegerField()


# --- products ------------------------------------------------------------------------------------------


def _validate_sku(value: str) -> str:
    value = value.strip()
    if value and not _SKU.match(value):
        raise serializers.ValidationError("Letters, digits, '.', '_' and '-' only.")
    return value


def _validate_currency(value: str) -> str:
    if not _CURRENCY.match(value):
        raise serializers.ValidationError("A three-letter ISO 4217 code, e.g. KES.")
    return value.upper()


class ProductOutputSerializer(serializers.ModelSerializer):
    image = serializers.SerializerMethodField()
    thumbnail = serializers.SerializerMethodField()

    class Meta:
        model = Product
        fields = [
            "id",
            "sku",
            "name",
            "description",
            "price",
            "currency",
            "stock",
            "low_stock_threshold",
            "category",
            "merchant",
            "is_active",
            "is_featured",
            "image",
            "thumbnail",
            "created_at",
        ]
        read_only_fields = fields

    def _file_url(self, file) -> str | None:
        return absolute_url(file.url, self.context.get("request")) if file else None

    @extend_schema_field(
        serializers.URLField(allow_null=True, help_text="The image (metadata stripped); null without one.")
    )
    def get_image(self, product) -> str | None:
        return self._file_url(product.image)

    @extend_schema_field(
        serializers.URLField(
            allow_null=True, help_text="The image at most 400 px wide; null without an image."
        )
    )
    def get_thumbnail(self, product) -> str | None:
        return self._file_url(product.thumbnail)


class _FormBooleanField(serializers.BooleanField):
    """Absent means "not given" in a multipart form too: DRF reads a missing checkbox as False, so a product
    created or edited with an image (multipart) would silently become inactive and unfeatured."""

    def get_value(self, dictionary):
        if self.field_name not in dictionary:
            return empty
        return super().get_value(dictionary)


class _ProductInputFields(serializers.Serializer):
    sku = serializers.CharField(max_length=64, required=False, allow_blank=True, validators=[])
    name = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, max_length=10_000)
    price = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=Decimal("0.01"))
    currency = serializers.CharField(required=False, max_length=3, min_length=3)
    stock = serializers.IntegerField(required=False, min_value=0, max_value=_INT_MAX)
    low_stock_threshold = serializers.IntegerField(required=False, min_value=0, max_value=_INT_MAX)
    category = serializers.PrimaryKeyRelatedField(
        queryset=Category.objects.all(), required=False, allow_null=True
    )
    is_active = _FormBooleanField(required=False)
    is_featured = _FormBooleanField(required=False)
    image = serializers.FileField(
        required=False,
        allow_null=True,
        help_text="JPEG, PNG or WebP (recognised by content), at most 5 MB and 40 megapixels (by default); stored "
        "re-encoded without metadata (EXIF/GPS), with a thumbnail at most 400 px wide. Send null to remove it.",
    )

    def validate_sku(self, value):
        return _validate_sku(value)

    def validate_currency(self, value):
        return _validate_currency(value)


class ProductCreateSerializer(_ProductInputFields):
    """`sku` is generated when absent; `currency` defaults to the platform's."""

    def to_internal_value(self, data):
        values = super().to_internal_value(data)
        values.setdefault("currency", settings.DEFAULT_CURRENCY)
        if values.get("image", "absent") is None:
            values.pop("image")
        return values


class ProductUpdateSerializer(_ProductInputFields):
    """Every field optional (PATCH)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("partial", True)
        super().__init__(*args, **kwargs)
