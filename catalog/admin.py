from django.contrib import admin
from mptt.admin import DraggableMPTTAdmin

from .models import Category, Product
from .services import category_slug_for


@admin.register(Category)
class CategoryAdmin(DraggableMPTTAdmin):
    list_display = ["tree_actions", "indented_title", "slug", "created_at"]
    list_display_links = ["indented_title"]
    search_fields = ["name", "slug"]
    readonly_fields = ["slug", "created_at"]
    fields = ["name", "parent", "slug", "created_at"]

    def save_model(self, request, obj, form, change):
        # The API derives slugs; the admin does the same so both paths agree.
        if not obj.slug or "name" in form.changed_data:
            obj.slug = category_slug_for(name=obj.name, exclude_pk=obj.pk if change else None)
        super().save_model(request, obj, form, change)


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "sku",
        "merchant",
        "category",
        "price",
        "currency",
        "stock",
        "is_active",
        "is_featured",
    ]
    list_filter = ["is_active", "is_featured", "currency"]
    search_fields = ["name", "sku", "merchant__company_name"]
    list_select_related = ["merchant", "category"]
    autocomplete_fields = ["category"]
    raw_id_fields = ["merchant"]
    readonly_fields = ["created_at", "updated_at"]
