from django.urls import path

from . import views

urlpatterns = [
    path("orders/", views.OrderListCreateView.as_view(), name="order-list"),
    path("orders/<uuid:order_id>/", views.OrderDetailView.as_view(), name="order-detail"),
    path("orders/<uuid:order_id>/cancel/", views.OrderCancelView.as_view(), name="order-cancel"),
    path("orders/<uuid:order_id>/status/", views.OrderStatusView.as_view(), name="order-status"),
    path("orders/<uuid:order_id>/payment/", views.OrderPaymentView.as_view(), name="order-payment"),
    path("orders/<uuid:order_id>/tracking/", views.OrderTrackingView.as_view(), name="order-tracking"),
]
