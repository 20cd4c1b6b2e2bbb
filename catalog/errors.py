from core.errors import DomainCode


class CatalogError(DomainCode):
    CATEGORY_IN_USE = "category_in_use", 409
    CATEGORY_NAME_TAKEN = "category_name_taken", 409
    INVALID_CATEGORY_MOVE = "invalid_category_move", 400
    SKU_TAKEN = "sku_taken", 409
    INVALID_IMAGE = "invalid_image", 400
    STORAGE_UNAVAILABLE = "storage_unavailable", 503
