"""The admin dashboard API: one selector, serialized."""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from core.permissions import StaffPermission

from .selectors import dashboard_figures
from .serializers import DashboardSerializer


class AdminDashboardView(APIView):
    permission_classes = [StaffPermission.of("orders.view_order")]

    @extend_schema(
        operation_id="admin_dashboard",
        summary="Platform figures for admins",
        responses={
            200: DashboardSerializer,
            403: OpenApiResponse(description="`permission_denied` or `kyc_required`"),
        },
    )
    def get(self, request):
        return Response(DashboardSerializer(dashboard_figures()).data)
