from django.urls import path

from .views import WebhookDeliveryListView, WebhookReceiveView

urlpatterns = [
    # str, not uuid: a malformed id answers 404 `unknown_merchant`, like an unknown one.
    path("webhooks/<str:merchant_id>/", WebhookReceiveView.as_view(), name="webhook-receive"),
    path(
        "merchants/me/webhook-deliveries/",
        WebhookDeliveryListView.as_view(),
        name="merchant-webhook-deliveries",
    ),
]
