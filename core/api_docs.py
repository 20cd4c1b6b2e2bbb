"""The OpenAPI schema, Swagger UI and Redoc, served under a strict Content-Security-Policy.

`API_DOCS_PUBLIC` (default: on for `make run`, off in production) decides who may read them; when off, a
staff user may, signed in to the admin (the browser's session) or with a bearer token. Errors are JSON like
everywhere under /api/. The HTML pages carry CSP nonces on their inline script and style (core/templates).
"""

import functools
import re
from pathlib import Path

from csp.constants import SELF, UNSAFE_INLINE
from csp.decorators import csp_replace
from django.conf import settings
from django.contrib.staticfiles import finders
from django.http import HttpResponse
from django.templatetags.static import static
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.decorators import method_decorator
from django.views.decorators.http import require_GET
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import BasePermission
from rest_framework.renderers import JSONRenderer
from rest_framework.settings import api_settings


class ApiDocsPermission(BasePermission):
    """Anyone while API_DOCS_PUBLIC is on; otherwise staff users only."""

    def has_permission(self, request, view):
        if settings.API_DOCS_PUBLIC:
            return True
        return bool(request.user and request.user.is_authenticated and request.user.is_staff)


class _ApiDocsAccess:
    permission_classes = (ApiDocsPermission,)
    # A staff user opening the docs in a browser is signed in to the admin: the session counts there.
    authentication_classes = (*api_settings.DEFAULT_AUTHENTICATION_CLASSES, SessionAuthentication)

    def finalize_response(self, request, response, *args, **kwargs):
        if getattr(response, "exception", False):  # errors are JSON under /api/, even for an HTML page
            request.accepted_renderer = JSONRenderer()
            request.accepted_media_type = JSONRenderer.media_type
        return super().finalize_response(request, response, *args, **kwargs)


class ApiSchemaView(_ApiDocsAccess, SpectacularAPIView):
    pass


class SwaggerView(_ApiDocsAccess, SpectacularSwaggerView):
    template_name = "api_docs/swagger_ui.html"


# Redoc's bundle injects its own <style> elements while it loads, before any nonce can reach it, so its page
# alone allows inline styles (not scripts: those still need the nonce; a nonce in style-src would make
# browsers ignore 'unsafe-inline', hence a replacement), and its search runs in a worker made from a blob.
_REDOC_CSP = {"style-src": [SELF, UNSAFE_INLINE], "worker-src": [SELF, "blob:"]}
_REDOC_BUNDLE = "drf_spectacular_sidecar/redoc/bundles/redoc.standalone.js"
# The bundle's "API docs by Redocly" attribution shows an <img> from Redocly's CDN, unconditionally: it gets an
# empty inline image instead (the link and its text stay), so the page asks nothing of another origin.
_REMOTE_LOGO = re.compile(r"https://cdn\.redoc\.ly/[^\"'`]*")
_NO_LOGO = "data:image/gif;base64,R0lGODlhAQABAAAAACH5BAEKAAEALAAAAAABAAEAAAICTAEAOw=="


@functools.cache
def _redoc_bundle_without_remote_logo() -> str:
    source = Path(finders.find(_REDOC_BUNDLE)).read_text(encoding="utf-8")
    source = _REMOTE_LOGO.sub(_NO_LOGO, source)
    # Its source map lives next to the original file, not next to this URL.
    return source.replace(
        "sourceMappingURL=redoc.standalone.js.map", f"sourceMappingURL={static(_REDOC_BUNDLE)}.map"
    )


@require_GET
def redoc_bundle(request):
    """Redoc's standalone bundle from drf-spectacular-sidecar, minus its one remote asset (the Redocly logo)."""
    response = HttpResponse(
        _redoc_bundle_without_remote_logo(), content_type="text/javascript; charset=utf-8"
    )
    patch_cache_control(response, public=True, max_age=3600)
    return response


@method_decorator(csp_replace(_REDOC_CSP), name="dispatch")
class RedocView(_ApiDocsAccess, SpectacularRedocView):
    template_name = "api_docs/redoc.html"

    def _redoc_standalone(self):
        return reverse("redoc-bundle")
