from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"

    def ready(self):
        from . import checks, receivers  # noqa: F401  (registers the checks, connects the signal receivers)
