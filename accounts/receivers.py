"""Housekeeping that follows writes on this app's models, whatever path made them (API, admin, shell)."""

from django.db import transaction
from django.db.models.signals import post_delete
from django.dispatch import receiver

from .models import KYCSubmission


@receiver(post_delete, sender=KYCSubmission, dispatch_uid="accounts.kyc_document_deleted")
def _kyc_document_deleted(sender, instance, **kwargs):
    """A KYC submission's document (identity papers) goes with its row: deleting a merchant or its user
    cascades to the submissions, and the files must not outlive them. Removed once the deletion commits, so
    a rolled-back deletion keeps its file."""
    name = instance.document.name
    if name:
        storage = instance.document.storage
        transaction.on_commit(lambda: storage.delete(name))
