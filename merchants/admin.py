"""Django admin: merchants, KYC submissions (approve/reject actions), webhook secrets (never their value)."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from core.errors import ApiError

from .documents import kyc_document_response
from .models import KYCStatus, KYCSubmission, Merchant, WebhookSecret
from .services import kyc_approve, kyc_reject

# --- KYC decisions: both admins below call the same services as the admin API. ---


class KYCRejectForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4, "cols": 60}), help_text="Sent to the merchant."
    )


def _decide(modeladmin, request, merchants, *, approve: bool, reason: str = "") -> None:
    done, skipped = [], []
    for merchant in merchants:
        try:
            if approve:
                kyc_approve(merchant=merchant, decided_by=request.user)
            else:
                kyc_reject(merchant=merchant, decided_by=request.user, reason=reason)
        except ApiError as exc:
            skipped.append(f"{merchant}: {exc.detail}")
        else:
            done.append(str(merchant))
    verb = "Approved" if approve else "Rejected"
    if done:
        modeladmin.message_user(request, f"{verb} KYC of {len(done)} merchant(s): {', '.join(done)}.")
    if skipped:
        modeladmin.message_user(request, "Not decided: " + "; ".join(skipped), level=messages.WARNING)


def _reject_with_reason(modeladmin, request, queryset, merchants, action_name: str):
    """Intermediate page asking for the reason; on submit reject every selected merchant's pending KYC."""
    form = KYCRejectForm(request.POST if "apply" in request.POST else None)
    if form.is_valid():
        _decide(modeladmin, request, merchants, approve=False, reason=form.cleaned_data["reason"])
        return None  # back to the changelist
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": "Reject KYC",
        "opts": modeladmin.model._meta,
        "form": form,
        "queryset": queryset,
        "merchants": merchants,
        "action_name": action_name,
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
    }
    return TemplateResponse(request, "admin/merchants/kyc_reject.html", context)


def _document_link(submission: KYCSubmission):
    url = reverse("admin:merchants_kycsubmission_document", args=[submission.pk])
    return format_html('<a href="{}">Download ({})</a>', url, submission.document_content_type)


class KYCSubmissionInline(admin.TabularInline):
    model = KYCSubmission
    extra = 0
    can_delete = False
    show_change_link = True
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


@admin.register(Merchant)
class MerchantAdmin(admin.ModelAdmin):
    list_display = ("company_name", "user", "kyc_status", "is_active", "activated_at", "created_at")
    list_filter = ("kyc_status", "is_active")
    search_fields = ("company_name", "user__email")
    list_select_related = ("user",)
    # KYC state and activation change only through the approve/reject actions.
    readonly_fields = ("kyc_status", "is_active", "activated_at", "created_at")
    raw_id_fields = ("user",)
    inlines = [KYCSubmissionInline]
    actions = ["approve_kyc", "reject_kyc"]

    @admin.action(description="Approve KYC of the selected merchants", permissions=["change"])
    def approve_kyc(self, request, queryset):
        _decide(self, request, list(queryset), approve=True)

    @admin.action(description="Reject KYC of the selected merchants (with reason)", permissions=["change"])
    def reject_kyc(self, request, queryset):
        return _reject_with_reason(self, request, queryset, list(queryset), "reject_kyc")


@admin.register(KYCSubmission)
class KYCSubmissionAdmin(admin.ModelAdmin):
    list_display = (
        "legal_name",
        "merchant",
        "status",
        "country",
        "submitted_at",
        "decided_at",
        "decided_by",
        "document_link",
    )
    list_filter = ("status", "country", "submitted_at")
    search_fields = (
        "legal_name",
        "registration_number",
        "tax_id",
        "merchant__company_name",
        "merchant__user__email",
    )
    list_select_related = ("merchant", "decided_by")
    date_hierarchy = "submitted_at"
    # The raw file field would render a public URL; the document is linked through the authorised view instead.
    fields = (
        "merchant",
        "status",
        "legal_name",
        "registration_number",
        "tax_id",
        "country",
        "address",
        "contact_phone",
        "document_link",
        "document_content_type",
        "submitted_at",
        "decided_at",
        "decided_by",
        "rejection_reason",
    )
    readonly_fields = fields
    actions = ["approve_kyc", "reject_kyc"]

    def has_add_permission(self, request):
        return False

    @admin.display(description="Document")
    def document_link(self, obj):
        return _document_link(obj)

    def get_urls(self):
        document = self.admin_site.admin_view(self.document_view)
        return [
            path("<uuid:submission_id>/document/", document, name="merchants_kycsubmission_document")
        ] + super().get_urls()

    def document_view(self, request, submission_id):
        if not self.has_view_permission(request):
            raise PermissionDenied
        return kyc_document_response(get_object_or_404(KYCSubmission, pk=submission_id))

    @staticmethod
    def _pending_merchants(queryset):
        return [s.merchant for s in queryset.filter(status=KYCStatus.SUBMITTED).select_related("merchant")]

    @admin.action(description="Approve the selected pending submissions", permissions=["change"])
    def approve_kyc(self, request, queryset):
        merchants = self._pending_merchants(queryset)
        if not merchants:
            self.message_user(request, "None of the selected submissions is pending.", level=messages.WARNING)
            return None
        _decide(self, request, merchants, approve=True)

    @admin.action(description="Reject the selected pending submissions (with reason)", permissions=["change"])
    def reject_kyc(self, request, queryset):
        merchants = self._pending_merchants(queryset)
        if not merchants:
            self.message_user(request, "None of the selected submissions is pending.", level=messages.WARNING)
            return None
        return _reject_with_reason(self, request, queryset, merchants, "reject_kyc")


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
