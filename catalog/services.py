"""Writes on the catalog: categories (admin) and products (their merchant)."""

import logging
import secrets
import uuid
from decimal import Decimal

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.db.models import F, ProtectedError
from django.utils.text import slugify

from core.errors import DomainError
from core.storage import STORAGE_ERRORS

from .errors import CatalogError
from .images import product_image_prepare
from .models import Category, CategoryTreeVersion, Product

logger = logging.getLogger(__name__)
_SLUG_MAX = Category._meta.get_field("slug").max_length
_GENERATED_SKU_ATTEMPTS = 5


# --- categories ----------------------------------------------------------------------------------------


def category_slug_for(*, name: str, exclude_pk=None) -> str:
    """`slugify(name)`, with a short random suffix when another category already has it."""
    base = (slugify(name) or "category")[: _SLUG_MAX - 7]
    others = Category.objects.exclude(pk=exclude_pk) if exclude_pk else Category.objects.all()
    slug = base
    while others.filter(slug=slug).exists():
        slug = f"{base}-{secrets.token_hex(3)}"
    return slug


def _ensure_name_free(*, name: str, parent: Category | None, exclude_pk=None) -> None:
    siblings = Category.objects.filter(parent=parent, name__iexact=name)
    if exclude_pk:
        siblings = siblings.exclude(pk=exclude_pk)
    if siblings.exists():
        where = f"under “{parent.name}”" if parent else "at the top level"
        raise DomainError(
            CatalogError.CATEGORY_NAME_TAKEN,
            f"A category named “{name}” already exists {where}.",
            errors={"name": ["A sibling category already has this name."]},
        )


def category_tree_lock(*nodes: Category | None) -> None:
    """Make this transaction's category writes wait for any other's (call inside `transaction.atomic`), then
    re-read the tree numbers of `nodes` (None is skipped) as the last write left them.

    django-mptt numbers the tree (tree_id, lft, rght) from rows it has read, so two writes at once would
    hand out the same numbers (roots sharing a tree, overlapping subtrees) or deadlock on each other's row
    updates. The tree version row, which every category write bumps anyway, is the lock.
    """
    CategoryTreeVersion.objects.select_for_update().get_or_create(pk=1)
    for node in nodes:
        if node is not None:
            node._mptt_refresh()


def _save_category(category: Category) -> None:
    """Save (under the caller's tree lock), turning a race on the unique name/slug constraints into the
    same 409 as the checks above."""
    try:
        with transaction.atomic():
            category.save()
    except IntegrityError as exc:
        raise DomainError(
            CatalogError.CATEGORY_NAME_TAKEN,
            "A category with this name was just created next to it; try again.",
        ) from exc


def category_create(*, name: str, parent: Category | None = None) -> Category:
    """Create a category under `parent` (a root when None); the slug is derived from the name."""
    name = name.strip()
    with transaction.atomic():
        category_tree_lock(parent)
        _ensure_name_free(name=name, parent=parent)
        category = Category(name=name, parent=parent, slug=category_slug_for(name=name))
        _save_category(category)
    return category


def category_update(*, category: Category, **fields) -> Category:
    """Rename and/or move a category. Moving (`parent`) carries the whole subtree along.

    `parent=None` makes it a root; a move under itself or one of its descendants is 400. The checks run
    under the tree lock, on the tree as it is then: two crossed moves at once cannot make a cycle.
    """
    name = fields.get("name", category.name).strip()
    parent = fields.get("parent", category.parent)
    with transaction.atomic():
        category_tree_lock(category, parent)
        if parent is not None and parent.is_descendant_of(category, include_self=True):
            raise DomainError(
                CatalogError.INVALID_CATEGORY_MOVE,
                "A category cannot be moved under itself or one of its descendants.",
                errors={"parent": ["Choose a category outside this one's subtree."]},
            )
        if name != category.name or parent != category.parent:
            _ensure_name_free(name=name, parent=parent, exclude_pk=category.pk)
        if name != category.name:
            category.slug = category_slug_for(name=name, exclude_pk=category.pk)
        category.name = name
        category.parent = parent
        _save_category(category)
    return category


def category_delete(*, category: Category) -> None:
    """Delete a category and its (product-free) subtree; 409 `category_in_use` while products sit in it."""
    in_use = DomainError(
        CatalogError.CATEGORY_IN_USE,
        "Products still belong to this category or one of its subcategories.",
    )
    with transaction.atomic():
        category_tree_lock(category)  # the subtree's bounds as they are now, not as they were read
        if Product.objects.filter(
            category__tree_id=category.tree_id,
            category__lft__gte=category.lft,
            category__lft__lte=category.rght,
        ).exists():
            raise in_use
        try:
            category.delete()
        except ProtectedError as exc:  # a product was added to the subtree in the meantime
            raise in_use from exc


# --- products ------------------------------------------------------------------------------------------


def _generated_sku(name: str) -> str:
    prefix = "".join(ch for ch in slugify(name).upper() if ch.isalnum())[:4] or "SKU"
    return f"{prefix}-{secrets.token_hex(4).upper()}"


def _sku_taken(sku: str) -> DomainError:
    return DomainError(
        CatalogError.SKU_TAKEN,
        f"You already have a product with SKU “{sku}”.",
        errors={"sku": ["Already used by another of your products."]},
    )


def _image_names(product: Product) -> list[str]:
    return [file.name for file in (product.image, product.thumbnail) if file]


def _attach_image(product: Product, upload) -> None:
    """Store the processed image and its thumbnail (new random names: URLs never change meaning)."""
    prepared = product_image_prepare(upload)
    # Our own name: never trust the client's filename.
    name = f"{uuid.uuid4().hex}.{prepared.extension}"
    saved = []
    try:
        for file, content in ((product.image, prepared.image), (product.thumbnail, prepared.thumbnail)):
            file.save(name, ContentFile(content), save=False)
            saved.append(file.name)
    except STORAGE_ERRORS as exc:
        logger.exception("Could not store a product image")
        _delete_files(saved)
        raise DomainError(
            CatalogError.STORAGE_UNAVAILABLE,
            "The image could not be stored just now; try again shortly.",
        ) from exc


def _detach_image(product: Product) -> None:
    product.image = None
    product.thumbnail = None


def _delete_files(names: list[str]) -> None:
    """Best effort: an object left behind by a storage outage costs a few kilobytes, a failed request more."""
    storage = Product._meta.get_field("image").storage
    for name in names:
        try:
            storage.delete(name)
        except Exception:
            logger.exception("Could not delete %s from the media storage", name)


def product_files_delete_on_commit(*, names: list[str]) -> None:
    """Delete image objects once the transaction commits: a rolled-back change keeps the image it had."""
    if names:
        transaction.on_commit(lambda: _delete_files(names), robust=True)


def _save_product(product: Product, *, sku_given: bool) -> None:
    """Insert/update; a generated SKU that collides is regenerated, a given one is a 409."""
    for _ in range(_GENERATED_SKU_ATTEMPTS):
        try:
            with transaction.atomic():
                product.save()
            return
        except IntegrityError as exc:
            sku_clash = (
                Product.objects.filter(merchant_id=product.merchant_id, sku=product.sku)
                .exclude(pk=product.pk)
                .exists()
            )
            if not sku_clash:
                raise
            if sku_given:
                raise _sku_taken(product.sku) from exc
            product.sku = _generated_sku(product.name)
    raise DomainError(CatalogError.SKU_TAKEN, "Could not generate a unique SKU; give one.")


def product_create(
    *,
    merchant,
    name: str,
    price: Decimal,
    sku: str = "",
    description: str = "",
    currency: str | None = None,
    stock: int = 0,
    low_stock_threshold: int = 5,
    category: Category | None = None,
    is_active: bool = True,
    is_featured: bool = False,
    image=None,
) -> Product:
    """Create a product for an active merchant; the SKU is generated when not given."""
    sku_given = bool(sku)
    if sku_given and Product.objects.filter(merchant=merchant, sku=sku).exists():
        raise _sku_taken(sku)
    product = Product(
        merchant=merchant,
        name=name,
        sku=sku or _generated_sku(name),
        description=description,
        price=price,
        currency=(currency or settings.DEFAULT_CURRENCY).upper(),
        stock=stock,
        low_stock_threshold=low_stock_threshold,
        category=category,
        is_active=is_active,
        is_featured=is_featured,
    )
    if image is not None:
        _attach_image(product, image)
    _save_with_new_files(product, sku_given=sku_given, new_files=_image_names(product))
    return product


def _save_with_new_files(product: Product, *, sku_given: bool, new_files: list[str]) -> None:
    """Save; when the row cannot be written, the objects just uploaded for it are removed again."""
    try:
        _save_product(product, sku_given=sku_given)
    except Exception:
        _delete_files(new_files)
        raise


_PRODUCT_EDITABLE = {
    "name",
    "sku",
    "description",
    "price",
    "currency",
    "stock",
    "low_stock_threshold",
    "category",
    "is_active",
    "is_featured",
}


def product_update(*, product: Product, **fields) -> Product:
    """Change a merchant's product. `image=None` removes the image; a file replaces it. The objects of a
    replaced or removed image (and its thumbnail) are deleted once the change is committed."""
    old_files = _image_names(product)
    new_sku = fields.get("sku")
    if (
        new_sku
        and new_sku != product.sku
        and Product.objects.filter(merchant_id=product.merchant_id, sku=new_sku).exists()
    ):
        raise _sku_taken(new_sku)
    for field in _PRODUCT_EDITABLE & fields.keys():
        value = fields[field]
        if field == "currency":
            value = value.upper()
        if field == "sku" and not value:
            continue  # an empty SKU keeps the current one
        setattr(product, field, value)
    new_files = []
    if "image" in fields:
        if fields["image"] is None:
            _detach_image(product)
        else:
            _attach_image(product, fields["image"])
            new_files = _image_names(product)
    _save_with_new_files(product, sku_given=True, new_files=new_files)
    product_files_delete_on_commit(names=[name for name in old_files if name not in _image_names(product)])
    return product


def product_delete(*, product: Product) -> None:
    """Delete a product (its image objects follow after commit, see `catalog.receivers`); past order lines
    keep their copy of its SKU, name and price."""
    product.delete()


def category_tree_changed() -> None:
    """Move the tree version so every process rebuilds its cached tree (called on every category write)."""
    if not CategoryTreeVersion.objects.filter(pk=1).update(version=F("version") + 1):
        CategoryTreeVersion.objects.get_or_create(pk=1, defaults={"version": 1})


def product_image_reprocess(*, product: Product) -> None:
    """Run an image stored before images were processed through the same path as a new upload (metadata
    stripped, thumbnail made); the old objects go after commit. DomainError when the stored file is not a usable image."""
    with product.image.open("rb") as stored:
        content = stored.read()
    product_update(product=product, image=SimpleUploadedFile(product.image.name.rsplit("/", 1)[-1], content))
