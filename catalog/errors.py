from enum import StrEnum


class CatalogError(StrEnum):
    CATEGORY_IN_USE = "category_in_use"
    CATEGORY_NAME_TAKEN = "category_name_taken"
    INVALID_CATEGORY_MOVE = "invalid_category_move"
    SKU_TAKEN = "sku_taken"
    INVALID_IMAGE = "invalid_image"
    STORAGE_UNAVAILABLE = "storage_unavailable"
