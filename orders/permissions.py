"""Who may touch orders at all; which orders they see is the selectors' business (404 across tenants)."""

from rest_framework.permissions import BasePermission

from accounts.permissions import IsActiveMerchant


class CanReadOrders(BasePermission):
    """Customers, admins and active merchants (a merchant awaiting KYC gets 403 `kyc_required`)."""

    def has_permission(self, request, view):
        user = request.user
        if not (user and user.is_authenticated):
            return False
        if user.is_staff or user.is_customer:
            return True
        return IsActiveMerchant().has_permission(request, view)
