"""Serve the public store's files (product images) when that store is a local directory (`make run`).

Only MEDIA_ROOT is served: KYC documents live in PRIVATE_MEDIA_ROOT, which no route reaches (and
`core.checks` refuses a PRIVATE_MEDIA_ROOT inside MEDIA_ROOT). With object storage, image URLs point at the
bucket or CDN and this view answers 404.
"""

from django.core.files.storage import default_storage
from django.http import Http404
from django.views.decorators.http import require_safe
from django.views.static import serve

from .storage import PUBLIC_CACHE_CONTROL, is_local


@require_safe
def public_media(request, path: str):
    if not is_local(default_storage):
        raise Http404("Media are served by the object store.")
    response = serve(request, path, document_root=default_storage.location)
    response["Cache-Control"] = PUBLIC_CACHE_CONTROL
    response["X-Content-Type-Options"] = "nosniff"
    # Whatever a file turned out to be, it is shown as a plain resource: no script, no frame, no plugin.
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'"
    return response
