"""ASGI entry point (uvicorn): the live tracking stream is served natively in the event loop, every other
path by Django's ASGI handler. WSGI (gunicorn, config/wsgi.py) stays the main web server; run this one for
/api/v1/track/{code}/stream/ (docker-compose.yml `stream`, deploy/k8s/stream.yaml):

    uvicorn config.asgi:application --host 0.0.0.0 --port 8000
"""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
django_application = get_asgi_application()

from tracking.stream import TrackingStreamRouter  # noqa: E402  (needs the apps loaded above)

application = TrackingStreamRouter(django_application)
