"""The application's URLs plus the floor benchmark's reference views (bench only)."""

from django.urls import path

from config.urls import handler400, handler403, handler404, handler500  # noqa: F401 (the root URLconf names them)
from config.urls import urlpatterns as application_urlpatterns

from . import views

urlpatterns = [
    path("floor/drf-noop/", views.DrfNoop.as_view()),
    path("floor/drf-authenticated/", views.DrfAuthenticated.as_view()),
    path("floor/drf-authenticated-transaction/", views.DrfAuthenticatedTransaction.as_view()),
    path("floor/drf-insert/", views.DrfInsert.as_view()),
    *application_urlpatterns,
]
