from django.urls import path

from .views import tracking_page

urlpatterns = [
    path("<str:tracking_code>/", tracking_page, name="track-page"),
]
