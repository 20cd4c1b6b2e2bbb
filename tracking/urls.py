from django.urls import path

from .views import PublicTrackingView

urlpatterns = [
    path("track/<str:tracking_code>/", PublicTrackingView.as_view(), name="track-api"),
]
