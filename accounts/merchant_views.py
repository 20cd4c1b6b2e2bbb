"""Merchant-facing endpoints: profile, KYC, KYC documents, webhook signing secrets."""

import mimetypes

from django.http import FileResponse, Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from .merchant_serializers import (
    NOT_SUBMITTED_STATE,
    KYCStateSerializer,
    KYCSubmissionSerializer,
    KYCSubmitSerializer,
    MerchantMeSerializer,
    WebhookSecretCreatedSerializer,
    WebhookSecretSerializer,
)
from .merchant_services import kyc_submit, webhook_secret_rotate
from .models import KYCSubmission
from .permissions import IsActiveMerchant, IsMerchant
from .selectors import kyc_submission_get_for, kyc_submission_latest, merchant_webhook_secrets_valid

DOCUMENT_RESPONSES = {
    (200, "application/octet-stream"): OpenApiResponse(
        OpenApiTypes.BINARY, description="The document as uploaded (PDF, PNG or JPEG), as an attachment."
    ),
    404: OpenApiResponse(description="No such submission, or not yours."),
}


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


class MerchantMeView(APIView):
    permission_classes = [IsMerchant]

    @extend_schema(tags=["merchants"], responses=MerchantMeSerializer, summary="The merchant's profile")
    def get(self, request):
        return Response(MerchantMeSerializer(request.user.merchant).data)


class MerchantKYCView(APIView):
    permission_classes = [IsMerchant]
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(tags=["merchants"], responses=KYCStateSerializer, summary="The latest KYC submission")
    def get(self, request):
        submission = kyc_submission_latest(merchant=request.user.merchant)
        if submission is None:
            return Response(NOT_SUBMITTED_STATE)
        return Response(KYCSubmissionSerializer(submission, context={"request": request}).data)

    @extend_schema(
        tags=["merchants"],
        request={"multipart/form-data": KYCSubmitSerializer},
        responses={
            201: KYCSubmissionSerializer,
            400: OpenApiResponse(description="`validation_error`, or `invalid_document` (type or size)."),
            409: OpenApiResponse(description="`kyc_already_submitted`: pending or approved already."),
        },
        summary="Submit KYC (again after a rejection)",
    )
    def post(self, request):
        serializer = KYCSubmitSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        submission = kyc_submit(merchant=request.user.merchant, **serializer.validated_data)
        data = KYCSubmissionSerializer(submission, context={"request": request}).data
        return Response(data, status=status.HTTP_201_CREATED)


class MerchantKYCDocumentView(APIView):
    permission_classes = [IsMerchant]

    @extend_schema(
        tags=["merchants"],
        operation_id="merchants_me_kyc_latest_document",
        responses=DOCUMENT_RESPONSES,
        summary="Download the latest KYC document",
    )
    def get(self, request):
        submission = kyc_submission_latest(merchant=request.user.merchant)
        if submission is None:
            raise Http404
        return kyc_document_response(submission)


class MerchantKYCSubmissionDocumentView(APIView):
    permission_classes = [IsMerchant]

    @extend_schema(
        tags=["merchants"],
        operation_id="merchants_me_kyc_submission_document",
        responses=DOCUMENT_RESPONSES,
        summary="Download the document of one of your submissions",
    )
    def get(self, request, submission_id):
        return kyc_document_response(kyc_submission_get_for(user=request.user, submission_id=submission_id))


class WebhookSecretListView(APIView):
    permission_classes = [IsActiveMerchant]

    @extend_schema(
        tags=["merchants"],
        responses=WebhookSecretSerializer(many=True),
        summary="Signing secrets still valid (current first)",
    )
    def get(self, request):
        secrets = merchant_webhook_secrets_valid(merchant=request.user.merchant).order_by("-created_at")
        return Response(WebhookSecretSerializer(secrets, many=True).data)


class WebhookSecretRotateView(APIView):
    permission_classes = [IsActiveMerchant]

    @extend_schema(
        tags=["merchants"],
        request=None,
        responses={201: WebhookSecretCreatedSerializer},
        summary="Issue a new signing secret; older ones expire after the grace period",
    )
    def post(self, request):
        secret = webhook_secret_rotate(merchant=request.user.merchant)
        return Response(WebhookSecretCreatedSerializer(secret).data, status=status.HTTP_201_CREATED)
