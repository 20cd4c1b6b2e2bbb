import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from core.errors import DomainError
from core.files import validate_upload

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.7\n" + b"0" * 64
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x00" * 64


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [("scan.pdf", PNG, "image/png"), ("doc.png", PDF, "application/pdf"), ("x.bin", WEBP, "image/webp")],
)
def test_files_are_recognised_by_content_not_name(name, content, expected):
    upload = SimpleUploadedFile(name, content, content_type="application/octet-stream")
    allowed = {"image/png", "application/pdf", "image/webp"}
    assert validate_upload(upload, allowed=allowed, max_bytes=1024, field="document") == expected


@pytest.mark.parametrize("content", [b"MZ\x90\x00executable", b"<html><script>alert(1)</script>", b""])
def test_other_content_is_refused_whatever_its_name(content):
    upload = SimpleUploadedFile("invoice.pdf", content, content_type="application/pdf")
    with pytest.raises(DomainError) as excinfo:
        validate_upload(upload, allowed={"application/pdf"}, max_bytes=1024, field="document")
    assert excinfo.value.http_status == 400
    assert "document" in excinfo.value.errors


def test_too_large_files_are_refused():
    upload = SimpleUploadedFile("a.pdf", PDF + b"0" * 2048, content_type="application/pdf")
    with pytest.raises(DomainError):
        validate_upload(upload, allowed={"application/pdf"}, max_bytes=1024, field="document")
