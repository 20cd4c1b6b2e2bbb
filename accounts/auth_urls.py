from django.urls import path

from . import auth_views, oidc_views

urlpatterns = [
    path("auth/register/", auth_views.RegisterView.as_view(), name="auth-register"),
    path("auth/verify-otp/", auth_views.OTPVerifyView.as_view(), name="auth-verify-otp"),
    path("auth/request-otp/", auth_views.OTPRequestView.as_view(), name="auth-request-otp"),
    path("auth/login/", auth_views.LoginView.as_view(), name="auth-login"),
    path("auth/token/refresh/", auth_views.TokenRefreshView.as_view(), name="auth-token-refresh"),
    path("auth/logout/", auth_views.LogoutView.as_view(), name="auth-logout"),
    path("auth/me/", auth_views.MeView.as_view(), name="auth-me"),
    path("auth/change-password/", auth_views.PasswordChangeView.as_view(), name="auth-change-password"),
    path("auth/password-reset/", auth_views.PasswordResetView.as_view(), name="auth-password-reset"),
    path(
        "auth/password-reset/confirm/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="auth-password-reset-confirm",
    ),
    path("auth/oidc/token/", oidc_views.OIDCTokenView.as_view(), name="auth-oidc-token"),
    path("auth/oidc/exchange/", oidc_views.OIDCCodeExchangeView.as_view(), name="auth-oidc-exchange"),
    path("auth/oidc/identities/", oidc_views.ExternalIdentityView.as_view(), name="auth-oidc-identities"),
]
