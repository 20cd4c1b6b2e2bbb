"""Recognise uploaded files by their content (magic bytes), never by their name or declared type."""

from django.core.files.uploadedfile import UploadedFile

from .errors import DomainCode, DomainError, ErrorCode

# content type -> leading-byte signatures
_SIGNATURES = {
    "application/pdf": (b"%PDF-",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/webp": (),  # RIFF....WEBP, checked below
}


def sniff_content_type(head: bytes) -> str | None:
    """The content type the bytes really are, among the ones we accept anywhere; None otherwise."""
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    for content_type, signatures in _SIGNATURES.items():
        if any(head.startswith(sig) for sig in signatures):
            return content_type
    return None


def validate_upload(
    upload: UploadedFile,
    *,
    allowed: set[str],
    max_bytes: int,
    field: str,
    code: DomainCode = ErrorCode.INVALID_FILE,
) -> str:
    """Check size and real type of an upload; return its content type or raise a 400 `DomainError`."""
    if upload.size > max_bytes:
        raise DomainError(
            code,
            f"The file is larger than {max_bytes // (1024 * 1024)} MB.",
            errors={field: [f"At most {max_bytes // (1024 * 1024)} MB."]},
        )
    position = upload.tell() if hasattr(upload, "tell") else 0
    upload.seek(0)
    head = upload.read(16)
    upload.seek(position)
    content_type = sniff_content_type(head)
    if content_type not in allowed:
        kinds = ", ".join(sorted(t.split("/")[1].upper() for t in allowed))
        raise DomainError(
            code, f"The file's content is not one of: {kinds}.", errors={field: [f"Upload a {kinds} file."]}
        )
    return content_type
