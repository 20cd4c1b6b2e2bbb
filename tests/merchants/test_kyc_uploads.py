"""KYC documents are judged by their content, capped at 5 MB and kept out of the public media."""

from pathlib import Path

import pytest
from django.conf import settings

from merchants.models import KYCSubmission
from tests.conftest import bearer_client
from tests.factories import (
    EXE_BYTES,
    HTML_BYTES,
    JPEG_BYTES,
    PDF_BYTES,
    PNG_BYTES,
    document,
    kyc_form,
)
from tests.factories import PendingMerchantFactory as Pending

pytestmark = pytest.mark.django_db

URL = "/api/v1/merchants/me/kyc/"


@pytest.fixture
def client():
    return bearer_client(Pending().user)


def submit(client, upload):
    return client.post(URL, kyc_form(document=upload), format="multipart")


@pytest.mark.parametrize(
    ("content", "expected"),
    [(PDF_BYTES, "application/pdf"), (PNG_BYTES, "image/png"), (JPEG_BYTES, "image/jpeg")],
)
def test_pdf_png_and_jpeg_are_accepted(client, content, expected):
    response = submit(client, document(content, name="scan.bin", content_type="application/octet-stream"))
    assert response.status_code == 201
    assert response.json()["document_content_type"] == expected


def test_a_png_renamed_pdf_is_kept_as_a_png(client):
    response = submit(client, document(PNG_BYTES, name="certificate.pdf", content_type="application/pdf"))
    assert response.status_code == 201
    assert response.json()["document_content_type"] == "image/png"
    download = client.get("/api/v1/merchants/me/kyc/document/")
    assert download["Content-Type"] == "image/png"
    assert download["X-Content-Type-Options"] == "nosniff"
    assert download["Content-Disposition"].startswith("attachment;")
    assert b"".join(download.streaming_content) == PNG_BYTES


@pytest.mark.parametrize("content", [EXE_BYTES, HTML_BYTES], ids=["executable", "html"])
def test_an_executable_or_html_named_pdf_is_refused(client, content):
    response = submit(client, document(content, name="certificate.pdf", content_type="application/pdf"))
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid_document"
    assert "document" in body["errors"]
    assert not KYCSubmission.objects.exists()
    assert client.get("/api/v1/merchants/me/").json()["kyc_status"] == "not_submitted"


def test_an_empty_file_is_refused(client):
    response = submit(client, document(b"", name="certificate.pdf"))
    assert response.status_code == 400
    assert "document" in response.json()["errors"]


def test_six_megabytes_is_too_large(client):
    big = PDF_BYTES + b"0" * (6 * 1024 * 1024 - len(PDF_BYTES))
    response = submit(client, document(big))
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_document"
    assert "5 MB" in response.json()["detail"]
    assert client.get("/api/v1/merchants/me/").json()["kyc_status"] == "not_submitted"


def test_exactly_five_megabytes_is_fine(client):
    upload = PDF_BYTES + b"0" * (5 * 1024 * 1024 - len(PDF_BYTES))
    assert submit(client, document(upload)).status_code == 201


def test_missing_fields_and_bad_values_are_named(client):
    response = client.post(URL, {"country": "Kenya", "contact_phone": "12"}, format="multipart")
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert {
        "legal_name",
        "registration_number",
        "tax_id",
        "address",
        "document",
        "country",
        "contact_phone",
    } <= set(errors)


def test_a_json_body_is_refused_politely(client):
    response = client.post(URL, {"legal_name": "x"}, format="json")
    assert response.status_code == 415
    assert response.json()["code"] == "unsupported_media_type"


def test_documents_are_stored_privately_under_a_random_name(client):
    assert submit(client, document(name="../../etc/passwd.pdf")).status_code == 201
    submission = KYCSubmission.objects.get()
    path = Path(submission.document.path).resolve()
    assert path.is_relative_to(Path(settings.PRIVATE_MEDIA_ROOT).resolve())
    assert not path.is_relative_to(Path(settings.MEDIA_ROOT).resolve())
    assert "passwd" not in submission.document.name
    assert path.read_bytes() == PDF_BYTES
    with pytest.raises(ValueError):
        submission.document.url  # noqa: B018 - no public URL exists


def test_deleting_a_merchant_deletes_its_kyc_documents_once_committed(
    client, django_capture_on_commit_callbacks
):
    assert submit(client, document(PDF_BYTES)).status_code == 201
    submission = KYCSubmission.objects.get()
    storage, name = submission.document.storage, submission.document.name
    assert storage.exists(name)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        submission.merchant.user.delete()  # cascades: user -> merchant -> submissions
    assert storage.exists(name)  # not before the deletion commits
    for callback in callbacks:
        callback()

    assert not KYCSubmission.objects.exists()
    assert not storage.exists(name)
