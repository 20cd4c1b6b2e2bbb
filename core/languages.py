"""The languages customers are written to in (orders, profiles, notification templates)."""

from django.conf import settings
from django.db import models


class Language(models.TextChoices):
    EN = "en", "English"
    SW = "sw", "Kiswahili"


def default_language() -> str:
    """DEFAULT_LANGUAGE, the language of an order that names none (settings refuse any other value)."""
    return settings.DEFAULT_LANGUAGE
