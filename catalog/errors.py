from accounts.errors import ACTIVE_MERCHANT_READ, ACTIVE_MERCHANT_WRITE
from core.errors import DomainCode


class CatalogError(DomainCode):
    CATEGORY_IN_USE = "category_in_use", 409
    CATEGORY_NAME_TAKEN = "category_name_taken", 409
    INVALID_CATEGORY_MOVE = "invalid_category_move", 400
    SKU_TAKEN = "sku_taken", 409
    INVALID_IMAGE = "invalid_image", 400
    STORAGE_UNAVAILABLE = "storage_unavailable", 503


# See core/errors.py: what each code means, and which operations answer which codes.
ERROR_DETAILS = {
    CatalogError.CATEGORY_IN_USE: "Products still sit in this category or below it.",
    CatalogError.CATEGORY_NAME_TAKEN: "A sibling category already has this name.",
    CatalogError.INVALID_CATEGORY_MOVE: "A category cannot move under itself or one of its descendants.",
    CatalogError.SKU_TAKEN: "You already have a product with this SKU.",
    CatalogError.INVALID_IMAGE: "The image is not a complete JPEG, PNG or WebP, or is too large.",
    CatalogError.STORAGE_UNAVAILABLE: "The image store could not save the image; nothing was changed.",
}
_PRODUCT_WRITE = [
    CatalogError.INVALID_IMAGE,
    *ACTIVE_MERCHANT_WRITE,
    CatalogError.SKU_TAKEN,
    CatalogError.STORAGE_UNAVAILABLE,
]
OPERATION_ERRORS = {
    "categories_create": [CatalogError.CATEGORY_NAME_TAKEN],
    "categories_partial_update": [CatalogError.INVALID_CATEGORY_MOVE, CatalogError.CATEGORY_NAME_TAKEN],
    "categories_destroy": [CatalogError.CATEGORY_IN_USE],
    "products_create": _PRODUCT_WRITE,
    "products_partial_update": _PRODUCT_WRITE,
    "products_destroy": ACTIVE_MERCHANT_WRITE,
    "products_low_stock_list": ACTIVE_MERCHANT_READ,
}
