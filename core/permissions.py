"""Least privilege for the admin API: each view names the Django permission it needs, as the Django admin does.

    permission_classes = [StaffPermission.of("merchants.approve_kyc")]
    permission_classes = [StaffPermission.of("notifications.view_broadcast", POST="notifications.send_broadcast")]

The first permission applies to every method not named after it. Superusers hold every permission; staff
users hold what their groups (see `core/migrations/0001_staff_groups.py`) and their own permissions grant.
"""

from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import BasePermission


class StaffPermission(BasePermission):
    """A staff user holding the view's permission for this method. Not signed in: 401; not staff: 403; staff
    without the permission: 403 `permission_denied` naming it."""

    default_permission: str = ""
    permission_by_method: dict[str, str] = {}

    @classmethod
    def of(cls, permission: str, **by_method: str) -> type["StaffPermission"]:
        """The permission class requiring `permission` (`app_label.codename`), or `by_method[METHOD]`."""
        by_method = {method.upper(): required for method, required in by_method.items()}
        for required in (permission, *by_method.values()):
            if required.count(".") != 1:
                raise ValueError(f"A permission is 'app_label.codename', not {required!r}.")
        label = ", ".join([permission, *(f"{m}={p}" for m, p in by_method.items())])
        return type(
            f"StaffPermission({label})",
            (cls,),
            {"default_permission": permission, "permission_by_method": by_method},
        )

    def required_for(self, method: str) -> str:
        # HEAD and OPTIONS read what GET reads.
        method = "GET" if method in ("HEAD", "OPTIONS") else method
        return self.permission_by_method.get(method, self.default_permission)

    def has_permission(self, request, view):
        user = request.user
        if not (user and user.is_authenticated and user.is_staff):
            return False
        required = self.required_for(request.method)
        # A view that declared nothing (bare `StaffPermission`) is refused even to superusers.
        if not required or not user.has_perm(required):
            raise PermissionDenied(f"Your staff account lacks the permission this needs: {required or '?'}.")
        return True
