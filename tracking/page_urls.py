from django.urls import path

from .views import tracking_lookup, tracking_page

urlpatterns = [
    path("", tracking_lookup, name="track-lookup"),
    path("<str:tracking_code>/", tracking_page, name="track-page"),
]
