"""Merchant endpoints (profile, KYC, KYC documents, webhook signing secrets) and the admin's merchant list,
KYC decisions and documents, and suspension. Admin views name the staff permission they need."""

import django_filters
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import generics, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import IsActiveMerchant, IsMerchant
from core.permissions import StaffPermission

from .documents import kyc_document_response
from .models import KYCStatus, Merchant
from .selectors import (
    kyc_submission_get_for,
    kyc_submission_latest,
    merchant_get,
    merchant_list,
    merchant_webhook_secrets_valid,
)
from .serializers import (
    NOT_SUBMITTED_STATE,
    AdminMerchantSerializer,
    KYCRejectSerializer,
    KYCStateSerializer,
    KYCSubmissionSerializer,
    KYCSubmitSerializer,
    MerchantContactSerializer,
    MerchantMeSerializer,
    MerchantSuspendSerializer,
    WebhookSecretCreatedSerializer,
    WebhookSecretSerializer,
)
from .services import (
    kyc_approve,
    kyc_reject,
    kyc_submit,
    merchant_reactivate,
    merchant_suspend,
    merchant_update_contact,
    webhook_secret_delete,
    webhook_secret_rotate,
)

# What each admin endpoint needs (the same permissions gate the Django admin's pages and buttons).
CAN_VIEW_MERCHANTS = StaffPermission.of("merchants.view_merchant")
CAN_DECIDE_KYC = StaffPermission.of("merchants.approve_kyc")
CAN_READ_KYC_DOCUMENTS = StaffPermission.of("merchants.view_kycsubmission")
CAN_SUSPEND = StaffPermission.of("merchants.suspend_merchant")

DOCUMENT_RESPONSES = {
    (200, "application/octet-stream"): OpenApiResponse(
        OpenApiTypes.BINARY, description="The document as uploaded (PDF, PNG or JPEG), as an attachment."
    ),
    404: OpenApiResponse(description="No such submission, or not yours."),
}
NOT_PERMITTED = OpenApiResponse(
    description="`permission_denied`: not staff, or the staff account lacks the endpoint's permission."
)


BAD_CONTACT = OpenApiResponse(description="`validation_error`: a bad email or phone number")


class MerchantMeView(APIView):
    def get_permissions(self):
        # Reading the profile is allowed before KYC approval; changing it is a merchant action like any other.
        return [IsActiveMerchant()] if self.request.method == "PATCH" else [IsMerchant()]

    @extend_schema(tags=["merchants"], responses=MerchantMeSerializer, summary="The merchant's profile")
    def get(self, request):
        return Response(MerchantMeSerializer(request.user.merchant).data)

    @extend_schema(
        tags=["merchants"],
        summary="Set the public support contact (shown on tracking pages) and new-order emails",
        request=MerchantContactSerializer,
        responses={
            200: MerchantMeSerializer,
            400: BAD_CONTACT,
            403: OpenApiResponse(description="`kyc_required`"),
        },
    )
    def patch(self, request):
        serializer = MerchantContactSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        merchant = merchant_update_contact(merchant=request.user.merchant, **serializer.validated_data)
        return Response(MerchantMeSerializer(merchant).data)


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


class WebhookSecretDetailView(APIView):
    permission_classes = [IsActiveMerchant]

    @extend_schema(
        tags=["merchants"],
        responses={
            204: OpenApiResponse(description="Deleted: the secret no longer verifies any delivery."),
            404: OpenApiResponse(description="No valid secret of yours has this id."),
            409: OpenApiResponse(description="`last_secret`: your only valid secret; rotate first."),
        },
        summary="Revoke a signing secret at once (a leaked one)",
    )
    def delete(self, request, secret_id):
        webhook_secret_delete(merchant=request.user.merchant, secret_id=secret_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- Admin API: the merchant list (the KYC queue is a filter of it) and KYC decisions ---


class MerchantFilter(django_filters.FilterSet):
    kyc_status = django_filters.ChoiceFilter(choices=KYCStatus.choices)
    is_active = django_filters.BooleanFilter()

    class Meta:
        model = Merchant
        fields = ["kyc_status", "is_active"]


@extend_schema_view(
    get=extend_schema(tags=["admin"], summary="Merchants; `?kyc_status=submitted` is the queue")
)
class AdminMerchantListView(generics.ListAPIView):
    permission_classes = [CAN_VIEW_MERCHANTS]
    serializer_class = AdminMerchantSerializer
    filterset_class = MerchantFilter
    search_fields = ["company_name", "user__email"]
    ordering_fields = ["company_name", "created_at", "activated_at"]
    ordering = ["company_name"]

    def get_queryset(self):
        return merchant_list()


def _merchant_response(request, merchant: Merchant) -> Response:
    merchant = merchant_list().get(pk=merchant.pk)
    return Response(AdminMerchantSerializer(merchant, context={"request": request}).data)


MERCHANT_RESPONSES = {
    200: AdminMerchantSerializer,
    403: NOT_PERMITTED,
    404: OpenApiResponse(description="No such merchant."),
}
DECISION_RESPONSES = MERCHANT_RESPONSES | {
    409: OpenApiResponse(description="`kyc_not_pending`: no submission awaits a decision."),
}


# POST on one merchant: `body` (a serializer, optional) parses the request, `act` writes, and the answer is the
# merchant as the admin list shows it. (A comment, not a docstring: drf-spectacular would publish a docstring.)
class AdminMerchantActionView(APIView):
    body = None

    def act(self, request, merchant: Merchant, **data) -> None:
        raise NotImplementedError

    def post(self, request, merchant_id):
        merchant = merchant_get(merchant_id=merchant_id)
        data = {}
        if self.body is not None:
            serializer = self.body(data=request.data)
            serializer.is_valid(raise_exception=True)
            data = serializer.validated_data
        self.act(request, merchant, **data)
        return _merchant_response(request, merchant)


REASON_MISSING = {400: OpenApiResponse(description="`validation_error`: reason missing.")}


@extend_schema_view(
    post=extend_schema(
        tags=["admin"], request=None, responses=DECISION_RESPONSES, summary="Approve a merchant's KYC"
    )
)
class AdminKYCApproveView(AdminMerchantActionView):
    permission_classes = [CAN_DECIDE_KYC]

    def act(self, request, merchant):
        kyc_approve(merchant=merchant, decided_by=request.user)


@extend_schema_view(
    post=extend_schema(
        tags=["admin"],
        request=KYCRejectSerializer,
        responses=DECISION_RESPONSES | REASON_MISSING,
        summary="Reject a merchant's KYC with a reason",
    )
)
class AdminKYCRejectView(AdminMerchantActionView):
    permission_classes = [CAN_DECIDE_KYC]
    body = KYCRejectSerializer

    def act(self, request, merchant, reason):
        kyc_reject(merchant=merchant, decided_by=request.user, reason=reason)


class AdminKYCDocumentView(APIView):
    permission_classes = [CAN_READ_KYC_DOCUMENTS]

    @extend_schema(
        tags=["admin"],
        responses=DOCUMENT_RESPONSES | {403: NOT_PERMITTED},
        summary="Download a KYC submission's document",
    )
    def get(self, request, submission_id):
        return kyc_document_response(kyc_submission_get_for(user=request.user, submission_id=submission_id))


class AdminMerchantKYCDocumentView(APIView):
    permission_classes = [CAN_READ_KYC_DOCUMENTS]

    @extend_schema(
        tags=["admin"],
        operation_id="admin_merchants_kyc_latest_document",
        responses=DOCUMENT_RESPONSES
        | {
            403: NOT_PERMITTED,
            404: OpenApiResponse(description="No such merchant, or it has submitted no KYC."),
        },
        summary="Download the merchant's latest KYC document",
        description="Streamed from private storage with its sniffed content type, as an attachment "
        "(`X-Content-Type-Options: nosniff`). Documents never have a public URL.",
    )
    def get(self, request, merchant_id):
        submission = kyc_submission_latest(merchant=merchant_get(merchant_id=merchant_id))
        if submission is None:
            raise Http404
        return kyc_document_response(submission)


@extend_schema_view(
    post=extend_schema(
        tags=["admin"],
        request=MerchantSuspendSerializer,
        responses=MERCHANT_RESPONSES
        | REASON_MISSING
        | {
            409: OpenApiResponse(
                description="`merchant_already_suspended`, or `merchant_not_approved` (KYC not approved)."
            )
        },
        summary="Suspend a merchant (emailed the reason)",
        description="Its API writes and its webhooks answer 403 `merchant_suspended` until it is reactivated; "
        "its orders stay trackable.",
    )
)
class AdminMerchantSuspendView(AdminMerchantActionView):
    permission_classes = [CAN_SUSPEND]
    body = MerchantSuspendSerializer

    def act(self, request, merchant, reason):
        merchant_suspend(merchant=merchant, suspended_by=request.user, reason=reason)


@extend_schema_view(
    post=extend_schema(
        tags=["admin"],
        request=None,
        responses=MERCHANT_RESPONSES
        | {409: OpenApiResponse(description="`merchant_not_suspended`: nothing to lift.")},
        summary="Reactivate a suspended merchant",
    )
)
class AdminMerchantReactivateView(AdminMerchantActionView):
    permission_classes = [CAN_SUSPEND]

    def act(self, request, merchant):
        merchant_reactivate(merchant=merchant, reactivated_by=request.user)
