"""Django admin: merchants (suspension, never deleted once they have a history), the KYC review queue and
review page, webhook secrets (never their value). The pages themselves are in `admin_pages`."""

from django.contrib import admin, messages
from django.contrib.admin.utils import flatten_fieldsets, quote
from django.urls import path, reverse
from django.utils.decorators import method_decorator
from django.utils.html import format_html

from . import admin_pages
from .admin_pages import (
    kyc_decide_page,
    kyc_document_page,
    kyc_queue,
    kyc_queue_next,
    kyc_queue_next_page,
    merchant_suspension_page,
)
from .models import KYC_APPLICANT_FIELDS, KYCStatus, KYCSubmission, Merchant, WebhookSecret

PREVIEWABLE = {"application/pdf": "pdf", "image/png": "image", "image/jpeg": "image"}

try:  # django-csp sets the site's Content-Security-Policy; the review page must frame our own document view.
    from csp.decorators import csp_update

    frames_own_views = csp_update({"frame-src": ["'self'"]})
except ImportError:  # without django-csp there is no policy to widen
    frames_own_views = None


class ExtraPages:
    """Admin pages beyond Django's, declared as (route, view from `admin_pages`, its keyword arguments, URL name
    suffix); the URL name is `<app>_<model>_<suffix>` and the route's id is passed on to the view."""

    extra_pages: list = []

    def get_urls(self):
        def page(view, kwargs):
            return self.admin_site.admin_view(
                lambda request, **ids: view(self, request, *ids.values(), **kwargs)
            )

        prefix = f"{self.opts.app_label}_{self.opts.model_name}"
        own = [
            path(route, page(view, kw), name=f"{prefix}_{suffix}")
            for route, view, kw, suffix in self.extra_pages
        ]
        return own + super().get_urls()


class ApproveKYCPermission:
    """Deciding KYC needs `merchants.approve_kyc`, in the admin as in the API."""

    def has_approve_kyc_permission(self, request):
        return request.user.has_perm("merchants.approve_kyc")


def _document_link(submission: KYCSubmission):
    url = reverse("admin:merchants_kycsubmission_document", args=[submission.pk])
    return format_html('<a href="{}">Download ({})</a>', url, submission.document_content_type)


class KYCSubmissionInline(admin.TabularInline):
    model = KYCSubmission
    extra = 0
    can_delete = False
    show_change_link = True
    verbose_name_plural = "KYC submissions (open one to review it)"
    fields = (
        "status",
        "legal_name",
        "submitted_at",
        "decided_at",
        "decided_by",
        "rejection_reason",
        "document_link",
    )
    readonly_fields = fields

    @admin.display(description="Document")
    def document_link(self, obj):
        return _document_link(obj)

    def has_add_permission(self, request, obj=None):
        return False


class SuspendedFilter(admin.SimpleListFilter):
    title = "suspended"
    parameter_name = "suspended"

    def lookups(self, request, model_admin):
        return [("yes", "Suspended"), ("no", "Not suspended")]

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(suspended_at__isnull=self.value() == "no")
        return queryset


@admin.register(Merchant)
class MerchantAdmin(ExtraPages, ApproveKYCPermission, admin.ModelAdmin):
    list_display = ("company_name", "user", "kyc_status", "is_active", "suspended_at", "created_at")
    list_filter = ("kyc_status", "is_active", SuspendedFilter)
    search_fields = ("company_name", "user__email")
    list_select_related = ("user",)
    # KYC state, activation and suspension change only through their buttons and actions.
    readonly_fields = (
        "kyc_status",
        "is_active",
        "activated_at",
        "suspended_at",
        "suspended_by",
        "suspension_reason",
        "created_at",
    )
    raw_id_fields = ("user",)
    inlines = [KYCSubmissionInline]
    actions = ["approve_kyc", "reject_kyc"]
    extra_pages = [
        ("<uuid:merchant_id>/suspend/", merchant_suspension_page, {"suspend": True}, "suspend"),
        ("<uuid:merchant_id>/reactivate/", merchant_suspension_page, {"suspend": False}, "reactivate"),
    ]

    def get_actions(self, request):
        # No bulk delete: merchants with a history are never deleted, and one without is deleted from its page.
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def has_delete_permission(self, request, obj=None):
        # Orders, KYC submissions and webhook deliveries are records to keep; a merchant that has any is
        # suspended, never deleted (also not by deleting its user: Django asks this for each related row).
        if obj is not None and (
            obj.orders.exists() or obj.kyc_submissions.exists() or obj.webhook_deliveries.exists()
        ):
            return False
        return super().has_delete_permission(request, obj)

    def has_suspend_merchant_permission(self, request):
        return request.user.has_perm("merchants.suspend_merchant")

    def change_view(self, request, object_id, form_url="", extra_context=None):
        merchant = Merchant.objects.filter(pk=object_id).first() if object_id else None
        extra = {}
        if merchant is not None:
            pending = merchant.kyc_submissions.filter(status=KYCStatus.SUBMITTED).first()
            may_suspend = self.has_suspend_merchant_permission(request)
            extra = {
                "can_suspend": may_suspend and merchant.is_active,
                "can_reactivate": may_suspend and merchant.is_suspended,
                "suspend_url": reverse("admin:merchants_merchant_suspend", args=[quote(merchant.pk)]),
                "reactivate_url": reverse("admin:merchants_merchant_reactivate", args=[quote(merchant.pk)]),
                "pending_kyc_url": admin_pages.kyc_review_url(pending) if pending else None,
                "merchant": merchant,
            }
        return super().change_view(request, object_id, form_url, {**extra, **(extra_context or {})})

    @admin.action(description="Approve KYC of the selected merchants…", permissions=["approve_kyc"])
    def approve_kyc(self, request, queryset):
        return admin_pages.kyc_bulk_decision_page(
            self, request, queryset, list(queryset), action_name="approve_kyc", approve=True
        )

    @admin.action(
        description="Reject KYC of the selected merchants (with reason)…", permissions=["approve_kyc"]
    )
    def reject_kyc(self, request, queryset):
        return admin_pages.kyc_bulk_decision_page(
            self, request, queryset, list(queryset), action_name="reject_kyc", approve=False
        )


class KYCQueueFilter(admin.SimpleListFilter):
    """Status, where no choice means the queue (awaiting review) and "All" is a choice of its own."""

    title = "status"
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [
            (KYCStatus.SUBMITTED, "Awaiting review (queue)"),
            (KYCStatus.APPROVED, "Approved"),
            (KYCStatus.REJECTED, "Rejected"),
            ("all", "All"),
        ]

    def value(self):
        return super().value() or KYCStatus.SUBMITTED

    def choices(self, changelist):
        for lookup, title in self.lookup_choices:
            yield {
                "selected": self.value() == lookup,
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }

    def queryset(self, request, queryset):
        return queryset if self.value() == "all" else queryset.filter(status=self.value())


@admin.register(KYCSubmission)
class KYCSubmissionAdmin(ExtraPages, ApproveKYCPermission, admin.ModelAdmin):
    """The KYC queue (the default view, oldest first) and, for each submission, its review page: the fields
    beside the document, Approve and Reject buttons (each confirmed), then the next in the queue. Decisions
    are the only change a submission ever gets, and none is deleted."""

    change_form_template = "admin/merchants/kycsubmission/review.html"
    # Who decided and when is on the review page; the queue needs the applicant, the wait and the document.
    list_display = ("legal_name", "merchant", "status", "country", "submitted_at", "document_link")
    list_filter = (KYCQueueFilter, "country", "submitted_at")
    search_fields = (
        "legal_name",
        "registration_number",
        "tax_id",
        "merchant__company_name",
        "merchant__user__email",
    )
    list_select_related = ("merchant", "decided_by")
    # The raw file field would render a public URL; the document is linked through the authorised view instead.
    fieldsets = (
        (
            "Submission",
            {"fields": ("merchant", "status", *KYC_APPLICANT_FIELDS)},
        ),
        ("Document", {"fields": ("document_link", "document_content_type")}),
        ("Decision", {"fields": ("submitted_at", "decided_at", "decided_by", "rejection_reason")}),
    )
    readonly_fields = flatten_fieldsets(fieldsets)
    actions = ["approve_kyc", "reject_kyc"]
    extra_pages = [
        ("next/", kyc_queue_next_page, {}, "queue_next"),
        ("<uuid:submission_id>/next/", kyc_queue_next_page, {}, "next"),
        ("<uuid:submission_id>/approve/", kyc_decide_page, {"approve": True}, "approve"),
        ("<uuid:submission_id>/reject/", kyc_decide_page, {"approve": False}, "reject"),
        ("<uuid:submission_id>/document/", kyc_document_page, {"inline": False}, "document"),
        ("<uuid:submission_id>/document/preview/", kyc_document_page, {"inline": True}, "document_preview"),
    ]

    def get_ordering(self, request):
        # The queue is worked oldest first; decided submissions read newest first.
        queue = request.GET.get(KYCQueueFilter.parameter_name, KYCStatus.SUBMITTED) == KYCStatus.SUBMITTED
        return ("submitted_at",) if queue else ("-submitted_at",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False  # read-only: a submission changes only by a decision (the buttons)

    def has_delete_permission(self, request, obj=None):
        return False  # evidence of who was checked and what was decided

    @admin.display(description="Document")
    def document_link(self, obj):
        return _document_link(obj)

    @method_decorator(frames_own_views or (lambda view: view))
    def change_view(self, request, object_id, form_url="", extra_context=None):
        submission = KYCSubmission.objects.select_related("merchant").filter(pk=object_id).first()
        extra = {}
        if submission is not None:
            args = [quote(submission.pk)]
            pending = submission.status == KYCStatus.SUBMITTED
            extra = {
                "submission": submission,
                "can_decide": pending and self.has_approve_kyc_permission(request),
                "approve_url": reverse("admin:merchants_kycsubmission_approve", args=args),
                "reject_url": reverse("admin:merchants_kycsubmission_reject", args=args),
                "preview_url": reverse("admin:merchants_kycsubmission_document_preview", args=args),
                "download_url": reverse("admin:merchants_kycsubmission_document", args=args),
                "preview_kind": PREVIEWABLE.get(submission.document_content_type),
                "next_url": reverse("admin:merchants_kycsubmission_next", args=args),
                "has_next": kyc_queue_next(skip=submission) is not None,
                "waiting": kyc_queue().count(),
            }
        return super().change_view(request, object_id, form_url, {**extra, **(extra_context or {})})

    @staticmethod
    def _pending_merchants(queryset):
        return [s.merchant for s in queryset.filter(status=KYCStatus.SUBMITTED).select_related("merchant")]

    def _bulk(self, request, queryset, *, action_name: str, approve: bool):
        merchants = self._pending_merchants(queryset)
        if not merchants:
            self.message_user(request, "None of the selected submissions is pending.", level=messages.WARNING)
            return None
        return admin_pages.kyc_bulk_decision_page(
            self, request, queryset, merchants, action_name=action_name, approve=approve
        )

    @admin.action(description="Approve the selected pending submissions…", permissions=["approve_kyc"])
    def approve_kyc(self, request, queryset):
        return self._bulk(request, queryset, action_name="approve_kyc", approve=True)

    @admin.action(
        description="Reject the selected pending submissions (with reason)…", permissions=["approve_kyc"]
    )
    def reject_kyc(self, request, queryset):
        return self._bulk(request, queryset, action_name="reject_kyc", approve=False)


@admin.register(WebhookSecret)
class WebhookSecretAdmin(admin.ModelAdmin):
    """Shows which secrets exist and when they expire, never their value."""

    list_display = ("__str__", "merchant", "created_at", "expires_at")
    list_filter = ("expires_at",)
    search_fields = ("merchant__company_name",)
    list_select_related = ("merchant",)
    fields = ("merchant", "created_at", "expires_at")
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
