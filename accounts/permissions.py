"""Role permissions reused by every app's views."""

from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import BasePermission

from .errors import AccountError


class KYCRequired(PermissionDenied):
    default_code = AccountError.KYC_REQUIRED.value
    default_detail = "Your merchant account is not active yet: an admin must approve your KYC first."


class IsAdmin(BasePermission):
    def has_permission(self, request, view):
        return bool(request.user and request.user.is_authenticated and request.user.is_staff)


class IsCustomer(BasePermission):
    message = "Only customer accounts can do this."

    def has_permission(self, request, view):
        user = request.user
        return bool(user and user.is_authenticated and user.is_customer)


class IsMerchant(BasePermission):
    """Any merchant account, approved or not (profile and KYC endpoints)."""

    message = "Only merchant accounts can do this."

    def has_permission(self, request, view):
        user = request.user
        return bool(user and user.is_authenticated and user.is_merchant and hasattr(user, "merchant"))


class IsActiveMerchant(IsMerchant):
    """A merchant whose KYC an admin approved; any other merchant gets 403 `kyc_required`."""

    def has_permission(self, request, view):
        if not super().has_permission(request, view):
            return False
        if not request.user.merchant.is_active:
            raise KYCRequired()
        return True
