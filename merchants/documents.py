"""KYC documents leave private storage only through here, for the API and the Django admin alike.

The file is read through the field's storage (the "private" store of settings.STORAGES, `core.storage`), so
moving documents to another store (S3) changes nothing here.
"""

import mimetypes

from django.http import FileResponse, Http404

from core.errors import DomainError
from core.storage import STORAGE_ERRORS

from .errors import MerchantError
from .models import KYCSubmission


def kyc_document_response(submission: KYCSubmission, *, inline: bool = False) -> FileResponse:
    """Stream a KYC document as its sniffed type; an attachment unless `inline` (the admin's preview frame).
    Only call after checking who may see it."""
    try:
        handle = submission.document.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    except STORAGE_ERRORS as exc:  # the store is unreachable: the document exists, try again later
        raise DomainError(
            MerchantError.STORAGE_UNAVAILABLE,
            "The document store cannot be reached; try again shortly.",
        ) from exc
    extension = mimetypes.guess_extension(submission.document_content_type) or ""
    response = FileResponse(
        handle,
        as_attachment=not inline,
        filename=f"kyc-{submission.pk}{extension}",
        content_type=submission.document_content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    # The document's own policy (the site's would not fit a PDF): it runs nothing, and only our own pages may
    # frame it, and only when asked for inline (the KYC review page's preview).
    ancestors = "'self'" if inline else "'none'"
    response["Content-Security-Policy"] = (
        f"default-src 'none'; img-src 'self'; sandbox; frame-ancestors {ancestors}"
    )
    response["X-Frame-Options"] = "SAMEORIGIN" if inline else "DENY"
    return response
