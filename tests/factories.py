"""Test data for every app, made as users make it where it matters (orders through the services): users and
merchants, the catalog, KYC submissions and their files, orders. One module, so a factory has one home."""

import struct
import zlib
from decimal import Decimal
from importlib import import_module

import factory
from django.apps import apps as django_apps
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from accounts.models import AccountType, User
from catalog.models import Category, Product
from merchants.models import KYCStatus, KYCSubmission, Merchant
from orders.models import OrderEvent
from orders.placement import order_create_external, order_place
from orders.services import order_set_status

TEST_PASSWORD = "correct-horse-battery-9"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    phone_number = factory.Sequence(lambda n: f"+2547{n % 100000000:08d}")
    is_email_verified = True
    password = factory.PostGenerationMethodCall("set_password", TEST_PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class CustomerFactory(UserFactory):
    account_type = AccountType.CUSTOMER


class AdminFactory(UserFactory):
    email = factory.Sequence(lambda n: f"admin{n}@example.com")
    is_staff = True
    is_superuser = True


class StaffFactory(UserFactory):
    """A staff user holding only what its groups grant: `StaffFactory(groups=["KYC reviewers"])`."""

    email = factory.Sequence(lambda n: f"staff{n}@example.com")
    is_staff = True

    @factory.post_generation
    def groups(obj, create, extracted, **kwargs):
        if create and extracted:
            names = list(extracted)
            if Group.objects.filter(name__in=names).count() < len(names):
                # A transactional test's flush empties what data migrations made: make the groups again.
                import_module("core.migrations.0001_staff_groups").staff_groups_create(django_apps, "default")
            found = list(Group.objects.filter(name__in=names))
            assert len(found) == len(names), f"no such group among {names}"
            obj.groups.add(*found)


class MerchantUserFactory(UserFactory):
    email = factory.Sequence(lambda n: f"merchant{n}@example.com")
    account_type = AccountType.MERCHANT


class MerchantFactory(factory.django.DjangoModelFactory):
    """An approved, active merchant. Use `MerchantFactory(pending=True)` for one awaiting KYC."""

    class Meta:
        model = Merchant

    class Params:
        pending = factory.Trait(kyc_status=KYCStatus.NOT_SUBMITTED, is_active=False, activated_at=None)

    user = factory.SubFactory(MerchantUserFactory)
    company_name = factory.Sequence(lambda n: f"Shop {n} Ltd")
    kyc_status = KYCStatus.APPROVED
    is_active = True
    activated_at = factory.LazyFunction(timezone.now)


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category

    name = factory.Sequence(lambda n: f"Category {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))
    parent = None


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product

    merchant = factory.SubFactory(MerchantFactory)
    category = factory.SubFactory(CategoryFactory)
    sku = factory.Sequence(lambda n: f"SKU-{n:06d}")
    name = factory.Sequence(lambda n: f"Product {n}")
    price = Decimal("100.00")
    currency = "KES"
    stock = 10
    low_stock_threshold = 2


# --- merchants: KYC submissions and the files they carry ------------------------------------------
# Factories and sample documents for merchant / KYC tests.
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


# --- orders: placed, moved and platform orders ----------------------------------------------------
# Orders for tests are made the way users make them: through the services, never by writing rows.


def order_body(*lines, phone_number="+254712000111", shipping_address="Moi Avenue 1, Nairobi", **extra):
    """A POST /orders/ body from (product, quantity) pairs."""
    return {
        "items": [{"product": str(product.pk), "quantity": quantity} for product, quantity in lines],
        "phone_number": phone_number,
        "shipping_address": shipping_address,
        **extra,
    }


def placed_order(*, customer=None, product=None, quantity=1, **product_kwargs):
    """A pending order placed through `order_place`."""
    customer = customer or CustomerFactory()
    product = product or ProductFactory(**product_kwargs)
    order, _ = order_place(
        customer=customer,
        items=[{"product": product, "quantity": quantity}],
        phone_number="+254712000111",
        shipping_address="Moi Avenue 1, Nairobi",
    )
    return order


def order_moved_to(order, *path):
    """Walk `order` through the given statuses with `order_set_status`."""
    for status in path:
        order_set_status(order=order, status=status)
    order.refresh_from_db()
    return order


def external_order(*, merchant, external_id="EXT-1", **kwargs):
    order, _ = order_create_external(
        merchant=merchant,
        external_id=external_id,
        customer_name="Wanjiru Kamau",
        phone_number="+254712000222",
        shipping_address="Kenyatta Avenue 5, Nairobi",
        items=[{"sku": "X-1", "name": "Kettle", "quantity": 2, "unit_price": "1500.00"}],
        **kwargs,
    )
    return order


def payment_history(order) -> list[tuple[str, str, str]]:
    """The order's payment timeline, oldest first: (payment_status, reference, note)."""
    rows = OrderEvent.objects.filter(order=order, type="payment").order_by("occurred_at", "id")
    return list(rows.values_list("payment_status", "reference", "note"))


def totals_rows(rows) -> list[tuple]:
    """`order_totals()` rows as sorted (status, currency, payment status, orders, amount) tuples, to compare."""
    return sorted((r["status"], r["currency"], r["payment_status"], r["orders"], r["amount"]) for r in rows)
