"""Celery application: configured from Django settings (CELERY_* names), tasks discovered in every app."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = Celery("ordertrail")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
