"""Admin API over accounts: the customer list."""

import django_filters
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import generics

from core.permissions import StaffPermission

from .auth_serializers import AdminCustomerSerializer
from .models import User
from .selectors import customer_list


class CustomerFilter(django_filters.FilterSet):
    is_verified = django_filters.BooleanFilter(field_name="is_email_verified")

    class Meta:
        model = User
        fields = ["is_verified"]


@extend_schema_view(get=extend_schema(tags=["admin"], summary="Customer accounts"))
class AdminCustomerListView(generics.ListAPIView):
    permission_classes = [StaffPermission.of("accounts.view_user")]
    serializer_class = AdminCustomerSerializer
    filterset_class = CustomerFilter
    search_fields = ["email", "first_name", "last_name", "phone_number"]
    ordering_fields = ["email", "date_joined"]
    ordering = ["-date_joined"]

    def get_queryset(self):
        return customer_list()
