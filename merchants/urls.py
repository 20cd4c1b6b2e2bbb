from django.urls import path

from . import views

# What an admin does to one merchant: (path under admin/merchants/<id>/, view, URL name).
ADMIN_MERCHANT_ACTIONS = [
    ("kyc/approve/", views.AdminKYCApproveView, "admin-merchant-kyc-approve"),
    ("kyc/reject/", views.AdminKYCRejectView, "admin-merchant-kyc-reject"),
    ("kyc/document/", views.AdminMerchantKYCDocumentView, "admin-merchant-kyc-document"),
    ("suspend/", views.AdminMerchantSuspendView, "admin-merchant-suspend"),
    ("reactivate/", views.AdminMerchantReactivateView, "admin-merchant-reactivate"),
]

urlpatterns = [
    path("merchants/me/", views.MerchantMeView.as_view(), name="merchant-me"),
    path("merchants/me/kyc/", views.MerchantKYCView.as_view(), name="merchant-kyc"),
    path("merchants/me/kyc/document/", views.MerchantKYCDocumentView.as_view(), name="merchant-kyc-document"),
    path(
        "merchants/me/kyc/<uuid:submission_id>/document/",
        views.MerchantKYCSubmissionDocumentView.as_view(),
        name="merchant-kyc-submission-document",
    ),
    path(
        "merchants/me/webhook-secrets/",
        views.WebhookSecretListView.as_view(),
        name="merchant-webhook-secrets",
    ),
    path(
        "merchants/me/webhook-secrets/rotate/",
        views.WebhookSecretRotateView.as_view(),
        name="merchant-webhook-secrets-rotate",
    ),
    path(
        "merchants/me/webhook-secrets/<uuid:secret_id>/",
        views.WebhookSecretDetailView.as_view(),
        name="merchant-webhook-secret-detail",
    ),
    path("admin/merchants/", views.AdminMerchantListView.as_view(), name="admin-merchants"),
    path(
        "admin/kyc-submissions/<uuid:submission_id>/document/",
        views.AdminKYCDocumentView.as_view(),
        name="admin-kyc-submission-document",
    ),
] + [
    path(f"admin/merchants/<uuid:merchant_id>/{action}", view.as_view(), name=name)
    for action, view, name in ADMIN_MERCHANT_ACTIONS
]
