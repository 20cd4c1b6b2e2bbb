from django.urls import include, path

urlpatterns = [
    path("", include("accounts.auth_urls")),
    path("", include("accounts.merchant_urls")),
]
