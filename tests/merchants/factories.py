"""Factories and sample documents for merchant / KYC tests."""

import struct
import zlib

import factory
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
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


def pdf_showing(text: str) -> bytes:
    """A one-page PDF a viewer really renders (cross-reference table and all), with `text` on the page."""
    stream = b"BT /F1 28 Tf 72 740 Td (" + text.encode("latin-1") + b") Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def png_of(width: int, height: int, rgb: tuple[int, int, int] = (30, 110, 200)) -> bytes:
    """A valid PNG of one colour that a browser decodes (not just a PNG signature)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def admin_page(obj, view: str = "change") -> str:
    """The Django admin URL of `obj`'s page: `change` (for a KYC submission, its review), `delete`, or one of
    the extra pages (`suspend`, `reactivate`, `approve`, `reject`, `next`, `document`, `document_preview`)."""
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_{view}", args=[obj.pk])


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
