"""Django admin sign-in lockout (django-axes, attempts kept in the database so every process shares them).

Failures are counted per (canonical email, client address); AXES_FAILURE_LIMIT of them lock that pair out
for AXES_COOLOFF_TIME (429), even with the right password. The client address is the one
`core.client_address` gives, so `X-Forwarded-For` counts only through TRUSTED_PROXY_COUNT.

Only the admin's sign-in is watched: the API's login has its own throttles, and recording every API failure
here would cost each one a write for nothing.
"""

from axes.backends import AxesStandaloneBackend
from axes.handlers.database import AxesDatabaseHandler

from .managers import email_canonical


def admin_login_username(request, credentials):
    """AXES_USERNAME_CALLABLE: the canonical email the admin login form was given."""
    username = (credentials or {}).get("username")
    if username is None and request is not None:
        username = request.POST.get("username")
    return email_canonical(username) if isinstance(username, str) and username.strip() else None


class AdminLoginLockoutHandler(AxesDatabaseHandler):
    """Records sign-in attempts on the admin site only."""

    def user_login_failed(self, sender, credentials, request=None, **kwargs):
        if request is not None and self.is_admin_request(request):
            super().user_login_failed(sender, credentials, request=request, **kwargs)

    def user_logged_in(self, sender, request, user, **kwargs):
        if request is not None and self.is_admin_request(request):
            super().user_logged_in(sender, request, user, **kwargs)

    def user_logged_out(self, sender, request, user, **kwargs):
        if request is not None and self.is_admin_request(request):
            super().user_logged_out(sender, request, user, **kwargs)


class AdminLoginLockoutBackend(AxesStandaloneBackend):
    """First in AUTHENTICATION_BACKENDS: refuses a locked-out admin sign-in before any password is checked.
    Other sign-ins (the API, OIDC, a test client's `login()` without a request) pass straight through."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None or not AdminLoginLockoutHandler().is_admin_request(request):
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
