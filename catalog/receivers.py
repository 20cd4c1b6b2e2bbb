"""Any write to a category, whatever the path (API, Django admin, shell), invalidates the cached tree."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from mptt.signals import node_moved

from .models import Category
from .services import category_tree_changed


@receiver(post_save, sender=Category, dispatch_uid="catalog_tree_saved")
@receiver(post_delete, sender=Category, dispatch_uid="catalog_tree_deleted")
@receiver(node_moved, sender=Category, dispatch_uid="catalog_tree_moved")
def _category_written(sender, **kwargs):
    category_tree_changed()
