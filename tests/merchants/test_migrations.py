"""A database made before `merchants` existed keeps its merchants, KYC submissions and webhook secrets: migrated
from the old head (the models in `accounts`) to the new one, every row is where it was, nothing copied.

Runs the real migrations with Django's MigrationExecutor, as django-test-migrations does: back to the old
head, rows written with the historical models, forward to the leaves, rows read with today's models.
"""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.admin.models import ADDITION, LogEntry
from django.contrib.auth.models import Permission
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from accounts.models import User
from catalog.models import Product
from merchants.models import KYCStatus, KYCSubmission, Merchant, WebhookSecret
from merchants.selectors import merchant_with_webhook_secrets
from tests.factories import kyc_form

pytestmark = pytest.mark.django_db(transaction=True)

# The old head: every merchants migration (and all that depends on one) unapplied, accounts back at its
# last migration before the move.
OLD_HEAD = [("merchants", None), ("accounts", "0003_alter_kycsubmission_contact_phone_and_more")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    return executor.migrate(targets or executor.loader.graph.leaf_nodes()).apps


@pytest.fixture
def old_head():
    """The historical apps at the old head; the database is at the new head again afterwards, whatever happens."""
    if ("merchants", "0001_initial") not in MigrationRecorder(connection).applied_migrations():
        pytest.skip("the test database was not built by migrations (--no-migrations)")
    try:
        yield _migrate(OLD_HEAD)
    finally:
        _migrate(None)


def _old_rows(apps) -> dict:
    """A merchant with two submissions (rejected, then approved), two secrets, a product, a permission."""
    now = timezone.now()
    user = apps.get_model("accounts", "User").objects.create(
        email="owner@dukabora.example", account_type="merchant", password="!", is_email_verified=True
    )
    admin = apps.get_model("accounts", "User").objects.create(
        email="boss@example.com", password="!", is_staff=True, is_email_verified=True
    )
    merchant = apps.get_model("accounts", "Merchant").objects.create(
        user=user, company_name="Duka Bora Ltd", kyc_status="approved", is_active=True, activated_at=now
    )
    kyc = apps.get_model("accounts", "KYCSubmission")
    form = {name: value for name, value in kyc_form().items() if name != "document"}
    common = form | {"merchant": merchant, "document_content_type": "application/pdf", "decided_by": admin}
    rejected = kyc.objects.create(
        **common,
        document=f"kyc/{merchant.pk}/first",
        status="rejected",
        rejection_reason="The certificate is illegible.",
        decided_at=now - timedelta(days=2),
    )
    approved = kyc.objects.create(
        **common, document=f"kyc/{merchant.pk}/second", status="approved", decided_at=now
    )
    secret = apps.get_model("accounts", "WebhookSecret")
    current = secret.objects.create(merchant=merchant, secret="whsec_" + "A" * 43 + "=")
    expiring = secret.objects.create(
        merchant=merchant, secret="whsec_" + "B" * 43 + "=", expires_at=now + timedelta(hours=3)
    )
    product = apps.get_model("catalog", "Product").objects.create(
        merchant=merchant, sku="SKU-1", name="Kikoi", price=Decimal("1500.00"), currency="KES"
    )
    # Before the move these models' content types were labelled `accounts`; a permission and an admin
    # log entry hang off them.
    content_types = apps.get_model("contenttypes", "ContentType").objects
    merchant_type = content_types.get_or_create(app_label="accounts", model="merchant")[0]
    permission = apps.get_model("auth", "Permission").objects.get_or_create(
        content_type=merchant_type, codename="change_merchant", defaults={"name": "Can change merchant"}
    )[0]
    admin.user_permissions.add(permission)
    apps.get_model("admin", "LogEntry").objects.create(
        user=admin,
        content_type=merchant_type,
        object_id=str(merchant.pk),
        object_repr="Duka Bora Ltd",
        action_flag=ADDITION,
    )
    return {
        "merchant": merchant.pk,
        "admin": admin.pk,
        "submissions": {rejected.pk: "rejected", approved.pk: "approved"},
        "secrets": {current.pk: current.secret, expiring.pk: expiring.secret},
        "product": product.pk,
        "merchant_type": merchant_type.pk,
    }


def test_merchants_kyc_and_secrets_survive_the_move_to_the_merchants_app(old_head):
    apps = old_head
    assert apps.get_model("accounts", "Merchant")._meta.db_table == Merchant._meta.db_table
    old = _old_rows(apps)

    _migrate(None)

    merchant = Merchant.objects.select_related("user").get(pk=old["merchant"])
    assert (merchant.company_name, merchant.kyc_status, merchant.is_active) == (
        "Duka Bora Ltd",
        "approved",
        True,
    )
    assert merchant.user.email == "owner@dukabora.example"
    submissions = {s.pk: s for s in KYCSubmission.objects.filter(merchant=merchant)}
    assert {pk: s.status for pk, s in submissions.items()} == old["submissions"]
    rejected = next(s for s in submissions.values() if s.status == KYCStatus.REJECTED)
    assert rejected.rejection_reason == "The certificate is illegible."
    assert rejected.decided_by_id == old["admin"]
    assert rejected.document.name == f"kyc/{merchant.pk}/first"
    assert str(rejected.contact_phone) == "+254712345678"
    assert {s.pk: s.secret for s in WebhookSecret.objects.filter(merchant=merchant)} == old["secrets"]
    assert Product.objects.get(pk=old["product"]).merchant == merchant
    # The webhook receiver's one-query lookup reads the moved tables.
    found, secrets = merchant_with_webhook_secrets(merchant_id=merchant.pk)
    assert found == merchant
    assert sorted(secrets) == sorted(old["secrets"].values())

    # The content type was relabelled, not replaced: the permission and the admin's history still apply.
    admin = User.objects.get(pk=old["admin"])
    assert admin.has_perm("merchants.change_merchant")
    assert Permission.objects.get(codename="change_merchant").content_type_id == old["merchant_type"]
    entry = LogEntry.objects.get(object_id=str(merchant.pk))
    assert entry.content_type_id == old["merchant_type"]
    assert entry.get_edited_object() == merchant
    assert entry.get_admin_url() == f"/admin/merchants/merchant/{merchant.pk}/change/"


def test_the_move_can_be_undone_without_losing_a_row(old_head):
    old = _old_rows(old_head)
    _migrate(None)

    apps = _migrate(OLD_HEAD)

    merchant = apps.get_model("accounts", "Merchant").objects.get(pk=old["merchant"])
    assert merchant.company_name == "Duka Bora Ltd"
    assert set(merchant.kyc_submissions.values_list("pk", flat=True)) == set(old["submissions"])
    assert set(merchant.webhook_secrets.values_list("pk", flat=True)) == set(old["secrets"])
    content_type = apps.get_model("contenttypes", "ContentType").objects.get(pk=old["merchant_type"])
    assert (content_type.app_label, content_type.model) == ("accounts", "merchant")
