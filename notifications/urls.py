from django.urls import path

from . import views

urlpatterns = [
    path("admin/notifications/", views.AdminNotificationListView.as_view(), name="admin-notification-list"),
    path(
        "admin/notifications/<uuid:pk>/retry/",
        views.AdminNotificationRetryView.as_view(),
        name="admin-notification-retry",
    ),
    path("admin/broadcasts/", views.AdminBroadcastListView.as_view(), name="admin-broadcast-list"),
    path(
        "admin/broadcasts/<uuid:pk>/", views.AdminBroadcastDetailView.as_view(), name="admin-broadcast-detail"
    ),
    path(
        "notifications/delivery-reports/africastalking/<str:token>/",
        views.AfricasTalkingDeliveryReportView.as_view(),
        name="africastalking-delivery-reports",
    ),
]
