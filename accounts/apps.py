from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts and merchants"

    def ready(self):
        from . import receivers  # noqa: F401 (connects the receivers)
