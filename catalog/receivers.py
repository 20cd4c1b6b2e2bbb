"""Any write to a category, whatever the path (API, Django admin, shell), invalidates the cached tree; any
deleted product (API, admin, a merchant's cascade) takes its image objects with it once committed."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from mptt.signals import node_moved

from .models import Category, Product
from .services import category_tree_changed, product_files_delete_on_commit


@receiver(post_save, sender=Category, dispatch_uid="catalog_tree_saved")
@receiver(post_delete, sender=Category, dispatch_uid="catalog_tree_deleted")
@receiver(node_moved, sender=Category, dispatch_uid="catalog_tree_moved")
def _category_written(sender, **kwargs):
    category_tree_changed()


@receiver(post_delete, sender=Product, dispatch_uid="catalog_product_files_deleted")
def _product_deleted(sender, instance, **kwargs):
    product_files_delete_on_commit(names=[file.name for file in (instance.image, instance.thumbnail) if file])
