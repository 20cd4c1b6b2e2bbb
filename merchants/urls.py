from django.urls import path

from . import views

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
        "admin/merchants/<uuid:merchant_id>/kyc/approve/",
        views.AdminKYCApproveView.as_view(),
        name="admin-merchant-kyc-approve",
    ),
    path(
        "admin/merchants/<uuid:merchant_id>/kyc/reject/",
        views.AdminKYCRejectView.as_view(),
        name="admin-merchant-kyc-reject",
    ),
    path(
        "admin/merchants/<uuid:merchant_id>/kyc/document/",
        views.AdminMerchantKYCDocumentView.as_view(),
        name="admin-merchant-kyc-document",
    ),
    path(
        "admin/merchants/<uuid:merchant_id>/suspend/",
        views.AdminMerchantSuspendView.as_view(),
        name="admin-merchant-suspend",
    ),
    path(
        "admin/merchants/<uuid:merchant_id>/reactivate/",
        views.AdminMerchantReactivateView.as_view(),
        name="admin-merchant-reactivate",
    ),
    path(
        "admin/kyc-submissions/<uuid:submission_id>/document/",
        views.AdminKYCDocumentView.as_view(),
        name="admin-kyc-submission-document",
    ),
]
