"""Factories and sample documents for merchant / KYC tests."""

import factory
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from merchants.models import KYCStatus, KYCSubmission
from tests.factories import MerchantFactory

PDF_BYTES = (
    b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
)
PNG_BYTES = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 64
JPEG_BYTES = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 64
EXE_BYTES = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64
HTML_BYTES = b"<!DOCTYPE html><html><script>alert(document.cookie)</script></html>"


def document(
    content: bytes = PDF_BYTES, name: str = "certificate.pdf", content_type: str = "application/pdf"
):
    """An upload as a browser would send it; name and declared type are whatever the client claims."""
    return SimpleUploadedFile(name, content, content_type=content_type)


def kyc_form(**overrides) -> dict:
    """A complete multipart KYC form with a real PDF."""
    form = {
        "legal_name": "Duka Bora Limited",
        "registration_number": "PVT-2024-001234",
        "tax_id": "P051234567X",
        "country": "KE",
        "address": "Moi Avenue 12, Nairobi",
        "contact_phone": "+254712345678",
        "document": document(),
    }
    form.update(overrides)
    return form


class PendingMerchantFactory(MerchantFactory):
    """A merchant that registered but has no KYC decision yet."""

    pending = True


class KYCSubmissionFactory(factory.django.DjangoModelFactory):
    """A pending submission; the merchant's `kyc_status` is set to match."""

    class Meta:
        model = KYCSubmission
        skip_postgeneration_save = True

    merchant = factory.SubFactory(PendingMerchantFactory)
    legal_name = factory.Sequence(lambda n: f"Legal Name {n} Ltd")
    registration_number = factory.Sequence(lambda n: f"PVT-{n:06d}")
    tax_id = factory.Sequence(lambda n: f"P{n:09d}X")
    country = "KE"
    address = "Moi Avenue 12, Nairobi"
    contact_phone = "+254712345678"
    document = factory.LazyFunction(lambda: ContentFile(PDF_BYTES, name="document"))
    document_content_type = "application/pdf"
    status = KYCStatus.SUBMITTED

    @factory.post_generation
    def _sync_merchant(obj, create, extracted, **kwargs):
        if create and obj.merchant.kyc_status != obj.status:
            obj.merchant.kyc_status = obj.status
            obj.merchant.save(update_fields=["kyc_status"])


class RejectedKYCSubmissionFactory(KYCSubmissionFactory):
    status = KYCStatus.REJECTED
    rejection_reason = "The certificate is illegible."
    decided_at = factory.LazyFunction(timezone.now)
