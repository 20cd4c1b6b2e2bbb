from django.urls import path

from .views import PublicTrackingView, TrackingStreamView

urlpatterns = [
    path("track/<str:tracking_code>/", PublicTrackingView.as_view(), name="track-api"),
    path("track/<str:tracking_code>/stream/", TrackingStreamView.as_view(), name="track-stream"),
]
