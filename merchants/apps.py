from django.apps import AppConfig


class MerchantsConfig(AppConfig):
    name = "merchants"
    verbose_name = "Merchants"

    def ready(self):
        from . import receivers  # noqa: F401 (connects the receivers)
