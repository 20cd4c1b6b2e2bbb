from django.apps import AppConfig, apps

# Bookkeeping rows nobody works from: kept reachable by their URL (an audit, a lockout log), off the index.
OFF_THE_INDEX = (
    "token_blacklist.OutstandingToken",
    "token_blacklist.BlacklistedToken",
    "accounts.EmailOTP",
    "axes.AccessLog",
    "axes.AccessFailureLog",
)


def _not_a_module(request):
    return False


class DashboardConfig(AppConfig):
    name = "dashboard"

    def ready(self):
        from django.contrib import admin
        from django.contrib.admin.exceptions import NotRegistered

        # django.contrib.admin is the first app: its ready() has registered every admin by now.
        for label in OFF_THE_INDEX:
            try:
                model_admin = admin.site.get_model_admin(apps.get_model(label))
            except (LookupError, NotRegistered):  # an app left out of INSTALLED_APPS
                continue
            model_admin.has_module_permission = _not_a_module
