"""Admin API over accounts: customer and merchant lists, KYC decisions, KYC documents."""

import django_filters
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import generics
from rest_framework.response import Response
from rest_framework.views import APIView

from .merchant_serializers import AdminCustomerSerializer, AdminMerchantSerializer, KYCRejectSerializer
from .merchant_services import kyc_approve, kyc_reject
from .merchant_views import DOCUMENT_RESPONSES, kyc_document_response
from .models import KYCStatus, Merchant, User
from .permissions import IsAdmin
from .selectors import customer_list, kyc_submission_get_for, merchant_get, merchant_list


class MerchantFilter(django_filters.FilterSet):
    kyc_status = django_filters.ChoiceFilter(choices=KYCStatus.choices)
    is_active = django_filters.BooleanFilter()

    class Meta:
        model = Merchant
        fields = ["kyc_status", "is_active"]


class CustomerFilter(django_filters.FilterSet):
    is_verified = django_filters.BooleanFilter(field_name="is_email_verified")

    class Meta:
        model = User
        fields = ["is_verified"]


@extend_schema_view(
    get=extend_schema(tags=["admin"], summary="Merchants; `?kyc_status=submitted` is the queue")
)
class AdminMerchantListView(generics.ListAPIView):
    permission_classes = [IsAdmin]
    serializer_class = AdminMerchantSerializer
    filterset_class = MerchantFilter
    search_fields = ["company_name", "user__email"]
    ordering_fields = ["company_name", "created_at", "activated_at"]
    ordering = ["company_name"]

    def get_queryset(self):
        return merchant_list()


@extend_schema_view(get=extend_schema(tags=["admin"], summary="Customer accounts"))
class AdminCustomerListView(generics.ListAPIView):
    permission_classes = [IsAdmin]
    serializer_class = AdminCustomerSerializer
    filterset_class = CustomerFilter
    search_fields = ["email", "first_name", "last_name", "phone_number"]
    ordering_fields = ["email", "date_joined"]
    ordering = ["-date_joined"]

    def get_queryset(self):
        return customer_list()


def _merchant_response(request, merchant: Merchant) -> Response:
    merchant = merchant_list().get(pk=merchant.pk)
    return Response(AdminMerchantSerializer(merchant, context={"request": request}).data)


DECISION_RESPONSES = {
    200: AdminMerchantSerializer,
    403: OpenApiResponse(description="Not an admin."),
    404: OpenApiResponse(description="No such merchant."),
    409: OpenApiResponse(description="`kyc_not_pending`: no submission awaits a decision."),
}


class AdminKYCApproveView(APIView):
    permission_classes = [IsAdmin]

    @extend_schema(
        tags=["admin"], request=None, responses=DECISION_RESPONSES, summary="Approve a merchant's KYC"
    )
    def post(self, request, merchant_id):
        merchant = merchant_get(merchant_id=merchant_id)
        kyc_approve(merchant=merchant, decided_by=request.user)
        return _merchant_response(request, merchant)


class AdminKYCRejectView(APIView):
    permission_classes = [IsAdmin]

    @extend_schema(
        tags=["admin"],
        request=KYCRejectSerializer,
        responses=DECISION_RESPONSES
        | {400: OpenApiResponse(description="`validation_error`: reason missing.")},
        summary="Reject a merchant's KYC with a reason",
    )
    def post(self, request, merchant_id):
        merchant = merchant_get(merchant_id=merchant_id)
        serializer = KYCRejectSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        kyc_reject(merchant=merchant, decided_by=request.user, reason=serializer.validated_data["reason"])
        return _merchant_response(request, merchant)


class AdminKYCDocumentView(APIView):
    permission_classes = [IsAdmin]

    @extend_schema(
        tags=["admin"], responses=DOCUMENT_RESPONSES, summary="Download a KYC submission's document"
    )
    def get(self, request, submission_id):
        return kyc_document_response(kyc_submission_get_for(user=request.user, submission_id=submission_id))
