"""Role permissions reused by every app's views."""

from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import SAFE_METHODS, BasePermission

from .errors import AccountError


class KYCRequired(PermissionDenied):
    default_code = AccountError.KYC_REQUIRED.value
    default_detail = "Your merchant account is not active yet: an admin must approve your KYC first."


class MerchantSuspended(PermissionDenied):
    default_code = AccountError.MERCHANT_SUSPENDED.value
    default_detail = (
        "Your merchant account is suspended: it can read but not change anything. Contact support."
    )


class IsAdmin(BasePermission):
    """Any staff user. Admin API views declare the Django permission they need instead
    (`core.permissions.StaffPermission`); this stays for staff checks that are not about one permission."""

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
    """A merchant whose KYC an admin approved; any other merchant gets 403 `kyc_required`. A suspended merchant
    may still read what it has (its orders, deliveries, secrets); its writes get 403 `merchant_suspended`."""

    def has_permission(self, request, view):
        if not super().has_permission(request, view):
            return False
        merchant = request.user.merchant
        if merchant.suspended_at is not None:
            if request.method in SAFE_METHODS:
                return True
            raise MerchantSuspended()
        if not merchant.is_active:
            raise KYCRequired()
        return True
