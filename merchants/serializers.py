"""Input and output shapes of the merchant, KYC, webhook-secret and admin merchant endpoints."""

import phonenumbers
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from phonenumber_field.serializerfields import PhoneNumberField
from rest_framework import serializers

from core.phone import ParsedPhoneNumberField

from .models import KYC_APPLICANT_FIELDS, KYCStatus, KYCSubmission, Merchant, WebhookSecret


class MerchantMeSerializer(serializers.ModelSerializer):
    # Plain strings: empty when not set (an email format would refuse the empty value).
    support_email = serializers.CharField(
        read_only=True, help_text="An email address, or empty when not set."
    )
    support_phone = serializers.CharField(read_only=True, help_text="E.164, or empty when not set.")

    class Meta:
        model = Merchant
        fields = [
            "id",
            "company_name",
            "kyc_status",
            "is_active",
            "support_email",
            "support_phone",
            "new_order_emails",
        ]
        read_only_fields = fields


class MerchantContactSerializer(serializers.Serializer):
    """`PATCH /merchants/me/`: the public support contact shown on tracking pages, and new-order emails."""

    support_email = serializers.EmailField(required=False, allow_blank=True, help_text="Empty clears it.")
    support_phone = ParsedPhoneNumberField(
        required=False, allow_blank=True, help_text="E.164, e.g. +254712345678; empty clears it."
    )
    new_order_emails = serializers.BooleanField(
        required=False, help_text="Email each new order placed through the API to the account's address."
    )


class KYCSubmitSerializer(serializers.Serializer):
    legal_name = serializers.CharField(max_length=200)
    registration_number = serializers.CharField(max_length=100)
    tax_id = serializers.CharField(max_length=100)
    country = serializers.CharField(min_length=2, max_length=2, help_text="ISO 3166-1 alpha-2 code, e.g. KE.")
    address = serializers.CharField()
    contact_phone = PhoneNumberField()
    document = serializers.FileField(help_text="PDF, PNG or JPEG (recognised by content), at most 5 MB.")

    def validate_country(self, value: str) -> str:
        value = value.upper()
        if value not in phonenumbers.SUPPORTED_REGIONS:
            raise serializers.ValidationError("Enter an ISO 3166-1 alpha-2 country code, e.g. KE.")
        return value

    def validate_contact_phone(self, value) -> str:
        return value.as_e164


class KYCSubmissionSerializer(serializers.ModelSerializer):
    """A KYC submission as its merchant (or an admin) sees it; `document_url` goes through an authorised view."""

    document_url = serializers.SerializerMethodField()
    contact_phone = serializers.CharField(read_only=True)

    class Meta:
        model = KYCSubmission
        fields = [
            "id",
            "status",
            *KYC_APPLICANT_FIELDS,
            "document_content_type",
            "document_url",
            "rejection_reason",
            "submitted_at",
            "decided_at",
        ]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.URI)
    def get_document_url(self, submission: KYCSubmission) -> str:
        url_name = self.context.get("document_url_name", "merchant-kyc-submission-document")
        path = reverse(url_name, kwargs={"submission_id": submission.pk})
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path


class KYCStateSerializer(serializers.Serializer):
    """`GET /merchants/me/kyc/`: the latest submission, or just `status: not_submitted` (other fields null)."""

    id = serializers.UUIDField(allow_null=True)
    status = serializers.ChoiceField(choices=KYCStatus.choices)
    legal_name = serializers.CharField(allow_null=True)
    registration_number = serializers.CharField(allow_null=True)
    tax_id = serializers.CharField(allow_null=True)
    country = serializers.CharField(allow_null=True)
    address = serializers.CharField(allow_null=True)
    contact_phone = serializers.CharField(allow_null=True)
    document_content_type = serializers.CharField(allow_null=True)
    document_url = serializers.URLField(allow_null=True)
    rejection_reason = serializers.CharField(allow_null=True)
    submitted_at = serializers.DateTimeField(allow_null=True)
    decided_at = serializers.DateTimeField(allow_null=True)


NOT_SUBMITTED_STATE = {field: None for field in KYCStateSerializer().fields} | {
    "status": KYCStatus.NOT_SUBMITTED.value
}


class WebhookSecretSerializer(serializers.ModelSerializer):
    class Meta:
        model = WebhookSecret
        fields = ["id", "secret", "created_at", "expires_at"]
        read_only_fields = fields


class WebhookSecretCreatedSerializer(serializers.ModelSerializer):
    class Meta:
        model = WebhookSecret
        fields = ["id", "secret", "created_at"]
        read_only_fields = fields


class KYCRejectSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000, help_text="Told to the merchant.")


class MerchantSuspendSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000, help_text="Told to the merchant (emailed).")


class AdminMerchantSerializer(serializers.ModelSerializer):
    """A merchant in the admin lists, with its latest KYC submission (null before the first)."""

    email = serializers.EmailField(source="user.email", read_only=True)
    latest_kyc = serializers.SerializerMethodField()

    class Meta:
        model = Merchant
        fields = [
            "id",
            "company_name",
            "email",
            "kyc_status",
            "is_active",
            "activated_at",
            "suspended_at",
            "suspension_reason",
            "created_at",
            "latest_kyc",
        ]
        read_only_fields = fields

    @extend_schema_field(KYCSubmissionSerializer(allow_null=True))
    def get_latest_kyc(self, merchant: Merchant):
        submissions = getattr(merchant, "kyc_submissions_latest_first", None)
        if submissions is None:
            submissions = list(merchant.kyc_submissions.order_by("-submitted_at")[:1])
        if not submissions:
            return None
        context = self.context | {"document_url_name": "admin-kyc-submission-document"}
        return KYCSubmissionSerializer(submissions[0], context=context).data
