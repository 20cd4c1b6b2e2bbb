"""Merchants (the businesses receiving orders), their KYC submissions and webhook signing secrets.

The tables keep the names they had when these models lived in `accounts` (moved without copying data).
"""

import uuid

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.functional import cached_property

from core.phone import ParsedPhoneNumberModelField
from core.storage import private_storage_for_field


class KYCStatus(models.TextChoices):
    NOT_SUBMITTED = "not_submitted", "Not submitted"
    SUBMITTED = "submitted", "Submitted"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"


class Merchant(models.Model):
    """A business receiving orders. Active only once an admin has approved its KYC, and while not suspended."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="merchant")
    company_name = models.CharField(max_length=200)
    kyc_status = models.CharField(max_length=16, choices=KYCStatus.choices, default=KYCStatus.NOT_SUBMITTED)
    is_active = models.BooleanField(default=False)
    activated_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Set while an operator has suspended the merchant (cleared on reactivation); the merchant is told why.
    suspended_at = models.DateTimeField(null=True, blank=True)
    suspended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    suspension_reason = models.TextField(blank=True)
    # The business's public support contact, shown on its orders' tracking pages (never the customer's).
    support_email = models.EmailField(blank=True)
    support_phone = ParsedPhoneNumberModelField(blank=True)
    # Whether a new order placed through the API is emailed to the merchant's account address.
    new_order_emails = models.BooleanField(default=True)

    class Meta:
        db_table = "accounts_merchant"
        ordering = ["company_name"]
        indexes = [models.Index(fields=["kyc_status"])]
        permissions = [("suspend_merchant", "Can suspend and reactivate merchants")]
        constraints = [
            # Only an approved merchant can be active (an admin may still deactivate an approved one).
            models.CheckConstraint(
                condition=Q(is_active=False) | Q(kyc_status="approved"),
                name="merchant_active_only_if_approved",
            ),
            # Only an approved merchant is suspended, and a suspended one is never active; a suspension
            # always says why.
            models.CheckConstraint(
                condition=Q(suspended_at__isnull=True)
                | (Q(kyc_status="approved", is_active=False) & ~Q(suspension_reason="")),
                name="merchant_suspended_is_inactive",
            ),
        ]

    def __str__(self):
        return self.company_name

    @property
    def is_suspended(self) -> bool:
        return self.suspended_at is not None


class PrivateStorage(FileSystemStorage):
    """The KYC documents' store before object storage (kept because migration 0001 names it); documents now
    live in the "private" store of settings.STORAGES (`core.storage`), local or S3, never at a public URL.

    The location is read from settings when first used, so migrations do not freeze a machine's path.
    """

    @cached_property
    def base_location(self):
        return self._value_or_setting(self._location, settings.PRIVATE_MEDIA_ROOT)

    def url(self, name):
        raise ValueError("Private files have no public URL; serve them through an authorised view.")


def _kyc_upload_to(instance, filename):
    return f"kyc/{instance.merchant_id}/{uuid.uuid4().hex}"


# What the applicant states about its business (the rest of a submission is the document and the decision).
KYC_APPLICANT_FIELDS = ("legal_name", "registration_number", "tax_id", "country", "address", "contact_phone")


class KYCSubmission(models.Model):
    """One KYC application. A merchant may resubmit after a rejection; each decision is audited."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="kyc_submissions")
    legal_name = models.CharField(max_length=200)
    registration_number = models.CharField(max_length=100)
    tax_id = models.CharField(max_length=100)
    country = models.CharField(max_length=2)
    address = models.TextField()
    contact_phone = ParsedPhoneNumberModelField()
    document = models.FileField(storage=private_storage_for_field, upload_to=_kyc_upload_to)
    document_content_type = models.CharField(max_length=50)
    status = models.CharField(max_length=16, choices=KYCStatus.choices, default=KYCStatus.SUBMITTED)
    rejection_reason = models.TextField(blank=True)
    submitted_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        db_table = "accounts_kycsubmission"
        ordering = ["-submitted_at"]
        verbose_name = "KYC submission"
        permissions = [("approve_kyc", "Can approve or reject KYC submissions")]
        constraints = [
            # At most one live submission per merchant: a new one only after a rejection.
            models.UniqueConstraint(
                fields=["merchant"],
                condition=Q(status__in=["submitted", "approved"]),
                name="one_live_kyc_per_merchant",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["submitted", "approved", "rejected"]),
                name="kyc_submission_status_valid",
            ),
            # A decision always records who made it and when; a rejection always says why.
            models.CheckConstraint(
                condition=Q(status="submitted", decided_at__isnull=True)
                | Q(status="approved", decided_at__isnull=False)
                | (Q(status="rejected", decided_at__isnull=False) & ~Q(rejection_reason="")),
                name="kyc_decision_audited",
            ),
        ]

    def __str__(self):
        return f"KYC {self.legal_name} ({self.status})"


class WebhookSecret(models.Model):
    """A `whsec_…` key (format in `signing_secrets`) the merchant's platform signs webhooks with.

    Rotated-out keys expire after a grace."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="webhook_secrets")
    secret = models.CharField(max_length=100, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "accounts_webhooksecret"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["merchant", "expires_at"])]
        constraints = [
            # One current (non-expiring) secret per merchant; rotation expires it before adding the next.
            models.UniqueConstraint(
                fields=["merchant"], condition=Q(expires_at__isnull=True), name="one_current_webhook_secret"
            ),
        ]

    def __repr__(self):
        return f"<WebhookSecret {self.id} merchant={self.merchant_id}>"

    def __str__(self):
        # Never render the secret itself (admin, logs, error messages).
        return f"Webhook secret {str(self.id)[:8]}…"
