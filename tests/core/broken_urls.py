"""The real URLconf plus one API view that fails, to see what a client gets from an unhandled error."""

from django.urls import path
from rest_framework.permissions import AllowAny
from rest_framework.views import APIView

from config.urls import urlpatterns as real_urlpatterns


class BrokenView(APIView):
    permission_classes = [AllowAny]

    def get(self, request):
        raise RuntimeError("an unexpected failure")


urlpatterns = [path("api/v1/broken/", BrokenView.as_view()), *real_urlpatterns]
