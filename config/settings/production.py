"""Production: refuses to start with development defaults; everything else comes from the environment.

`python manage.py check --deploy --settings=config.settings.production` must stay free of warnings
(tests/core/test_production_settings.py runs it)."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import BASE_DIR, INSTALLED_APPS, LOG_LEVEL, MIDDLEWARE, SIMPLE_JWT, STORAGES, env


def _bool(name: str, default: bool) -> bool:
    """Unset and empty (a line left blank in a copied .env.example) both mean the secure default."""
    return env.bool(name) if env.str(name, default="").strip() else default


def _int(name: str, default: int) -> int:
    return env.int(name) if env.str(name, default="").strip() else default


# --- refuse development defaults ------------------------------------------------------------------------
SECRET_KEY = env("DJANGO_SECRET_KEY", default="")
# 50 characters and 5 distinct ones is what `check --deploy` (security.W009) asks for.
if (
    not SECRET_KEY
    or SECRET_KEY.startswith(("insecure-", "django-insecure-"))
    or len(SECRET_KEY) < 50
    or len(set(SECRET_KEY)) < 5
):
    raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set to a random value of at least 50 characters.")
DEBUG = env.bool("DJANGO_DEBUG", default=False)
if DEBUG:
    raise ImproperlyConfigured("DJANGO_DEBUG must be off in production.")
# Required: no default, django-environ raises ImproperlyConfigured when it is missing.
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS")
# Health probes come from inside the pod/container (Docker HEALTHCHECK, kubelet probes sending
# `Host: localhost`): they must not be refused as a DisallowedHost. Links we send use PUBLIC_BASE_URL.
ALLOWED_HOSTS += [host for host in ("localhost", "127.0.0.1") if host not in ALLOWED_HOSTS]
SIMPLE_JWT = {**SIMPLE_JWT, "SIGNING_KEY": env("JWT_SIGNING_KEY", default=SECRET_KEY)}

# --- HTTPS behind a TLS-terminating proxy (ingress / load balancer) -------------------------------------
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = _bool("DJANGO_SECURE_SSL_REDIRECT", True)
# Probes come from the kubelet / Docker over plain HTTP and must not be redirected.
SECURE_REDIRECT_EXEMPT = [r"^healthz/$", r"^readyz/$"]
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = _int("DJANGO_SECURE_HSTS_SECONDS", 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = _bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = _bool("DJANGO_SECURE_HSTS_PRELOAD", True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
# The schema and the API docs show every endpoint: staff only unless the operator opens them.
API_DOCS_PUBLIC = _bool("API_DOCS_PUBLIC", False)

# --- request ids and CORS -------------------------------------------------------------------------------
INSTALLED_APPS = [*INSTALLED_APPS, "corsheaders"]
MIDDLEWARE = [
    "core.request_id.RequestIdMiddleware",
    *MIDDLEWARE[:1],  # SecurityMiddleware
    "corsheaders.middleware.CorsMiddleware",  # before CommonMiddleware, as django-cors-headers requires
    *MIDDLEWARE[1:],
]
# Closed by default: no origin may call the API from a browser unless listed.
CORS_ALLOWED_ORIGINS = env.list("CORS_ALLOWED_ORIGINS", default=[])
CORS_URLS_REGEX = r"^/api/.*$"
CORS_ALLOW_CREDENTIALS = False
CORS_EXPOSE_HEADERS = ["X-Request-ID"]

# --- static files: collected at image build, served by WhiteNoise with far-future cache headers -----------
STATIC_ROOT = env.str("STATIC_ROOT", default="") or str(BASE_DIR / "staticfiles")
# Media keeps what base.py chose from the environment (object storage, or local directories).
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# A template naming a file missing from the manifest renders the unhashed URL instead of failing.
WHITENOISE_MANIFEST_STRICT = False

# --- JSON logs with the request id ------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "core.request_id.RequestIdLogFilter"}},
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": ["asctime", "levelname", "name", "message", "request_id"],
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        }
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "json", "filters": ["request_id"]}
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # gunicorn.* loggers are configured (as JSON too) by gunicorn.conf.py and left alone here.
    },
}
