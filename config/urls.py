import re

from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path

from accounts.oidc_browser import signed_in
from core.api_docs import ApiSchemaView, RedocView, SwaggerView, redoc_bundle
from core.exceptions import api_not_found
from core.health import healthz, readyz
from core.media import public_media
from dashboard.pages import dashboard_page
from tracking.views import home

handler400 = "core.exceptions.handler400"
handler403 = "core.exceptions.handler403"
handler404 = "core.exceptions.handler404"
handler500 = "core.exceptions.handler500"

api_v1 = [
    path("schema/", ApiSchemaView.as_view(), name="schema"),
    path("docs/swagger/", SwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    path("docs/redoc/", RedocView.as_view(url_name="schema"), name="redoc"),
    path("docs/redoc/sidecar/redoc.standalone.js", redoc_bundle, name="redoc-bundle"),
    path("", include("accounts.urls")),
    path("", include("merchants.urls")),
    path("", include("catalog.urls")),
    path("", include("orders.urls")),
    path("", include("tracking.urls")),
    path("", include("webhooks.urls")),
    path("", include("notifications.urls")),
    path("", include("dashboard.urls")),
    re_path(r"^.*$", api_not_found),  # keep last: unknown API paths get a JSON 404, also in DEBUG
]

# The admin's "View site" link: the public home page with the tracking-code form.
admin.site.site_url = "/"
admin.site.site_header = admin.site.site_title = "Ordertrail operations"
admin.site.index_title = "Operations"
# The lists need the width (status, errors, stock fit at 1366 px); the index and breadcrumbs lead everywhere.
admin.site.enable_nav_sidebar = False

urlpatterns = [
    path("", home, name="home"),
    path("healthz/", healthz, name="healthz"),
    path("readyz/", readyz, name="readyz"),
    path("admin/dashboard/", admin.site.admin_view(dashboard_page), name="admin-dashboard-page"),
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    path("track/", include("tracking.page_urls")),
    path("oidc/signed-in/", signed_in, name="oidc-signed-in"),
    path("oidc/", include("mozilla_django_oidc.urls")),
]
# Product images from a local public store (`make run`); with object storage their URLs point at the bucket/CDN.
if not re.match(r"^[a-z][a-z0-9+.-]*://", settings.MEDIA_URL):
    urlpatterns.append(
        re_path(
            rf"^{re.escape(settings.MEDIA_URL.strip('/'))}/(?P<path>.+)$", public_media, name="public-media"
        )
    )
