from django.urls import include, path

from . import admin_views

urlpatterns = [
    path("", include("accounts.auth_urls")),
    path("admin/customers/", admin_views.AdminCustomerListView.as_view(), name="admin-customers"),
]
