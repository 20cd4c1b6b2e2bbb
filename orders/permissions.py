"""Who may touch orders at all; which orders they see is the selectors' business (404 across tenants)."""

from rest_framework.permissions import BasePermission

from accounts.permissions import IsActiveMerchant
from core.permissions import StaffPermission

# Staff read orders with `view_order` and cancel them with `change_order`.
STAFF_ORDERS = StaffPermission.of("orders.view_order", POST="orders.change_order")


class CanReadOrders(BasePermission):
    """Customers, staff allowed to (see STAFF_ORDERS) and active merchants (a merchant awaiting KYC gets 403
    `kyc_required`)."""

    def has_permission(self, request, view):
        user = request.user
        if not (user and user.is_authenticated):
            return False
        if user.is_staff:
            return STAFF_ORDERS().has_permission(request, view)
        if user.is_customer:
            return True
        return IsActiveMerchant().has_permission(request, view)
