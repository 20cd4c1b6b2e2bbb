"""What other apps' events mean for merchants, and housekeeping after writes on this app's models (whatever
path made them: API, admin, shell)."""

from django.db import transaction
from django.db.models.signals import post_delete
from django.dispatch import receiver

from accounts.signals import user_registered

from .models import KYCSubmission
from .services import merchant_create


@receiver(user_registered, dispatch_uid="merchants.user_registered")
def _merchant_for_new_account(sender, user, company_name="", **kwargs):
    """A merchant account gets its business row in the registration's transaction (a failure undoes both)."""
    if user.is_merchant:
        merchant_create(user=user, company_name=company_name)


@receiver(post_delete, sender=KYCSubmission, dispatch_uid="merchants.kyc_document_deleted")
def _kyc_document_deleted(sender, instance, **kwargs):
    """A KYC submission's document (identity papers) goes with its row: deleting a merchant or its user
    cascades to the submissions, and the files must not outlive them. Removed once the deletion commits, so
    a rolled-back deletion keeps its file."""
    name = instance.document.name
    if name:
        storage = instance.document.storage
        transaction.on_commit(lambda: storage.delete(name))
