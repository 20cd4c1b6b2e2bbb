"""KYC documents leave private storage only through here, for the API and the Django admin alike."""

import mimetypes

from django.http import FileResponse, Http404

from .models import KYCSubmission


def kyc_document_response(submission: KYCSubmission) -> FileResponse:
    """Stream a KYC document from private storage. Only call after checking who may see it."""
    try:
        handle = submission.document.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    extension = mimetypes.guess_extension(submission.document_content_type) or ""
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=f"kyc-{submission.pk}{extension}",
        content_type=submission.document_content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
