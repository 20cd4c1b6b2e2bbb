"""Reads on merchants: the webhook receiver's lookup, KYC submissions, the admin's merchant list."""

from django.db import connection
from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from accounts.models import User

from .models import KYCStatus, KYCSubmission, Merchant, WebhookSecret


def merchant_webhook_secrets_valid(*, merchant: Merchant) -> QuerySet[WebhookSecret]:
    """The secrets a webhook signature is checked against: the current one and those still in their grace."""
    return WebhookSecret.objects.filter(merchant=merchant).filter(
        Q(expires_at__isnull=True) | Q(expires_at__gt=timezone.now())
    )


def merchant_with_webhook_secrets(*, merchant_id) -> tuple[Merchant | None, list[str]]:
    """The merchant (None when unknown) and the secrets `merchant_webhook_secrets_valid` gives, in one query.

    The webhook receiver asks this on every delivery. It is one raw LEFT JOIN because building the same
    query with the ORM cost the request about a millisecond of CPU, several times the query itself. The
    validity rule is the one above (no expiry, or an expiry still ahead); tests hold the two together.
    """
    merchant_pk = Merchant._meta.pk
    expires_at = WebhookSecret._meta.get_field("expires_at")
    secret = WebhookSecret._meta.get_field("secret").column
    owner = WebhookSecret._meta.get_field("merchant").column
    rows = Merchant.objects.raw(
        f"SELECT m.*, s.{secret} AS valid_webhook_secret FROM {Merchant._meta.db_table} m "
        f"LEFT JOIN {WebhookSecret._meta.db_table} s ON s.{owner} = m.{merchant_pk.column} "
        f"AND (s.{expires_at.column} IS NULL OR s.{expires_at.column} > %s) "
        f"WHERE m.{merchant_pk.column} = %s",
        [
            expires_at.get_db_prep_value(timezone.now(), connection),
            merchant_pk.get_db_prep_value(merchant_id, connection),
        ],
    )
    merchant, secrets = None, []
    for row in rows:
        merchant = merchant or row
        if row.valid_webhook_secret is not None:
            secrets.append(row.valid_webhook_secret)
    return merchant, secrets


def kyc_submission_latest(*, merchant: Merchant) -> KYCSubmission | None:
    """The merchant's most recent KYC submission, whatever its status; None before the first one."""
    return KYCSubmission.objects.filter(merchant=merchant).order_by("-submitted_at").first()


def kyc_submission_get_for(*, user: User, submission_id) -> KYCSubmission:
    """A KYC submission the user may see: its own merchant's, or any for an admin. Otherwise 404."""
    submissions = KYCSubmission.objects.select_related("merchant")
    if not user.is_staff:
        submissions = submissions.filter(merchant__user=user)
    try:
        return submissions.get(pk=submission_id)
    except (KYCSubmission.DoesNotExist, ValueError) as exc:
        raise Http404 from exc


def merchant_get(*, merchant_id) -> Merchant:
    """One merchant by id for an admin; 404 when unknown."""
    try:
        return Merchant.objects.select_related("user").get(pk=merchant_id)
    except (Merchant.DoesNotExist, ValueError) as exc:
        raise Http404 from exc


def merchant_list() -> QuerySet[Merchant]:
    """Every merchant with its user and latest KYC submission (admin list; filtered by the view)."""
    latest_first = KYCSubmission.objects.order_by("-submitted_at")
    return Merchant.objects.select_related("user").prefetch_related(
        Prefetch("kyc_submissions", queryset=latest_first, to_attr="kyc_submissions_latest_first")
    )


def merchant_awaiting_kyc_count() -> int:
    """How many merchants have a KYC submission waiting for a decision (the review queue's length)."""
    return Merchant.objects.filter(kyc_status=KYCStatus.SUBMITTED).count()
