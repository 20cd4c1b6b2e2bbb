"""`make run`: debug on, console email/SMS and eager tasks unless the environment names real services."""

from .base import *  # noqa: F403
from .base import DATABASES, env

DEBUG = env.bool("DJANGO_DEBUG", default=True)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["*"])
# runserver serves static files itself while DEBUG is on.
if DEBUG:
    MIDDLEWARE = [m for m in MIDDLEWARE if m != "whitenoise.middleware.WhiteNoiseMiddleware"]  # noqa: F405

# `make run` on PostgreSQL: the dev server answers every request in a new thread, so kept connections
# (CONN_MAX_AGE) would pile up, one per request, until PostgreSQL refuses every client. A small pool per
# process bounds them whatever the load; a request that finds none free within the timeout answers 503.
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["CONN_MAX_AGE"] = 0  # the pool keeps them
    DATABASES["default"]["OPTIONS"]["pool"] = {
        "min_size": 1,
        "max_size": env.int("DB_POOL_MAX_SIZE", default=8),
        "timeout": env.float("DB_POOL_TIMEOUT", default=10),
    }
